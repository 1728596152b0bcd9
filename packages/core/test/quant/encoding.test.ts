import { describe, expect, it } from 'vitest';
import {
  affineEncoding, checkEncoding, dequantize, deserializeEncoding, deserializeQuantizedTensor, encodingSummary, permute, quantizeWith,
  serializeEncoding, serializeQuantizedTensor, type CodebookEncoding, type Encoding, type LogEncoding, type TernaryEncoding,
} from '../../src/quant/index.js';
import { tensor } from '../../src/ir/index.js';
import { QuantforgeError } from '../../src/errors/index.js';
import { normal } from './rng.js';

const codeOf = (f: () => unknown): string | undefined => {
  try { f(); } catch (e) { return (e as QuantforgeError).code; }
  return undefined;
};

describe('log encoding', () => {
  const e: LogEncoding = { kind: 'log', bits: 3, signed: false, step: 1, fsr: 0, minExponent: -7, zeroCode: true };
  it('rounds in the log domain, clips to the top level and flushes to zero', () => {
    const x = new Float32Array([0, 0.5, 0.25, 1, 8, 2 ** -7, 2 ** -8, 2 ** -7.4, 2 ** -7.6, 0.3535, 0.3537, 0.7]);
    const q = quantizeWith(e, x, [x.length]);
    expect(Array.from(q.codes!.data as Int8Array)).toEqual([0, 7, 6, 7, 7, 1, 0, 1, 0, 6, 7, 7]);
    const d = dequantize(q);
    expect(Array.from(d)).toEqual([0, 0.5, 0.25, 0.5, 0.5, 2 ** -7, 0, 2 ** -7, 0, 0.25, 0.5, 0.5]);
  });
  it('is signed with a sign bit, base √2, and per-channel fsr', () => {
    const s: LogEncoding = { kind: 'log', bits: 4, signed: true, step: 0.5, fsr: 1, minExponent: -2.5, zeroCode: true, channelFsr: new Float32Array([1, 3]), axis: 0 };
    const x = new Float32Array([-1, Math.SQRT2, 0.001, 4, -2, 100]);
    const q = quantizeWith(s, x, [2, 3]);
    // Channel 0 levels 2^-2.5 … 2^0.5 (7 levels); channel 1 is shifted up by 2 octaves.
    expect(Array.from(q.codes!.data as Int8Array)).toEqual([-6, 7, 0, 6, -4, 7]);
    const d = dequantize(q);
    expect(Array.from(d)).toEqual([-1, Math.fround(Math.SQRT2), 0, 4, -2, Math.fround(2 ** 2.5)]);
  });
  it('unsigned codes send negative values to zero', () => {
    const q = quantizeWith(e, new Float32Array([-0.5, -1e-9, 0.5]), [3]);
    expect(Array.from(dequantize(q))).toEqual([0, 0, 0.5]);
  });
  it('without a zero code maps underflow to the smallest level', () => {
    const nz: LogEncoding = { kind: 'log', bits: 2, signed: false, step: 1, fsr: 0, minExponent: -4, zeroCode: false };
    const q = quantizeWith(nz, new Float32Array([0, 1e-9, 0.5]), [3]);
    expect(Array.from(dequantize(q))).toEqual([2 ** -4, 2 ** -4, 0.5]);
  });
  it('rejects ladders that do not fit the bits', () => {
    expect(codeOf(() => checkEncoding({ ...e, minExponent: -8 }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => checkEncoding({ ...e, minExponent: -6.5 }))).toBe('QF_INVALID_ARGUMENT');
  });
});

describe('ternary encoding', () => {
  it('thresholds, scales per channel and supports two-sided scales', () => {
    const e: TernaryEncoding = { kind: 'ternary', scale: new Float32Array([1, 2]), negativeScale: new Float32Array([0.5, 4]), axis: 1 };
    const x = new Float32Array([0.6, -0.3, 0.2, -2.1, -0.2, 0.9]);
    const q = quantizeWith(e, x, [3, 2]);
    // Positive threshold scale/2, negative threshold negativeScale/2.
    expect(Array.from(q.codes!.data as Int8Array)).toEqual([1, 0, 0, -1, 0, 0]);
    expect(Array.from(dequantize(q))).toEqual([1, 0, 0, -4, 0, 0]);
    const t = quantizeWith({ kind: 'ternary', scale: new Float32Array([1]), threshold: new Float32Array([0.1]) }, new Float32Array([0.2, -0.2, 0.05]), [3]);
    expect(Array.from(t.codes!.data as Int8Array)).toEqual([1, -1, 0]);
  });
});

describe('codebook encoding', () => {
  it('scalar k-means: nearest centroid, first on ties', () => {
    const e: CodebookEncoding = { kind: 'codebook', centroids: new Float32Array([-1, 0, 1]), k: 3, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 4 } };
    const q = quantizeWith(e, new Float32Array([-0.9, 0.5, 0.51, 7, 0.2, -0.5, -3, 0]), [2, 4]);
    expect(q.codes!.dims).toEqual([1, 2, 4]);
    expect(q.codes!.dtype).toBe('uint8');
    expect(Array.from(q.codes!.data as Uint8Array)).toEqual([0, 1, 2, 2, 1, 0, 0, 1]);
    expect(Array.from(dequantize(q))).toEqual([-1, 0, 1, 1, 0, -1, -1, 0]);
  });
  it('product quantization with per-subspace codebooks and a residual stage', () => {
    // rows of 4 = two sub-vectors of 2; codebook g serves sub-vector g
    const centroids = new Float32Array([0, 0, 1, 1, /* g1 */ 5, 5, -5, -5]);
    const residual = { centroids: new Float32Array([0, 0, 0.25, -0.25, /* g1 */ 0, 0, 0.5, 0.5]), k: 2 };
    const e: CodebookEncoding = { kind: 'codebook', centroids, k: 2, groups: 2, subvectorLength: 2, grouping: 'subspace', layout: { rowLength: 4 }, residual };
    const x = new Float32Array([1.2, 0.8, -4.6, -4.4, 0.1, -0.1, 5, 5]);
    const q = quantizeWith(e, x, [2, 4]);
    expect(q.codes!.dims).toEqual([2, 2, 2]);
    expect(Array.from(q.codes!.data as Uint8Array)).toEqual([1, 1, 0, 0, /* residual */ 1, 1, 0, 0]);
    expect(Array.from(dequantize(q))).toEqual([1.25, 0.75, -4.5, -4.5, 0, 0, 5, 5]);
  });
  it('per-channel codebooks through a transposed layout', () => {
    // weight [2, 3] quantized per column: perm [1, 0] makes the 3 columns rows of length 2
    const e: CodebookEncoding = {
      kind: 'codebook', centroids: new Float32Array([0, 1, 10, 20, -1, -2]), k: 2, groups: 3, subvectorLength: 1,
      grouping: 'channel', axis: 1, layout: { perm: [1, 0], rowLength: 2 },
    };
    const x = new Float32Array([0.9, 12, -1.9, 0.1, 19, -1.2]);
    const q = quantizeWith(e, x, [2, 3]);
    expect(Array.from(dequantize(q))).toEqual([1, 10, -2, 0, 20, -1]);
    expect(summaryOf(e).granularity).toBe('per-channel');
  });
  it('rejects inconsistent codebooks', () => {
    const e: CodebookEncoding = { kind: 'codebook', centroids: new Float32Array(6), k: 3, groups: 1, subvectorLength: 2, grouping: 'tensor', layout: { rowLength: 3 } };
    expect(codeOf(() => checkEncoding(e))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => checkEncoding({ ...e, layout: { rowLength: 4 }, centroids: new Float32Array(5) }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => checkEncoding({ ...e, layout: { rowLength: 4 } }, [3, 3]))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => checkEncoding({ ...e, layout: { rowLength: 4, perm: [0, 0] } }, [2, 4]))).toBe('QF_INVALID_ARGUMENT');
  });
});

function summaryOf(e: Encoding) {
  return JSON.parse(JSON.stringify(encodingSummary(e))) as ReturnType<typeof encodingSummary>;
}

describe('permute', () => {
  it('transposes and inverts', () => {
    const x = Float32Array.from({ length: 24 }, (_, i) => i);
    const p = permute(x, [2, 3, 4], [2, 0, 1]);
    expect(p[1]).toBe(4); // element [0, 1, 0] comes second in [4, 2, 3] order
    expect(Array.from(permute(p, [2, 3, 4], [2, 0, 1], true))).toEqual(Array.from(x));
  });
});

describe('dequantize errors', () => {
  it('needs codes of the right size and range', () => {
    const e = affineEncoding({ min: -1, max: 1 }, { bits: 8, signed: true, symmetric: true });
    expect(codeOf(() => dequantize({ encoding: e, dims: [2] }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => dequantize({ encoding: e, dims: [2], codes: tensor('int8', [1], new Int8Array(1)) }))).toBe('QF_INVALID_ARGUMENT');
    const t: TernaryEncoding = { kind: 'ternary', scale: new Float32Array([1]) };
    expect(codeOf(() => dequantize({ encoding: t, dims: [1], codes: tensor('int8', [1], Int8Array.of(2)) }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => checkEncoding({ kind: 'nope' } as unknown as Encoding))).toBe('QF_ENCODING_UNSUPPORTED');
    expect(codeOf(() => checkEncoding({ ...e, storage: 'int4' }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => checkEncoding(e, [2, 2]))).toBeUndefined();
    expect(codeOf(() => checkEncoding({ ...e, axis: 0 }, [2, 2]))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => checkEncoding({ ...e, zeroPoint: Int32Array.of(3) }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => checkEncoding({ ...e, powerOfTwo: true }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => checkEncoding({ ...e, powerOfTwo: true, scale: Float32Array.of(0.125) }))).toBeUndefined();
    expect(codeOf(() => checkEncoding({ ...e, scale: Float32Array.of(0) }))).toBe('QF_INVALID_ARGUMENT');
  });
});

describe('serialization', () => {
  const w = normal(48, 3);
  const encodings: Encoding[] = [
    affineEncoding({ min: -1.3, max: 2.7 }, { bits: 8, signed: false, symmetric: false }),
    { ...affineEncoding({ min: new Float32Array([-1, -2, -3, -4]), max: new Float32Array([1, 2, 3, 4]) }, { bits: 4, signed: true, symmetric: true }, { axis: 0, blockSize: 3 }) },
    { kind: 'log', bits: 4, signed: true, step: 0.5, fsr: 1, minExponent: -2.5, zeroCode: true, channelFsr: new Float32Array([1, 0.5, 2, 1]), axis: 1 },
    { kind: 'codebook', centroids: Float32Array.from(normal(16, 9)), k: 4, groups: 2, subvectorLength: 2, grouping: 'subspace', layout: { rowLength: 4 }, residual: { centroids: new Float32Array(16), k: 4 } },
    { kind: 'ternary', scale: new Float32Array([0.3, 0.7, 0.1, 0.2]), threshold: new Float32Array([0.1, 0.2, 0.05, 0.1]), axis: 1 },
  ];
  encodings[1] = { ...encodings[1]!, scale: new Float32Array(16).fill(0.25), zeroPoint: new Int32Array(16) } as Encoding;
  const dims = [12, 4];
  it.each(encodings.map((e) => [e.kind, e] as const))('%s round-trips through JSON text, codes included', (_kind, e) => {
    const back = deserializeEncoding(JSON.parse(JSON.stringify(serializeEncoding(e))));
    expect(back).toEqual(e);
    const q = quantizeWith(e, w, dims);
    const q2 = deserializeQuantizedTensor(JSON.parse(JSON.stringify(serializeQuantizedTensor(q))));
    expect(q2).toEqual(q);
    expect(dequantize(q2)).toEqual(dequantize(q));
    const s = summaryOf(e);
    expect(s.kind).toBe(e.kind);
  });
  it('lists every problem of malformed JSON', () => {
    try {
      deserializeEncoding({ kind: 'affine', bits: 'eight', scale: [1], zeroPoint: [0.5] });
      expect.unreachable();
    } catch (err) {
      const e = err as QuantforgeError;
      expect(e.code).toBe('QF_INVALID_ARGUMENT');
      const paths = (e.details.problems as { path: string }[]).map((p) => p.path);
      expect(paths).toContain('/bits');
      expect(paths).toContain('/zeroPoint/0');
    }
  });
  it('rejects malformed quantized tensors', () => {
    expect(codeOf(() => deserializeQuantizedTensor({ encoding: serializeEncoding(encodings[0]!), dims: [2], codes: { dtype: 'float32', dims: [2], data: [1, 2] } }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => deserializeQuantizedTensor({ encoding: serializeEncoding(encodings[0]!), dims: [2], codes: { dtype: 'uint8', dims: [3], data: [1, 2] } }))).toBe('QF_TENSOR_INVALID');
  });
  it('summarizes for reports', () => {
    expect(summaryOf(encodings[1]!)).toMatchObject({ kind: 'affine', bitsPerElement: 4, granularity: 'per-group', axis: 0, parameterSets: 16 });
    expect(summaryOf(encodings[2]!)).toMatchObject({ kind: 'log', granularity: 'per-channel', detail: { levels: 7, base: Math.SQRT2 } });
    expect(summaryOf(encodings[3]!)).toMatchObject({ kind: 'codebook', bitsPerElement: 2, parameterSets: 2 });
  });
});

describe('wide log ladders', () => {
  it('store level numbers beyond 127 in int16', () => {
    const e: LogEncoding = { kind: 'log', bits: 8, signed: false, step: 0.25, fsr: 0, minExponent: -64, zeroCode: false };
    const q = quantizeWith(e, new Float32Array([0.5, 1e-30]), [2]);
    expect(q.codes!.dtype).toBe('int16');
    expect(Array.from(q.codes!.data as Int16Array)).toEqual([253, 1]);
    expect(Array.from(dequantize(q))).toEqual([0.5, 2 ** -64]);
  });
});
