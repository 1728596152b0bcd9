import { describe, expect, it } from 'vitest';
import { affineEncoding, isQuantforgeError, type AffineEncoding, type Encoding, type QuantizedTensor } from '@quantforge/core';
import { f32, quantInfo } from '@quantforge/testing';
import { uniformScheme } from '../src/scheme.js';

const input: AffineEncoding = affineEncoding({ min: -64, max: 63.5 }, { bits: 8, signed: false, symmetric: false }); // scale 0.5
const perChannel: AffineEncoding = {
  kind: 'affine', bits: 8, signed: true, narrowRange: true, symmetric: true, powerOfTwo: true,
  scale: Float32Array.of(0.25, 0.125), zeroPoint: new Int32Array(2), axis: 0, storage: 'int8',
};

function quantizeBias(values: number[], dependencies: Record<string, Encoding>): QuantizedTensor {
  const info = quantInfo({ name: 'conv.bias', role: 'bias', consumers: [{ node: 'conv', opType: 'Conv', input: 2 }], bits: 32, granularity: 'per-tensor', axis: undefined, dependencies });
  return uniformScheme.quantizeWeight!(f32([values.length], values), {}, info) as QuantizedTensor;
}

function failure(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isQuantforgeError(e)) return e as unknown as { code: string; message: string };
    throw e;
  }
  throw new Error('expected a QuantforgeError');
}

describe('bias quantization', () => {
  it('uses int32 codes with scale s_in · s_w per channel and zero point 0', () => {
    expect(input.scale[0]).toBe(0.5);
    const q = quantizeBias([1, -0.3], { input, weight: perChannel });
    const e = q.encoding as AffineEncoding;
    expect(e).toMatchObject({ bits: 32, signed: true, storage: 'int32', axis: 0, powerOfTwo: false });
    expect(Array.from(e.scale)).toEqual([0.125, 0.0625]);
    expect(Array.from(e.zeroPoint)).toEqual([0, 0]);
    expect(q.codes!.dtype).toBe('int32');
    // 1 / 0.125 = 8; −0.3 / 0.0625 = −4.8 → −5.
    expect(Array.from(q.codes!.data as Int32Array)).toEqual([8, -5]);
  });

  it('has one scale for a per-tensor weight', () => {
    const weight = affineEncoding({ min: -1, max: 1 }, { bits: 8, signed: true, symmetric: true, narrowRange: true });
    const q = quantizeBias([0.2, 0.4, -0.6], { input, weight });
    const e = q.encoding as AffineEncoding;
    expect(e.axis).toBeUndefined();
    expect(Array.from(e.scale)).toEqual([Math.fround(0.5 * Math.fround(1 / 127))]);
  });

  it('saturates at the int32 limits', () => {
    const tiny: AffineEncoding = { ...perChannel, scale: Float32Array.of(2 ** -40, 2 ** -40) };
    const q = quantizeBias([1e6, -1e6], { input, weight: tiny });
    expect(Array.from(q.codes!.data as Int32Array)).toEqual([2147483647, -2147483648]);
  });

  it('falls back to the finest weight scale per tensor when the weight has no scale per bias element', () => {
    const grouped: AffineEncoding = { ...perChannel, scale: Float32Array.of(0.25, 0.125, 0.5, 0.0625), zeroPoint: new Int32Array(4), axis: 1, blockSize: 4 };
    const g = quantizeBias([1, -0.3], { input, weight: grouped });
    expect((g.encoding as AffineEncoding).axis).toBeUndefined();
    expect(Array.from((g.encoding as AffineEncoding).scale)).toEqual([0.03125]);
    // 1 / 0.03125 = 32; −0.3 / 0.03125 = −9.6 → −10.
    expect(Array.from(g.codes!.data as Int32Array)).toEqual([32, -10]);
    const otherAxis = quantizeBias([1, 2, 3], { input, weight: perChannel });
    expect(Array.from((otherAxis.encoding as AffineEncoding).scale)).toEqual([0.0625]);
  });

  it('refuses what has no int32 bias scale', () => {
    expect(failure(() => quantizeBias([1, 2], { weight: perChannel })).code).toBe('QF_QUANTIZE');
    expect(failure(() => quantizeBias([1, 2], { input })).message).toContain('weight');
    const perChannelInput: AffineEncoding = { ...perChannel };
    expect(failure(() => quantizeBias([1, 2], { input: perChannelInput, weight: perChannel })).message).toContain('per-tensor input');
    const log: Encoding = { kind: 'log', bits: 4, signed: true, step: 1, fsr: 0, minExponent: -7, zeroCode: true };
    expect(failure(() => quantizeBias([1, 2], { input: log, weight: perChannel })).message).toContain('affine');
  });
});
