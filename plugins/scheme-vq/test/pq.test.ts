import { describe, expect, it } from 'vitest';
import { checkEncoding, dequantize, permute, sqnr, tensor, type CodebookEncoding, type QuantizedTensor, type Tensor } from '@quantforge/core';
import { gaussian, rng } from '@quantforge/testing';
import { assignNd, centroidDistances, kmeansNd, kmeansPlusPlus, updateNd } from '../src/kmeans-nd.js';
import { resolveVqOptions, type VqOptionsInput } from '../src/options.js';
import { pqLayout } from '../src/quantize-pq.js';
import { pqScheme } from '../src/scheme.js';
import { quantInfo } from './helpers.js';

function run(w: Tensor, options: VqOptionsInput, info = quantInfo()): QuantizedTensor {
  return pqScheme.quantizeWeight!(w, resolveVqOptions({ method: 'pq', ...options }), info) as QuantizedTensor;
}

function codebook(q: QuantizedTensor): CodebookEncoding {
  if (q.encoding.kind !== 'codebook') throw new Error('not a codebook');
  return q.encoding;
}

function inertia(points: Float64Array, n: number, d: number, c: Float64Array, k: number): number {
  const labels = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  assignNd(points, n, d, c, k, labels, dist);
  return dist.reduce((a, b) => a + b, 0);
}

describe('product quantization', () => {
  it('cuts rows into sub-vectors with one codebook per sub-space', () => {
    const w = gaussian([24, 2, 2, 2], 1);
    const q = run(w, { pqDim: 2, pqCentroids: 4 });
    const e = codebook(q);
    expect(e).toMatchObject({ k: 4, groups: 4, subvectorLength: 2, grouping: 'subspace', layout: { rowLength: 8 } });
    expect(e.centroids.length).toBe(4 * 4 * 2);
    expect(q.codes).toMatchObject({ dtype: 'uint8', dims: [1, 24, 4] });
    checkEncoding(e, w.dims);
    // Round trip by hand: sub-vector t of row r is centroid codes[r, t] of codebook t.
    const codes = q.codes!.data as Uint8Array;
    const back = dequantize(q);
    for (let r = 0; r < 24; r++) {
      for (let t = 0; t < 4; t++) {
        const idx = codes[r * 4 + t]!;
        for (let u = 0; u < 2; u++) expect(back[r * 8 + t * 2 + u]).toBe(e.centroids[(t * 4 + idx) * 2 + u]);
      }
    }
  });

  it('gains SQNR with more centroids and with a residual stage', () => {
    const w = gaussian([64, 16], 2);
    const values = w.data as Float32Array;
    const byK = [2, 4, 16, 64].map((k) => sqnr(values, dequantize(run(w, { pqDim: 4, pqCentroids: k }))));
    for (let i = 1; i < byK.length; i++) expect(byK[i]!).toBeGreaterThan(byK[i - 1]!);
    const residual = run(w, { pqDim: 4, pqCentroids: 16, residual: true });
    expect(residual.codes?.dims).toEqual([2, 64, 4]);
    expect(codebook(residual).residual?.centroids.length).toBe(4 * 16 * 4);
    expect(sqnr(values, dequantize(residual))).toBeGreaterThan(byK[2]! + 1);
  });

  it('takes a transposed layout (sub-vectors across input channels of a Conv weight)', () => {
    const w = gaussian([6, 4, 3, 3], 3);
    const q = run(w, { pqDim: 4, pqCentroids: 4, perm: [0, 2, 3, 1] });
    expect(codebook(q)).toMatchObject({ groups: 9, layout: { perm: [0, 2, 3, 1], rowLength: 36 } });
    // Same numbers as quantizing the transposed tensor directly, scattered back.
    const moved = tensor('float32', [6, 3, 3, 4], permute(w.data as Float32Array, w.dims, [0, 2, 3, 1]));
    const direct = run(moved, { pqDim: 4, pqCentroids: 4 });
    expect(Array.from(codebook(q).centroids)).toEqual(Array.from(codebook(direct).centroids));
    expect(Array.from(dequantize(q))).toEqual(Array.from(permute(dequantize(direct), w.dims, [0, 2, 3, 1], true)));
  });

  it('pads a row length that sub-vectors do not divide with zeros, drops the padding on the way back', () => {
    expect(pqLayout([8, 3, 3, 3], 4)).toEqual({ rows: 8, rowLength: 27, pad: 1 });
    expect(pqLayout([16, 1, 3, 3], 4)).toEqual({ rows: 16, rowLength: 9, pad: 3 });
    expect(pqLayout([16, 1, 3, 3], 3)).toEqual({ rows: 16, rowLength: 9, pad: 0 });
    const w = gaussian([40, 1, 3, 3], 4);
    const q = run(w, { pqDim: 4, pqCentroids: 8 });
    const e = codebook(q);
    expect(e).toMatchObject({ groups: 3, subvectorLength: 4, layout: { rowLength: 9, pad: 3 } });
    expect(q.codes?.dims).toEqual([1, 40, 3]);
    checkEncoding(e, w.dims);
    // The last sub-space saw (w8, 0, 0, 0) in every point: its centroids are 0 in the padded coordinates.
    for (let c = 0; c < 8; c++) for (let u = 1; u < 4; u++) expect(e.centroids[(2 * 8 + c) * 4 + u]).toBe(0);
    // That sub-space is a scalar k-means of the 9th weights: with 8 centroids for 40 values it beats the others.
    const values = w.data as Float32Array;
    const back = dequantize(q);
    expect(back.length).toBe(360);
    const err = (from: number, to: number) => {
      let s = 0;
      for (let r = 0; r < 40; r++) for (let i = from; i < to; i++) s += (values[r * 9 + i]! - back[r * 9 + i]!) ** 2;
      return s / (40 * (to - from));
    };
    expect(err(8, 9)).toBeLessThan(err(0, 8));
    expect(sqnr(values, back)).toBeGreaterThan(5);
  });

  it('refuses a bad perm', () => {
    expect(() => run(gaussian([4, 8], 4), { pqDim: 4, perm: [0, 0] })).toThrow(expect.objectContaining({ code: 'QF_OPTIONS_INVALID' }));
  });

  it('prunes the nearest-centroid scan without changing a label or a distance (full scan as reference)', () => {
    const n = 600;
    const d = 3;
    const k = 40;
    const next = rng(12);
    // Clustered points plus exact duplicates of centroids, so ties and zero distances occur.
    const points = Float64Array.from({ length: n * d }, (_, i) => Math.round(next() * 6) + (i % 7 === 0 ? 0 : (next() - 0.5) * 0.3));
    const centroids = kmeansPlusPlus(points, n, d, k, 5);
    centroids.set(centroids.subarray(0, d), d * 7);
    const full = (labels: Int32Array, dist: Float64Array) => {
      for (let i = 0; i < n; i++) {
        let best = 0;
        let bd = Infinity;
        for (let c = 0; c < k; c++) {
          let s = 0;
          for (let u = 0; u < d; u++) s += (points[i * d + u]! - centroids[c * d + u]!) ** 2;
          if (s < bd) {
            bd = s;
            best = c;
          }
        }
        labels[i] = best;
        dist[i] = bd;
      }
    };
    const labels = new Int32Array(n).fill(-1);
    const dist = new Float64Array(n);
    const refLabels = new Int32Array(n);
    const refDist = new Float64Array(n);
    for (let it = 0; it < 4; it++) {
      assignNd(points, n, d, centroids, k, labels, dist);
      full(refLabels, refDist);
      expect(Array.from(labels)).toEqual(Array.from(refLabels));
      expect(Array.from(dist)).toEqual(Array.from(refDist));
      updateNd(points, n, d, centroids, k, labels, dist);
    }
    const cc = centroidDistances(centroids, k, d);
    expect(cc[2 * k + 5]).toBe(cc[5 * k + 2]);
    // The diagonal: distance to the nearest other centroid.
    for (const a of [0, 3, 7]) expect(cc[a * k + a]).toBe(Math.min(...Array.from({ length: k }, (_, c) => (c === a ? Infinity : cc[a * k + c]!))));
  });

  it('is deterministic in the seed', () => {
    const w = gaussian([32, 8], 5);
    const a = run(w, { pqDim: 4, pqCentroids: 8 }, quantInfo({ seed: 3 }));
    const b = run(w, { pqDim: 4, pqCentroids: 8 }, quantInfo({ seed: 3 }));
    const c = run(w, { pqDim: 4, pqCentroids: 8 }, quantInfo({ seed: 4 }));
    expect(Array.from(codebook(a).centroids)).toEqual(Array.from(codebook(b).centroids));
    expect(Array.from(a.codes!.data as Uint8Array)).toEqual(Array.from(b.codes!.data as Uint8Array));
    expect(Array.from(codebook(c).centroids)).not.toEqual(Array.from(codebook(a).centroids));
  });

  it('uses uint16 indices for more than 256 centroids', () => {
    const q = run(gaussian([600, 2], 6), { pqDim: 2, pqCentroids: 300, maxIterations: 2 });
    expect(q.codes?.dtype).toBe('uint16');
    expect(sqnr(gaussian([600, 2], 6).data, dequantize(q))).toBeGreaterThan(10);
  });
});

describe('d-dimensional k-means', () => {
  const next = rng(7);
  const n = 400;
  const d = 3;
  const points = Float64Array.from({ length: n * d }, () => next() * 2 - 1);

  it('never raises the inertia over Lloyd iterations and converges', () => {
    const c = kmeansPlusPlus(points, n, d, 8, 1);
    const labels = new Int32Array(n).fill(-1);
    const dist = new Float64Array(n);
    let last = inertia(points, n, d, c, 8);
    for (let it = 0; it < 10; it++) {
      assignNd(points, n, d, c, 8, labels, dist);
      updateNd(points, n, d, c, 8, labels, dist);
      const now = inertia(points, n, d, c, 8);
      expect(now).toBeLessThanOrEqual(last * (1 + 1e-12));
      last = now;
    }
    const r = kmeansNd(points, n, d, { k: 8, maxIterations: 500, seed: 1 });
    expect(r.converged).toBe(true);
    expect(inertia(points, n, d, r.centroids, 8)).toBeLessThan(inertia(points, n, d, kmeansPlusPlus(points, n, d, 8, 1), 8));
  });

  it('seeds k-means++ from the points, repeating when points run out', () => {
    const c = kmeansPlusPlus(points, n, d, 5, 2);
    for (let j = 0; j < 5; j++) {
      const hit = Array.from({ length: n }, (_, i) => i).some((i) => [0, 1, 2].every((u) => points[i * d + u] === c[j * d + u]));
      expect(hit).toBe(true);
    }
    const two = Float64Array.of(0, 0, 1, 1);
    expect(Array.from(kmeansPlusPlus(two, 2, 2, 4, 3)).slice(4)).toEqual(Array.from(kmeansPlusPlus(two, 2, 2, 4, 3)).slice(2, 4).concat(Array.from(kmeansPlusPlus(two, 2, 2, 4, 3)).slice(2, 4)));
  });

  it('fills an empty cluster with the farthest point', () => {
    const pts = Float64Array.of(0, 0, 0.1, 0, 5, 5);
    const c = Float64Array.of(0, 0, 100, 100, 0.05, 0);
    const labels = new Int32Array(3).fill(-1);
    const dist = new Float64Array(3);
    assignNd(pts, 3, 2, c, 3, labels, dist);
    expect(Array.from(labels)).toEqual([0, 2, 2]);
    updateNd(pts, 3, 2, c, 3, labels, dist);
    // Cluster 1 was empty: it takes (5, 5), the point farthest from its centroid; cluster 2 is the mean of its two.
    expect(Array.from(c.subarray(0, 4))).toEqual([0, 0, 5, 5]);
    expect(c[4]).toBeCloseTo(2.55, 12);
    expect(c[5]).toBe(2.5);
  });
});
