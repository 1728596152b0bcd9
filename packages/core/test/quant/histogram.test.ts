import { describe, expect, it } from 'vitest';
import { binWidth, createHistogram, growHistogram, mergeHistograms, observeHistogram } from '../../src/quant/index.js';
import { chunks, laplace, normal } from './rng.js';

/** Direct binning at a fixed exponent, the definition the growing histogram must equal. */
function direct(values: Float32Array, bins: number, exponent: number): Float64Array {
  const w = 2 ** (exponent + 1) / bins;
  const out = new Float64Array(bins);
  for (const v of values) out[bins / 2 + Math.floor(v / w)]! += 1;
  return out;
}

describe('growing histogram', () => {
  it('chooses the smallest power-of-two range holding the data ([-R, R) half-open)', () => {
    const h = createHistogram('t', 16);
    observeHistogram(h, new Float32Array([0.5, -1]), [2]);
    expect(h.exponent).toBe(0);
    observeHistogram(h, new Float32Array([1]), [1]);
    expect(h.exponent).toBe(1);
    expect(binWidth(h)).toBe(0.25);
    expect(h.min).toBe(-1);
    expect(h.max).toBe(1);
  });
  it('growing by doubling equals binning at the final range, exactly', () => {
    const data = laplace(20000, 11, 0.01);
    data[5000] = 3.5; // forces several doublings late in the stream
    data[15000] = -70;
    const h = createHistogram('t', 256);
    for (const c of chunks(data, 5, 40)) observeHistogram(h, c, [c.length]);
    expect(h.exponent).toBe(7);
    expect(Array.from(h.counts)).toEqual(Array.from(direct(data, 256, 7)));
    expect(h.count).toBe(20000);
  });
  it('growHistogram merges bin pairs into the middle half', () => {
    const h = createHistogram('t', 8);
    observeHistogram(h, new Float32Array([-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75]), [8]);
    expect(Array.from(h.counts)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    growHistogram(h, h.exponent + 1);
    expect(Array.from(h.counts)).toEqual([0, 0, 2, 2, 2, 2, 0, 0]);
  });
  it('skips and counts non-finite values', () => {
    const h = createHistogram('t', 8);
    observeHistogram(h, new Float32Array([Number.NaN, Infinity, -Infinity, 0.5]), [4]);
    expect(h.nonFinite).toBe(3);
    expect(h.count).toBe(1);
    expect(h.exponent).toBe(0);
  });
  it('merging histograms of different ranges is exact and order-free', () => {
    const a = normal(5000, 1, 0.1);
    const b = normal(5000, 2, 40);
    const ha = createHistogram('t', 1024);
    const hb = createHistogram('t', 1024);
    observeHistogram(ha, a, [a.length]);
    observeHistogram(hb, b, [b.length]);
    const all = new Float32Array([...a, ...b]);
    const one = createHistogram('t', 1024);
    observeHistogram(one, all, [all.length]);
    expect(mergeHistograms(ha, hb)).toEqual(one);
    expect(mergeHistograms(hb, ha)).toEqual(one);
    expect(ha.count).toBe(5000);
  });
  it('refuses to merge different tensors or bin counts', () => {
    expect(() => mergeHistograms(createHistogram('a', 8), createHistogram('b', 8))).toThrow(/cannot merge/);
    expect(() => mergeHistograms(createHistogram('a', 8), createHistogram('a', 16))).toThrow(/cannot merge/);
    expect(() => createHistogram('a', 12)).toThrow(/power of two/);
  });
});

describe('log2 histogram', () => {
  it('bins magnitudes on a fixed 1/16-octave grid, counting zeros and negatives', async () => {
    const { createObserver } = await import('../../src/quant/index.js');
    const obs = createObserver('log-histogram', { binsPerOctave: 16, minLog2: -8, octaves: 16 });
    const s = obs.init('a');
    obs.observe(s, new Float32Array([1, 2, -2, 0, 0, 1.5, 1e-9, 1e9, Number.NaN]), [9]);
    expect(s.counts.length).toBe(256);
    expect(s.zeros).toBe(2);
    expect(s.negatives).toBe(1);
    expect(s.nonFinite).toBe(1);
    expect(s.counts[128]).toBe(1); // 2^0
    expect(s.counts[144]).toBe(2); // ±2^1
    expect(s.counts[137]).toBe(1); // log2(1.5) = 0.585
    expect(s.counts[0]).toBe(1); // underflow
    expect(s.counts[255]).toBe(1); // overflow
    expect(obs.finalize(s, { bits: 4, signed: false, symmetric: false })).toEqual({ min: -2, max: 1e9 });
    expect(() => obs.merge(s, createObserver('log-histogram').init('a'))).toThrow(/different grids/);
  });
});
