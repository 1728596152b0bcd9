import { describe, expect, it } from 'vitest';
import {
  affineEncoding, affineStorage, ceilPowerOfTwo, computeAffineParams, computeAffineParamsPerChannel, dequantize, MIN_SCALE, quantizeWith,
  quantRange, roundHalfAway, roundHalfEven,
} from '../../src/quant/index.js';
import { QuantforgeError } from '../../src/errors/index.js';

describe('rounding', () => {
  it('rounds half to even and half away from zero', () => {
    const vs = [2.5, -2.5, 0.5, -0.5, 1.5, -1.5, 0.49999999999999994, -0.49999999999999994, 3.7, -3.7, 1e17 + 2];
    expect(vs.map(roundHalfEven)).toEqual([2, -2, 0, -0, 2, -2, 0, -0, 4, -4, 1e17 + 2]);
    expect(vs.map(roundHalfAway)).toEqual([3, -3, 1, -1, 2, -2, 0, -0, 4, -4, 1e17 + 2]);
  });
});

describe('affine parameters', () => {
  const s8 = { bits: 8, signed: true, symmetric: true, narrowRange: true };
  it('int8 symmetric narrow [-1, 1] → scale 1/127, zp 0', () => {
    expect(computeAffineParams({ min: -1, max: 1 }, s8)).toEqual({ scale: Math.fround(1 / 127), zeroPoint: 0 });
  });
  it('uint8 asymmetric [0, 6] → scale 6/255, zp 0', () => {
    expect(computeAffineParams({ min: 0, max: 6 }, { bits: 8, signed: false, symmetric: false })).toEqual({ scale: Math.fround(6 / 255), zeroPoint: 0 });
  });
  it('uint8 asymmetric [-1, 3] → scale 4/255, zp 64', () => {
    expect(computeAffineParams({ min: -1, max: 3 }, { bits: 8, signed: false, symmetric: false })).toEqual({ scale: Math.fround(4 / 255), zeroPoint: 64 });
  });
  it('widens ranges to contain 0 and keeps 0 exact', () => {
    const p = computeAffineParams({ min: 2, max: 5 }, { bits: 8, signed: false, symmetric: false });
    expect(p).toEqual({ scale: Math.fround(5 / 255), zeroPoint: 0 });
    const q = computeAffineParams({ min: -7, max: -3 }, { bits: 8, signed: true, symmetric: false });
    expect(q.zeroPoint).toBe(127);
    for (const f of [{ bits: 4, signed: true, symmetric: false }, { bits: 8, signed: false, symmetric: false }, { bits: 16, signed: true, symmetric: false }]) {
      const { scale, zeroPoint } = computeAffineParams({ min: -0.37, max: 1.91 }, f);
      const e = affineEncoding({ min: -0.37, max: 1.91 }, f);
      expect(e.scale[0]).toBe(scale);
      expect(dequantize(quantizeWith(e, new Float32Array([0]), [1]))[0]).toBe(0);
      expect(Number.isInteger(zeroPoint)).toBe(true);
    }
  });
  it('unsigned symmetric uses the mid code', () => {
    expect(computeAffineParams({ min: -2, max: 1 }, { bits: 8, signed: false, symmetric: true })).toEqual({ scale: Math.fround(2 / 127), zeroPoint: 128 });
  });
  it('signed non-narrow symmetric keeps +amax exact', () => {
    expect(computeAffineParams({ min: -0.5, max: 2 }, { bits: 8, signed: true, symmetric: true })).toEqual({ scale: Math.fround(2 / 127), zeroPoint: 0 });
  });
  it('handles degenerate ranges', () => {
    expect(computeAffineParams({ min: 0, max: 0 }, s8)).toEqual({ scale: 1, zeroPoint: 0 });
    expect(computeAffineParams({ min: 0, max: 0 }, { bits: 8, signed: false, symmetric: false })).toEqual({ scale: 1, zeroPoint: 0 });
    expect(computeAffineParams({ min: 0, max: 0 }, { bits: 8, signed: false, symmetric: true })).toEqual({ scale: 1, zeroPoint: 128 });
    expect(computeAffineParams({ min: -1e-44, max: 1e-44 }, s8).scale).toBe(MIN_SCALE);
  });
  it('rounds scales up to powers of two on request', () => {
    const p = computeAffineParams({ min: -1, max: 1 }, { ...s8, powerOfTwo: true });
    expect(p.scale).toBe(2 ** -6);
    expect(ceilPowerOfTwo(0.25)).toBe(0.25);
    expect(ceilPowerOfTwo(0.2500001)).toBe(0.5);
    const a = computeAffineParams({ min: -1, max: 3 }, { bits: 8, signed: false, symmetric: false, powerOfTwo: true });
    // 4/255 > 2^-6, so the scale rounds up to 2^-5 and the zero point follows from it
    expect(a).toEqual({ scale: 2 ** -5, zeroPoint: 32 });
  });
  it('rejects bad formats and ranges with coded errors', () => {
    const codeOf = (f: () => unknown) => { try { f(); } catch (e) { return (e as QuantforgeError).code; } return undefined; };
    expect(codeOf(() => computeAffineParams({ min: 0, max: 1 }, { bits: 1, signed: true, symmetric: true }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => computeAffineParams({ min: 0, max: 1 }, { bits: 32, signed: false, symmetric: true }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => computeAffineParams({ min: Number.NaN, max: 1 }, s8))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => computeAffineParams({ min: 2, max: 1 }, s8))).toBe('QF_INVALID_ARGUMENT');
  });
  it('knows integer ranges and storage types', () => {
    expect(quantRange(8, true)).toEqual([-128, 127]);
    expect(quantRange(8, true, true)).toEqual([-127, 127]);
    expect(quantRange(8, false, true)).toEqual([1, 255]);
    expect(quantRange(3, true)).toEqual([-4, 3]);
    expect(quantRange(32, true)).toEqual([-2147483648, 2147483647]);
    expect([affineStorage(2, true), affineStorage(4, false), affineStorage(7, true), affineStorage(8, false), affineStorage(12, true), affineStorage(16, false), affineStorage(32, true)])
      .toEqual(['int4', 'uint4', 'int8', 'uint8', 'int16', 'uint16', 'int32']);
  });
  it('computes per-channel parameters', () => {
    const { scale, zeroPoint } = computeAffineParamsPerChannel([-1, 0, -2], [1, 6, 2], { bits: 8, signed: false, symmetric: false });
    expect(Array.from(scale)).toEqual([2 / 255, 6 / 255, 4 / 255].map(Math.fround));
    // fround(2/255) is slightly above 2/255, so -1/scale = -127.4999… rounds to -127
    expect(Array.from(zeroPoint)).toEqual([127, 0, 127]);
  });
});

describe('affine quantization (ONNX QuantizeLinear)', () => {
  it('rounds x / scale half to even and saturates', () => {
    const e = affineEncoding({ min: -1, max: 1 }, { bits: 8, signed: true, symmetric: true });
    e.scale[0] = 0.5;
    const q = quantizeWith(e, new Float32Array([0.25, 0.75, -0.25, -0.75, 1.25, 100, -100, Infinity, -Infinity, Number.NaN]), [10]);
    expect(q.codes?.dtype).toBe('int8');
    expect(Array.from(q.codes!.data as Int8Array)).toEqual([0, 2, 0, -2, 2, 127, -128, 127, -128, 0]);
  });
  it('applies the zero point before saturating (uint8)', () => {
    const e = affineEncoding({ min: -1, max: 3 }, { bits: 8, signed: false, symmetric: false });
    const q = quantizeWith(e, new Float32Array([-1, 0, 3, -2, 10]), [5]);
    expect(Array.from(q.codes!.data as Uint8Array)).toEqual([0, 64, 255, 0, 255]);
    expect(Array.from(dequantize(q))).toEqual([(0 - 64), 0, 191, -64, 191].map((c) => Math.fround(c * Math.fround(4 / 255))));
  });
  it('matches the TensorRT worked example', () => {
    const e = affineEncoding({ min: -1, max: 1 }, { bits: 8, signed: true, symmetric: true });
    const x = new Float32Array([0.56, 0.89, 1.4, -0.56, 0.39, 6.0, 0.67, 0.11, -3.6]);
    const q = quantizeWith(e, x, [9]);
    expect(Array.from(q.codes!.data as Int8Array)).toEqual([71, 113, 127, -71, 50, 127, 85, 14, -128]);
    const d = dequantize(q);
    [0.559055, 0.889764, 1.0, -0.559055, 0.393701, 1.0, 0.669291, 0.110236, -1.007874].forEach((v, i) => expect(d[i]).toBeCloseTo(v, 6));
  });
  it('respects narrow range and sub-byte widths', () => {
    const e = affineEncoding({ min: -1, max: 1 }, { bits: 4, signed: true, symmetric: true, narrowRange: true });
    expect(e.storage).toBe('int4');
    expect(e.scale[0]).toBe(Math.fround(1 / 7));
    const q = quantizeWith(e, new Float32Array([-5, 5, 0.5]), [3]);
    // 0.5 / fround(1/7) = 3.4999998: no tie
    expect(Array.from(q.codes!.data as Int8Array)).toEqual([-7, 7, 3]);
    e.scale[0] = 0.25;
    const t = quantizeWith(e, new Float32Array([0.375, 0.625, -0.375, -0.625]), [4]);
    expect(Array.from(t.codes!.data as Int8Array)).toEqual([2, 2, -2, -2]);
  });
  it('quantizes int32 biases', () => {
    const e = affineEncoding({ min: -1, max: 1 }, { bits: 32, signed: true, symmetric: true });
    e.scale[0] = 0.001;
    const q = quantizeWith(e, new Float32Array([1.5, -0.0025, 1e12]), [3]);
    expect(q.codes?.dtype).toBe('int32');
    expect(Array.from(q.codes!.data as Int32Array)).toEqual([1500, -2, 2147483647]);
  });
});

describe('bias encoding', () => {
  it('multiplies input and per-channel weight scales in float32', async () => {
    const { biasEncoding } = await import('../../src/quant/index.js');
    const input = affineEncoding({ min: -1, max: 3 }, { bits: 8, signed: false, symmetric: false });
    const weight = affineEncoding({ min: new Float32Array([-1, -0.5]), max: new Float32Array([1, 0.5]) }, { bits: 8, signed: true, symmetric: true, narrowRange: true }, { axis: 0 });
    const b = biasEncoding(input, weight);
    expect(b).toMatchObject({ bits: 32, storage: 'int32', axis: 0, symmetric: true });
    expect(Array.from(b.scale)).toEqual([Math.fround(input.scale[0]! * weight.scale[0]!), Math.fround(input.scale[0]! * weight.scale[1]!)]);
    const q = quantizeWith(b, new Float32Array([0.01, -0.01]), [2]);
    expect(Math.abs(dequantize(q)[0]! - 0.01)).toBeLessThanOrEqual(b.scale[0]! / 2);
    expect(() => biasEncoding(weight, weight)).toThrow(/per-tensor input/);
  });
});
