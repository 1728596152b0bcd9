import { describe, expect, it } from 'vitest';
import {
  createObserver, deserializeObserverState, entropyThresholdBins, expectedQuantError, foldAbsolute, klDivergenceAt, OBSERVER_KINDS, serializeObserverState,
  type FinalizeRequest, type ObserverState, type Observer,
} from '../../src/quant/index.js';
import { QuantforgeError } from '../../src/errors/index.js';
import { chunks, laplace, normal, rng } from './rng.js';

const sym8: FinalizeRequest = { bits: 8, signed: true, symmetric: true };
const asym8: FinalizeRequest = { bits: 8, signed: false, symmetric: false };

function observeAll(obs: Observer<ObserverState>, parts: Float32Array[], name = 'x'): ObserverState {
  const s = obs.init(name);
  for (const p of parts) obs.observe(s, p, [p.length]);
  return s;
}

/** Merges states in a random binary tree shape (fixed by seed), keeping their order. */
function randomTreeMerge(obs: Observer<ObserverState>, states: ObserverState[], seed: number): ObserverState {
  const u = rng(seed);
  let list = [...states];
  while (list.length > 1) {
    const i = Math.floor(u() * (list.length - 1));
    list = [...list.slice(0, i), obs.merge(list[i]!, list[i + 1]!), ...list.slice(i + 2)];
  }
  return list[0]!;
}

describe('observer merge is exact and associative', () => {
  const data = laplace(60000, 21, 0.3);
  data[123] = 17;
  data[40000] = -9;
  const parts = chunks(data, 4, 12);
  for (const kind of OBSERVER_KINDS) {
    it(`${kind}: per-worker states merged in any grouping equal one pass, bit for bit`, () => {
      const obs = createObserver(kind) as unknown as Observer<ObserverState>;
      const one = observeAll(obs, [data]);
      // An empty state (a worker that saw nothing) sits in the middle of the list.
      const perChunk = parts.map((p) => observeAll(obs, [p]));
      perChunk.splice(5, 0, obs.init('x'));
      const left = perChunk.reduce((a, b) => obs.merge(a, b));
      const right = perChunk.reduceRight((b, a) => obs.merge(a, b));
      const tree = randomTreeMerge(obs, perChunk, 99);
      // Three workers, each observing several chunks in sequence.
      const workers = [parts.slice(0, 3), parts.slice(3, 9), parts.slice(9)].map((ps) => observeAll(obs, ps));
      const fromWorkers = obs.merge(obs.merge(workers[0]!, workers[1]!), workers[2]!);
      for (const merged of [left, right, tree, fromWorkers]) {
        const { batches: _b, ...rest } = merged as ObserverState & { batches?: number };
        const { batches: _o, ...restOne } = one as ObserverState & { batches?: number };
        expect(rest).toEqual(restOne);
        for (const req of [sym8, asym8, { bits: 4, signed: true, symmetric: true }]) {
          expect(obs.finalize(merged, req)).toEqual(obs.finalize(one, req));
        }
      }
      // merge leaves its inputs untouched
      expect(perChunk[0]!.count).toBe(parts[0]!.length);
      expect(perChunk[5]!.count).toBe(0);
    });
  }
  it('minmax with momentum: ordered merge equals the sequential moving average', () => {
    const obs = createObserver('minmax', { momentum: 0.1 });
    const batches = chunks(normal(5000, 8), 3, 20).filter((b) => b.length > 0);
    const seq = obs.init('x');
    for (const b of batches) obs.observe(seq, b, [b.length]);
    const perBatch = batches.map((b) => {
      const s = obs.init('x');
      obs.observe(s, b, [b.length]);
      return s;
    });
    const merged = randomTreeMerge(obs as unknown as Observer<ObserverState>, perBatch, 5) as typeof seq;
    expect(merged.avgMin).toBeCloseTo(seq.avgMin, 12);
    expect(merged.avgMax).toBeCloseTo(seq.avgMax, 12);
    expect(merged.min).toBe(seq.min);
    const r = obs.finalize(seq, asym8);
    expect(r.max).toBe(seq.avgMax);
    // The averaged range is inside the exact range: outliers are damped.
    expect(r.max).toBeLessThan(seq.max);
  });
  it('states survive JSON and structured clone', () => {
    for (const kind of OBSERVER_KINDS) {
      const obs = createObserver(kind) as unknown as Observer<ObserverState>;
      const s = observeAll(obs, [data.subarray(0, 1000)]);
      const back = deserializeObserverState(JSON.parse(JSON.stringify(serializeObserverState(s))));
      expect(back).toEqual(s);
      expect(structuredClone(s)).toEqual(s);
    }
    expect(() => deserializeObserverState({ kind: 'histogram', tensor: 'x' })).toThrow(QuantforgeError);
  });
});

describe('minmax', () => {
  it('finalizes symmetric and asymmetric ranges and refuses empty states', () => {
    const obs = createObserver('minmax');
    const s = obs.init('a');
    obs.observe(s, new Float32Array([-1, 3, Number.NaN]), [3]);
    expect(obs.finalize(s, asym8)).toEqual({ min: -1, max: 3 });
    expect(obs.finalize(s, sym8)).toEqual({ min: -3, max: 3 });
    expect(s.nonFinite).toBe(1);
    try {
      obs.finalize(obs.init('empty'), sym8);
      expect.unreachable();
    } catch (e) {
      expect((e as QuantforgeError).code).toBe('QF_CALIBRATION');
    }
  });
});

describe('percentile', () => {
  const data = normal(200000, 5, 2);
  const sorted = Float64Array.from(data).sort();
  const absSorted = Float64Array.from(data, Math.abs).sort();
  it('matches sorting within one bin', () => {
    for (const p of [99, 99.9, 99.99]) {
      const obs = createObserver('percentile', { percentile: p, bins: 4096 });
      const s = obs.init('x');
      obs.observe(s, data, [data.length]);
      const w = 2 ** (s.exponent + 1) / s.bins;
      const exactAbs = absSorted[Math.ceil((p / 100) * absSorted.length) - 1]!;
      const sym = obs.finalize(s, sym8);
      expect(Math.abs(sym.max - exactAbs)).toBeLessThanOrEqual(w);
      expect(sym.min).toBe(-sym.max);
      const asym = obs.finalize(s, asym8);
      const hi = sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
      const lo = sorted[Math.ceil((1 - p / 100) * sorted.length) - 1]!;
      expect(Math.abs(asym.max - hi)).toBeLessThanOrEqual(w);
      expect(Math.abs(asym.min - lo)).toBeLessThanOrEqual(w);
    }
  });
  it('never exceeds the observed range', () => {
    const obs = createObserver('percentile', { percentile: 100 });
    const s = obs.init('x');
    obs.observe(s, new Float32Array([0.1, 0.2, 0.3]), [3]);
    expect(obs.finalize(s, asym8)).toEqual({ min: Math.fround(0.1), max: Math.fround(0.3) });
  });
});

/** Literal per-candidate implementation of the formulas, for comparison with the prefix-sum search. */
function naiveKl(hist: Float64Array, i: number, levels: number): number {
  const p = Array.from(hist.subarray(0, i));
  p[i - 1]! += hist.subarray(i).reduce((a, b) => a + b, 0);
  const levelOf = (k: number) => Math.floor((k * levels) / i);
  const mass = new Array<number>(levels).fill(0);
  const nz = new Array<number>(levels).fill(0);
  for (let k = 0; k < i; k++) {
    mass[levelOf(k)]! += hist[k]!;
    if (p[k]! > 0) nz[levelOf(k)]! += 1;
  }
  let q = p.map((pk, k) => (pk > 0 ? mass[levelOf(k)]! / nz[levelOf(k)]! : 0));
  const qSum = q.reduce((a, b) => a + b, 0);
  q = q.map((v) => v / qSum);
  const zeros = q.filter((v, k) => v === 0 && p[k]! > 0).length;
  q = q.map((v, k) => (p[k]! > 0 ? (v === 0 ? 1e-4 : v * (1 - 1e-4 * zeros)) : 0));
  const pSum = p.reduce((a, b) => a + b, 0);
  let kl = 0;
  for (let k = 0; k < i; k++) if (p[k]! > 0) kl += (p[k]! / pSum) * Math.log(p[k]! / pSum / q[k]!);
  return kl;
}

describe('entropy (TensorRT KL)', () => {
  it('the fast divergence equals the literal formulas', () => {
    const u = rng(3);
    const hist = Float64Array.from({ length: 700 }, (_, k) => (u() < 0.2 ? 0 : Math.floor(1000 * Math.exp(-k / 60) * u())));
    hist[699] = 3;
    for (const i of [128, 129, 200, 333, 512, 699, 700]) {
      expect(klDivergenceAt(hist, i, 128)).toBeCloseTo(naiveKl(hist, i, 128), 9);
    }
    let best = 128;
    for (let i = 128; i <= 700; i++) if (naiveKl(hist, i, 128) < naiveKl(hist, best, 128) - 1e-12) best = i;
    expect(entropyThresholdBins(hist, 128)).toBe(best);
  });
  it('clips Laplace data with outliers well below max', () => {
    const data = laplace(100000, 17, 1);
    for (let i = 0; i < 10; i++) data[i * 9973] = 40 + i;
    const obs = createObserver('entropy');
    const s = obs.init('x');
    obs.observe(s, data, [data.length]);
    const r = obs.finalize(s, sym8);
    expect(r.max).toBeLessThan(0.5 * 49);
    expect(r.max).toBeGreaterThan(5);
    expect(r.min).toBe(-r.max);
    // a ReLU-like tensor: asymmetric request stays on the data's side
    const relu = Float32Array.from(data, (v) => Math.max(v, 0));
    const s2 = obs.init('y');
    obs.observe(s2, relu, [relu.length]);
    const r2 = obs.finalize(s2, asym8);
    expect(r2.min).toBe(0);
    expect(r2.max).toBeLessThan(0.5 * 49);
    const center = createObserver('entropy', { threshold: 'center' });
    expect(center.finalize(s, sym8).max).toBeCloseTo(r.max + 0.5 * 2 ** (s.exponent + 1) / s.bins, 9);
  });
  it('does not collapse the range of data that lies away from zero', () => {
    // An SE-block logit: all negative, |x| in [0.74, 1.72]; before the fix the range collapsed to [-0.737, -0.737].
    const u = rng(11);
    const neg = Float32Array.from({ length: 20000 }, () => -0.737 - 0.979 * u());
    const obs = createObserver('entropy');
    const s = obs.init('x');
    obs.observe(s, neg, [neg.length]);
    const r = obs.finalize(s, asym8);
    expect(r.max).toBeCloseTo(Math.max(...neg), 6);
    expect(r.min).toBeLessThan(-1.5);
    const pos = neg.map((v) => -v);
    const s2 = obs.init('y');
    obs.observe(s2, pos, [pos.length]);
    const r2 = obs.finalize(s2, asym8);
    expect(r2.min).toBeCloseTo(Math.min(...pos), 6);
    expect(r2.max).toBeGreaterThan(1.5);
  });
  it('keeps the whole range when the data spans few bins', () => {
    const obs = createObserver('entropy', { bins: 64 });
    const s = obs.init('x');
    obs.observe(s, new Float32Array([0.1, -0.9, 0.5]), [3]);
    expect(obs.finalize(s, sym8)).toEqual({ min: -Math.fround(0.9), max: Math.fround(0.9) });
  });
});

describe('mse', () => {
  it('clips Gaussian data near the known optimum and more at fewer bits', () => {
    const data = normal(200000, 12, 1);
    const obs = createObserver('mse');
    const s = obs.init('x');
    obs.observe(s, data, [data.length]);
    const t4 = obs.finalize(s, { bits: 4, signed: true, symmetric: true }).max;
    const t8 = obs.finalize(s, sym8).max;
    const amax = Math.max(s.max, -s.min);
    // Known MSE-optimal clipping of a unit Gaussian: about 2.5σ at 4 bits, above 3.5σ at 8 bits.
    expect(t4).toBeGreaterThan(2.2);
    expect(t4).toBeLessThan(2.9);
    expect(t8).toBeGreaterThan(3.5);
    expect(t8).toBeLessThanOrEqual(amax);
    const a4 = obs.finalize(s, { bits: 4, signed: false, symmetric: false });
    expect(a4.min).toBeLessThan(0);
    expect(a4.max - a4.min).toBeLessThan(s.max - s.min);
  });
});

describe('mse search', () => {
  it('the moment-sum search picks the same range as the exact per-bin error', () => {
    const data = laplace(50000, 77, 0.7);
    data[10] = 30;
    const obs = createObserver('mse', { bins: 512 });
    const s = obs.init('x');
    obs.observe(s, data, [data.length]);
    const w = 2 ** (s.exponent + 1) / s.bins;
    const amax = Math.max(s.max, -s.min);
    const used = foldAbsolute(s).reduce((last, c, j) => (c > 0 ? j + 1 : last), 0);
    for (const bits of [3, 5, 8]) {
      let best = 0;
      let bestErr = Infinity;
      for (let k = 1; k <= used; k++) {
        const t = Math.min(k * w, amax);
        const err = expectedQuantError(s, -t, t, t / (2 ** (bits - 1) - 1));
        if (err < bestErr * (1 - 1e-9)) {
          bestErr = err;
          best = t;
        }
      }
      expect(obs.finalize(s, { bits, signed: true, symmetric: true }).max).toBeCloseTo(best, 9);
    }
  });
});

describe('createObserver', () => {
  it('validates options with paths', () => {
    const problemsOf = (f: () => unknown) => {
      try { f(); } catch (e) { return { code: (e as QuantforgeError).code, paths: ((e as QuantforgeError).details.problems as { path: string }[]).map((p) => p.path) }; }
      return undefined;
    };
    expect(problemsOf(() => createObserver('percentile', { percentile: 120, bins: 'x' }))).toEqual({ code: 'QF_OPTIONS_INVALID', paths: ['/percentile', '/bins'] });
    expect(problemsOf(() => createObserver('mse', { bins: 1000 }))).toEqual({ code: 'QF_OPTIONS_INVALID', paths: ['/bins'] });
    expect(problemsOf(() => createObserver('minmax', { speed: 1 }))?.code).toBe('QF_OPTIONS_INVALID');
    expect(problemsOf(() => createObserver('nope' as 'mse'))).toEqual({ code: 'QF_OPTIONS_INVALID', paths: ['/observer'] });
  });
  it('checks dims against the values', () => {
    const obs = createObserver('entropy');
    expect(() => obs.observe(obs.init('x'), new Float32Array(4), [5])).toThrow(/do not match/);
  });
});
