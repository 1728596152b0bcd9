import { describe, expect, it } from 'vitest';
import { rng } from '@quantforge/testing';
import { clusterMagnitudes, weightedEntropyScore } from '../src/clusters.js';
import { sortedMagnitudes } from '../src/sort.js';

function prefixOf(sorted: number[]): Float64Array {
  const p = new Float64Array(sorted.length + 1);
  sorted.forEach((v, i) => (p[i + 1] = p[i]! + v * v));
  return p;
}

// S written from the definition, cluster by cluster, as the reference for the prefix-sum form.
function entropyByDefinition(sorted: number[], starts: number[]): number {
  let s = 0;
  for (let k = 0; k + 1 < starts.length; k++) {
    const members = sorted.slice(starts[k], starts[k + 1]);
    const p = members.length / sorted.length;
    const importance = members.reduce((a, v) => a + v * v, 0) / members.length;
    s -= importance * p * Math.log(p);
  }
  return s;
}

function randomSorted(n: number, seed: number): number[] {
  const next = rng(seed);
  return Array.from({ length: n }, () => Math.fround(-Math.log(1 - next()))).sort((a, b) => a - b);
}

describe('weighted-entropy clustering of magnitudes', () => {
  it('computes S = −Σ Iₙ Pₙ ln Pₙ from prefix sums', () => {
    const s = [1, 2, 3, 4];
    expect(weightedEntropyScore(prefixOf(s), [0, 2, 4])).toBeCloseTo(entropyByDefinition(s, [0, 2, 4]), 12);
    expect(weightedEntropyScore(prefixOf(s), [0, 2, 4])).toBeCloseTo(-(2.5 * 0.5 * Math.log(0.5) + 12.5 * 0.5 * Math.log(0.5)), 12);
  });

  it('finds the best single boundary (two clusters: one coordinate, so the settled point is the optimum)', () => {
    for (const seed of [1, 2, 3]) {
      const s = randomSorted(40, seed);
      const c = clusterMagnitudes(Float32Array.from(s), 2);
      let best = -Infinity;
      for (let b = 1; b < s.length; b++) best = Math.max(best, entropyByDefinition(s, [0, b, s.length]));
      expect(c.entropy).toBeCloseTo(best, 10);
    }
  });

  it('settles: no boundary gains by moving anywhere between its neighbours', () => {
    const s = randomSorted(300, 4);
    const c = clusterMagnitudes(Float32Array.from(s), 5);
    const starts = Array.from(c.starts);
    const settled = entropyByDefinition(s, starts);
    expect(c.entropy).toBeCloseTo(settled, 10);
    for (let k = 1; k < starts.length - 1; k++) {
      for (let b = starts[k - 1]! + 1; b < starts[k + 1]!; b++) {
        const moved = [...starts];
        moved[k] = b;
        expect(entropyByDefinition(s, moved)).toBeLessThanOrEqual(settled + 1e-9);
      }
    }
    // The equal-count start is not settled on such data: the search did move boundaries.
    const equal = [0, 60, 120, 180, 240, 300];
    expect(settled).toBeGreaterThan(entropyByDefinition(s, equal));
  });

  it('takes each representative from the mean importance: r = √(mean w²)', () => {
    const s = randomSorted(100, 5);
    const c = clusterMagnitudes(Float32Array.from(s), 3);
    for (let k = 0; k < 3; k++) {
      const members = s.slice(c.starts[k], c.starts[k + 1]);
      expect(c.representatives[k]).toBeCloseTo(Math.sqrt(members.reduce((a, v) => a + v * v, 0) / members.length), 6);
      expect(c.thresholds[k]).toBe(members[0]);
    }
  });

  it('keeps equal magnitudes in one cluster and copes with fewer distinct values than clusters', () => {
    const s = Float32Array.of(0, 0, 0, 0, 0, 0, 1, 1, 2, 2);
    const c = clusterMagnitudes(s, 2);
    expect([0, 6, 8, 10]).toEqual(expect.arrayContaining([...c.starts]));
    const few = clusterMagnitudes(Float32Array.of(0.5, 0.5, 1, 1), 4);
    expect(Array.from(few.starts)).toEqual([0, 2, 4]);
    expect(Array.from(few.representatives)).toEqual([0.5, 1, 1, 1]);
  });

  it('settles at full resolution after the coarse-to-fine stages on many distinct magnitudes', () => {
    const s = randomSorted(40000, 9);
    const c = clusterMagnitudes(Float32Array.from(s), 12);
    const p = prefixOf(s);
    const n = s.length;
    const term = (a: number, b: number) => (p[b]! - p[a]!) * (Math.log(n) - Math.log(b - a));
    const starts = Array.from(c.starts);
    for (let k = 1; k < starts.length - 1; k++) {
      const [l, r] = [starts[k - 1]!, starts[k + 1]!];
      const here = term(l, starts[k]!) + term(starts[k]!, r);
      let best = -Infinity;
      for (let b = l + 1; b < r; b++) if (s[b - 1]! < s[b]!) best = Math.max(best, term(l, b) + term(b, r));
      expect(best).toBeLessThanOrEqual(here * (1 + 1e-12));
    }
    expect(c.sweeps).toBeGreaterThan(2);
  });

  it('stops at the sweep cap', () => {
    const s = Float32Array.from(randomSorted(500, 6));
    expect(clusterMagnitudes(s, 8, 1).sweeps).toBe(1);
  });
});

describe('sortedMagnitudes', () => {
  it('sorts |x| exactly like a numeric sort, signed zeros and subnormals included', () => {
    const next = rng(7);
    const x = Float32Array.from({ length: 5000 }, (_, i) => (i % 97 === 0 ? -0 : i % 89 === 0 ? 1e-42 : (next() - 0.5) * 10 ** Math.floor(next() * 8 - 4)));
    const expected = Array.from(x, Math.abs).sort((a, b) => a - b);
    expect(Array.from(sortedMagnitudes(x))).toEqual(expected.map((v) => (v === 0 ? 0 : v)));
  });
});
