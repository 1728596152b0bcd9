import { describe, expect, it } from 'vitest';
import { affineEncoding, axisLayout, cosine, dequantize, normalizeAxis, paramCount, quantizeWith, reduceRanges, sqnr, tensorRange } from '../../src/quant/index.js';
import { stridesOf } from '../../src/ir/index.js';
import { normal } from './rng.js';

/** Brute force: visit every element by its coordinates. */
function bruteRanges(values: Float32Array, dims: number[], axis: number, block?: number) {
  const strides = stridesOf(dims);
  const outDims = dims.map((d, i) => (i === axis ? (block === undefined ? d : Math.ceil(d / block)) : d));
  const perChannel = block === undefined;
  const count = perChannel ? dims[axis]! : outDims.reduce((a, b) => a * b, 1);
  const min = new Array<number>(count).fill(Infinity);
  const max = new Array<number>(count).fill(-Infinity);
  const outStrides = stridesOf(outDims);
  for (let i = 0; i < values.length; i++) {
    const coords = dims.map((_, k) => Math.floor(i / strides[k]!) % dims[k]!);
    const p = perChannel ? coords[axis]! : coords.reduce((acc, c, k) => acc + (k === axis ? Math.floor(c / block!) : c) * outStrides[k]!, 0);
    min[p] = Math.min(min[p]!, values[i]!);
    max[p] = Math.max(max[p]!, values[i]!);
  }
  return { min, max };
}

describe('range reduction', () => {
  const dims = [3, 4, 5, 6];
  const values = normal(3 * 4 * 5 * 6, 7);
  for (let axis = 0; axis < 4; axis++) {
    it(`per-channel along axis ${axis} matches brute force`, () => {
      const r = reduceRanges(values, dims, axis);
      const b = bruteRanges(values, dims, axis);
      expect(Array.from(r.min)).toEqual(b.min.map(Math.fround));
      expect(Array.from(r.max)).toEqual(b.max.map(Math.fround));
    });
    it(`per-group along axis ${axis} (block 4, ragged) matches brute force`, () => {
      const r = reduceRanges(values, dims, axis, 4);
      const b = bruteRanges(values, dims, axis, 4);
      expect(r.min.length).toBe(paramCount(dims, axis, 4));
      expect(Array.from(r.min)).toEqual(b.min.map(Math.fround));
      expect(Array.from(r.max)).toEqual(b.max.map(Math.fround));
    });
  }
  it('accepts negative axes and rejects bad ones', () => {
    expect(normalizeAxis(-1, 4)).toBe(3);
    expect(axisLayout([2, 3, 4], -2)).toEqual({ axis: 1, outer: 2, size: 3, inner: 4 });
    expect(() => normalizeAxis(4, 4)).toThrow(/out of range/);
    expect(() => reduceRanges(values, [3, 4], 0)).toThrow(/do not match/);
  });
  it('tensorRange ignores NaN', () => {
    expect(tensorRange(new Float32Array([Number.NaN, 2, -3]))).toEqual({ min: -3, max: 2 });
    expect(tensorRange(new Float32Array([Number.NaN]))).toEqual({ min: 0, max: 0 });
  });
  it('per-channel and per-group encodings quantize each slice with its own scale', () => {
    const w = new Float32Array([1, -2, 0.5, 100, -50, 25]); // [2, 3]: rows of very different size
    const perTensor = affineEncoding(tensorRange(w), { bits: 8, signed: true, symmetric: true, narrowRange: true });
    const perRow = affineEncoding(reduceRanges(w, [2, 3], 0), { bits: 8, signed: true, symmetric: true, narrowRange: true }, { axis: 0 });
    const perGroup = affineEncoding(reduceRanges(w, [2, 3], 1, 2), { bits: 8, signed: true, symmetric: true, narrowRange: true }, { axis: 1, blockSize: 2 });
    expect(perGroup.scale.length).toBe(4);
    const s1 = sqnr(w, dequantize(quantizeWith(perTensor, w, [2, 3])));
    const s2 = sqnr(w, dequantize(quantizeWith(perRow, w, [2, 3])));
    expect(s2).toBeGreaterThan(s1);
    const g = quantizeWith(perGroup, w, [2, 3]);
    // Each group's largest magnitude maps to ±127.
    expect(Array.from(g.codes!.data as Int8Array)).toEqual([64, -127, 127, 127, -64, 127]);
  });
});

describe('metrics', () => {
  it('sqnr and cosine', () => {
    const a = new Float32Array([1, 2, 3]);
    expect(sqnr(a, a)).toBe(Infinity);
    expect(sqnr(a, new Float32Array([1, 2, 2]))).toBeCloseTo(10 * Math.log10(14), 10);
    expect(sqnr(new Float32Array(2), new Float32Array([1, 0]))).toBe(-Infinity);
    expect(cosine(new Float32Array([1, 0]), new Float32Array([1, 1]))).toBeCloseTo(Math.SQRT1_2, 12);
    expect(cosine(new Float32Array(2), new Float32Array(2))).toBe(1);
    expect(cosine(new Float32Array(2), new Float32Array([0, 1]))).toBe(0);
    expect(() => cosine(a, new Float32Array(2))).toThrow(/equal length/);
  });
});
