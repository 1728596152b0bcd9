// The SIMD min/max scan must give exactly what the scalar observer loop gives (Object.is, so ±0 counts), and step
// aside (undefined) whenever a value is not finite.
import { describe, expect, it } from 'vitest';
import { finiteRange } from '../../src/quant/observers/finite-range.js';
import { minMaxObserver } from '../../src/quant/observers/minmax.js';
import { seeded } from '../passes/helpers.js';

function scalar(values: Float32Array): { min: number; max: number; bad: number } {
  let min = Infinity;
  let max = -Infinity;
  let bad = 0;
  for (const v of values) {
    if (v - v !== 0) bad++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return { min, max, bad };
}

function same(a: number, b: number): boolean {
  return Object.is(a, b);
}

describe('finiteRange', () => {
  it('matches the scalar loop on seeded data of many lengths (tails of 0–3 elements included)', () => {
    for (const n of [256, 257, 258, 259, 1000, 4099, 65536 + 3]) {
      for (const seed of [1, 2, 3]) {
        const v = seeded(n, seed * 97 + n).map((x) => x * 100);
        const r = finiteRange(v)!;
        const s = scalar(v);
        expect(same(r.min, s.min) && same(r.max, s.max)).toBe(true);
      }
    }
  });

  it('the extreme in the tail, and in each lane', () => {
    for (let at = 0; at < 8; at++) {
      const v = new Float32Array(262).fill(1);
      v[v.length - 1 - at] = -5;
      v[at] = 7;
      expect(finiteRange(v)).toEqual({ min: -5, max: 7 });
    }
  });

  it('a zero minimum or maximum takes the sign of the first zero, as the scalar loop does', () => {
    const cases: [number, number][] = [[0, -0], [-0, 0], [-0, -0], [0, 0]];
    for (const [first, second] of cases) {
      for (const [i, j] of [[0, 1], [1, 2], [5, 3], [300, 2], [256, 257]] as [number, number][]) {
        // Non-negative data: the minimum is a zero; non-positive data: the maximum is.
        for (const sign of [1, -1]) {
          const v = seeded(320, i * 7 + j).map((x) => sign * (Math.abs(x) + 1));
          v[Math.min(i, j)] = first;
          v[Math.max(i, j)] = second;
          const r = finiteRange(v)!;
          const s = scalar(v);
          expect(same(r.min, s.min)).toBe(true);
          expect(same(r.max, s.max)).toBe(true);
        }
      }
    }
    const relu = new Float32Array(1024);
    relu[3] = -0;
    expect(Object.is(finiteRange(relu)!.min, 0)).toBe(true);
    relu[0] = -0;
    expect(Object.is(finiteRange(relu)!.min, -0)).toBe(true);
  });

  it('steps aside for NaN and ±∞ anywhere (body or tail) and for short arrays', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      for (const at of [0, 3, 100, 258]) {
        const v = seeded(259, at);
        v[at] = bad;
        expect(finiteRange(v)).toBeUndefined();
      }
    }
    expect(finiteRange(new Float32Array(255))).toBeUndefined();
  });

  it('the min/max observer state is unchanged by the fast path (same fields as the scalar loop gives)', () => {
    const obs = minMaxObserver();
    const v = seeded(5000, 9);
    v[17] = -0;
    const s = obs.init('t');
    obs.observe(s, v, [5000]);
    const ref = scalar(v);
    expect(s).toEqual({ ...obs.init('t'), batches: 1, count: 5000, min: ref.min, max: ref.max });
    const withNaN = v.slice();
    withNaN[4] = Number.NaN;
    const t = obs.init('t');
    obs.observe(t, withNaN, [5000]);
    const r2 = scalar(withNaN);
    expect(t).toEqual({ ...obs.init('t'), batches: 1, count: 4999, nonFinite: 1, min: r2.min, max: r2.max });
  });
});
