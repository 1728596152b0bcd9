import { describe, expect, it } from 'vitest';
import { checkEncoding, dequantize, permute, sqnr, tensor, type CodebookEncoding, type QuantizedTensor } from '@quantforge/core';
import { gaussian, heavyTailed } from '@quantforge/testing';
import { kmeans1d } from '../src/kmeans1d.js';
import { resolveVqOptions, type VqOptionsInput } from '../src/options.js';
import { kmeansScheme } from '../src/scheme.js';
import { quantInfo } from './helpers.js';

function run(w: ReturnType<typeof tensor>, options: VqOptionsInput, info = quantInfo()): QuantizedTensor {
  return kmeansScheme.quantizeWeight!(w, resolveVqOptions({ method: 'kmeans', ...options }), info) as QuantizedTensor;
}

function codebook(q: QuantizedTensor): CodebookEncoding {
  if (q.encoding.kind !== 'codebook') throw new Error('not a codebook');
  return q.encoding;
}

describe('the kmeans scheme', () => {
  it('shares 2^bits centroids across a tensor and dequantizes through core', () => {
    const w = tensor('float32', [8, 4, 3, 3], heavyTailed(288, 1));
    const q = run(w, { bits: 3, perChannel: false });
    const e = codebook(q);
    expect(e).toMatchObject({ k: 8, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 36 } });
    expect(q.codes).toMatchObject({ dtype: 'uint8', dims: [1, 8, 36] });
    checkEncoding(e, w.dims);
    const back = dequantize(q);
    const centroids = Array.from(e.centroids);
    // Every value is replaced by its nearest centroid.
    (w.data as Float32Array).forEach((v, i) => {
      const best = Math.min(...centroids.map((c) => Math.abs(c - v)));
      expect(Math.abs(back[i]! - v)).toBeCloseTo(best, 6);
    });
    // The centroids are what kmeans1d finds on the same values (float32-rounded).
    const direct = kmeans1d(w.data as Float32Array, { k: 8, init: 'linear', maxIterations: 1000, seed: 0 });
    expect(centroids).toEqual(Array.from(Float32Array.from(direct.centroids)));
  });

  it('gains SQNR with every extra bit', () => {
    const w = tensor('float32', [64, 64], heavyTailed(4096, 2));
    const values = w.data as Float32Array;
    const s = [1, 2, 4, 6, 8].map((bits) => sqnr(values, dequantize(run(w, { bits, perChannel: false }))));
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]! + 3);
  });

  it('clusters each channel on its own values (axis 0 and a moved axis)', () => {
    const values = gaussian([4, 50], 3).data;
    for (let c = 0; c < 4; c++) for (let i = 0; i < 50; i++) values[c * 50 + i]! *= 10 ** c;
    const w = tensor('float32', [4, 50], values);
    const q = run(w, { bits: 2, perChannel: true });
    const e = codebook(q);
    expect(e).toMatchObject({ groups: 4, grouping: 'channel', axis: 0, layout: { rowLength: 50 } });
    for (let c = 0; c < 4; c++) {
      const own = kmeans1d(values.subarray(c * 50, c * 50 + 50), { k: 4, init: 'linear', maxIterations: 1000, seed: 0 });
      expect(Array.from(e.centroids.subarray(c * 4, c * 4 + 4))).toEqual(Array.from(Float32Array.from(own.centroids)));
    }
    const perTensor = sqnr(values, dequantize(run(w, { bits: 2, perChannel: false })));
    expect(sqnr(values, dequantize(q))).toBeGreaterThan(perTensor);

    // A MatMul weight [K, N] with channels on axis 1: the layout moves the axis first; dequantize undoes it.
    const t = tensor('float32', [50, 4], permute(values, [4, 50], [1, 0]));
    const qt = run(t, { bits: 2, perChannel: true }, quantInfo({ axis: 1 }));
    expect(codebook(qt)).toMatchObject({ groups: 4, axis: 1, layout: { perm: [1, 0], rowLength: 50 } });
    expect(Array.from(codebook(qt).centroids)).toEqual(Array.from(e.centroids));
    expect(Array.from(dequantize(qt))).toEqual(Array.from(permute(dequantize(q), [4, 50], [1, 0])));
  });

  it('follows the plan when bits and perChannel are absent', () => {
    const w = tensor('float32', [3, 20], heavyTailed(60, 4));
    const q = run(w, {}, quantInfo({ bits: 2, granularity: 'per-channel', axis: 0 }));
    expect(codebook(q)).toMatchObject({ k: 4, groups: 3, grouping: 'channel' });
    expect(() => run(w, {}, quantInfo({ bits: 12 }))).toThrow(expect.objectContaining({ code: 'QF_OPTIONS_INVALID' }));
  });

  it('gives the same bytes for the same seed and other centroids for another (k-means++)', () => {
    const w = tensor('float32', [32, 32], heavyTailed(1024, 5));
    const options: VqOptionsInput = { bits: 4, init: 'kmeans++', perChannel: false, maxIterations: 2 };
    const a = run(w, options, quantInfo({ seed: 11 }));
    const b = run(w, options, quantInfo({ seed: 11 }));
    const c = run(w, options, quantInfo({ seed: 12 }));
    expect(Array.from(codebook(a).centroids)).toEqual(Array.from(codebook(b).centroids));
    expect(Array.from(a.codes!.data as Uint8Array)).toEqual(Array.from(b.codes!.data as Uint8Array));
    expect(Array.from(codebook(c).centroids)).not.toEqual(Array.from(codebook(a).centroids));
  });

  it('adds a residual stage that lowers the error', () => {
    const w = tensor('float32', [16, 64], heavyTailed(1024, 6));
    const values = w.data as Float32Array;
    const one = run(w, { bits: 2, perChannel: false });
    const two = run(w, { bits: 2, perChannel: false, residual: true });
    expect(codebook(two).residual?.k).toBe(4);
    expect(two.codes).toMatchObject({ dims: [2, 16, 64] });
    expect(sqnr(values, dequantize(two))).toBeGreaterThan(sqnr(values, dequantize(one)) + 3);
  });

  it('weights by importance toward large magnitudes', () => {
    const w = tensor('float32', [100, 100], heavyTailed(10_000, 7));
    const values = w.data as Float32Array;
    const plain = codebook(run(w, { bits: 3, perChannel: false }));
    const square = codebook(run(w, { bits: 3, perChannel: false, importance: 'square' }));
    expect(square.centroids[7]!).toBeGreaterThan(plain.centroids[7]!);
    expect(square.centroids[0]!).toBeLessThan(plain.centroids[0]!);
    // The largest weights are reproduced better.
    const big = (q: QuantizedTensor): number => {
      const back = dequantize(q);
      let err = 0;
      values.forEach((v, i) => { if (Math.abs(v) > 8) err += (v - back[i]!) ** 2; });
      return err;
    };
    expect(big(run(w, { bits: 3, perChannel: false, importance: 'square' }))).toBeLessThan(big(run(w, { bits: 3, perChannel: false })));
  });

  it('refuses non-float, non-finite and non-weight tensors with codes', () => {
    expect(() => run(tensor('int8', [2], Int8Array.of(1, 2)), {})).toThrow(expect.objectContaining({ code: 'QF_DTYPE_UNSUPPORTED' }));
    expect(() => run(tensor('float32', [2], Float32Array.of(1, NaN)), {})).toThrow(expect.objectContaining({ code: 'QF_NAN_WEIGHTS' }));
    expect(() => run(tensor('float32', [2], Float32Array.of(1, 2)), {}, quantInfo({ role: 'bias' }))).toThrow(expect.objectContaining({ code: 'QF_QUANTIZE' }));
  });
});
