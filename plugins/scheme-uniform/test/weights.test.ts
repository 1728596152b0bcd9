import { describe, expect, it } from 'vitest';
import { dequantize, isQuantforgeError, sqnr, tensor, type AffineEncoding, type QuantizedTensor } from '@quantforge/core';
import { f32, gaussian, quantInfo } from '@quantforge/testing';
import { resolveUniformOptions, type UniformOptions } from '../src/options.js';
import { uniformScheme } from '../src/scheme.js';
import { defaultBlockAxis, defaultChannelAxis } from '../src/weights.js';
import type { Tensor, TensorQuantInfo } from '@quantforge/core';

function quantize(t: Tensor, options: UniformOptions, info: Partial<TensorQuantInfo> = {}): QuantizedTensor {
  return uniformScheme.quantizeWeight!(t, resolveUniformOptions(options), quantInfo(info)) as QuantizedTensor;
}

function affine(q: QuantizedTensor): AffineEncoding {
  if (q.encoding.kind !== 'affine') throw new Error('expected an affine encoding');
  return q.encoding;
}

function codes(q: QuantizedTensor): number[] {
  return Array.from(q.codes!.data as ArrayLike<number>);
}

/** Independent reference: max |x| over the elements whose index along `axis` is c, for dims [2, 3, 4]. */
function channelAmax(x: Float32Array, dims: number[], axis: number): number[] {
  const out = new Array<number>(dims[axis]!).fill(0);
  for (let i = 0; i < dims[0]!; i++) {
    for (let j = 0; j < dims[1]!; j++) {
      for (let k = 0; k < dims[2]!; k++) {
        const idx = [i, j, k][axis]!;
        out[idx] = Math.max(out[idx]!, Math.abs(x[(i * dims[1]! + j) * dims[2]! + k]!));
      }
    }
  }
  return out;
}

describe('weight quantization math', () => {
  it('rounds ties half to even', () => {
    // amax 127 makes the scale exactly 1, so x / scale is the value itself.
    const q = quantize(f32([8], [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 127]), { weights: { granularity: 'per-tensor' } });
    expect(affine(q).scale[0]).toBe(1);
    expect(codes(q)).toEqual([0, 2, 2, 4, 0, -2, -2, 127]);
  });

  it('saturates values beyond a clipped range at the code limits', () => {
    const values = Array.from({ length: 200 }, (_, i) => (i - 100) / 100);
    values.push(50, -50);
    const q = quantize(f32([values.length], values), { weights: { granularity: 'per-tensor', clipping: 'percentile', percentile: 99 } });
    const c = codes(q);
    expect(c.at(-2)).toBe(127);
    expect(c.at(-1)).toBe(-127);
    expect(Math.max(...c)).toBe(127);
    expect(Math.min(...c)).toBe(-127);
    expect(affine(q).scale[0]!).toBeLessThan(50 / 127);
  });

  it('keeps the exact range of a mostly-zero weight that a percentile would clip to nothing', () => {
    const values = new Array<number>(1000).fill(0);
    values[3] = 0.5;
    const q = quantize(f32([values.length], values), { weights: { granularity: 'per-tensor', clipping: 'percentile', percentile: 99 } });
    expect(affine(q).scale[0]).toBe(Math.fround(0.5 / 127));
    expect(codes(q)[3]).toBe(127);
  });

  it('drops the lowest code with narrow range', () => {
    const x = f32([3], [-1, 0, 1]);
    const narrow = quantize(x, { weights: { granularity: 'per-tensor', symmetric: false, narrowRange: true } });
    const full = quantize(x, { weights: { granularity: 'per-tensor', symmetric: false, narrowRange: false } });
    expect(affine(narrow).scale[0]).toBe(Math.fround(2 / 254));
    expect(codes(narrow)).toEqual([-127, 0, 127]);
    expect(affine(full).scale[0]).toBe(Math.fround(2 / 255));
    // float32(2/255) is a little above 2/255, so −1/scale = −127.4999… → −127 and zp = −128 + 127 = −1; the full
    // range then spends code −128 on −1 and +1 lands on 126.
    expect(affine(full).zeroPoint[0]).toBe(-1);
    expect(codes(full)).toEqual([-128, -1, 126]);
    const sym = quantize(f32([2], [-2, 2]), { weights: { granularity: 'per-tensor', bits: 4 } });
    expect(codes(sym)).toEqual([-7, 7]);
  });

  it('quantizes unsigned asymmetric codes with a zero point', () => {
    const q = quantize(f32([4], [-1, 0, 1, 3]), { weights: { granularity: 'per-tensor', signed: false, symmetric: false, narrowRange: false } });
    const e = affine(q);
    expect(e.storage).toBe('uint8');
    expect(e.scale[0]).toBe(Math.fround(4 / 255));
    expect(e.zeroPoint[0]).toBe(64);
    expect(codes(q)).toEqual([0, 64, 128, 255]);
  });

  it.each([[0, 2], [1, 3], [2, 4], [-1, 4]])('is per-channel along axis %i', (axis, channels) => {
    const w = gaussian([2, 3, 4], 7 + axis);
    const q = quantize(w, { weights: { granularity: 'per-channel', axis } });
    const e = affine(q);
    const a = axis < 0 ? axis + 3 : axis;
    expect(e.axis).toBe(a);
    expect(e.scale.length).toBe(channels);
    const amax = channelAmax(w.data, w.dims, a);
    expect(Array.from(e.scale)).toEqual(amax.map((m) => Math.fround(m / 127)));
    // Every element is coded with its own channel's scale: the channel extreme maps to ±127.
    const back = dequantize(q);
    for (let i = 0; i < w.data.length; i++) {
      const idx = [Math.floor(i / 12), Math.floor(i / 4) % 3, i % 4][a]!;
      expect(Math.abs(back[i]! - w.data[i]!)).toBeLessThanOrEqual(e.scale[idx]! / 2 + 1e-7);
    }
  });

  it('is per-group with a ragged last block', () => {
    // Rows of 10 in blocks of 4: blocks hold elements 0–3, 4–7 and the ragged 8–9.
    const row0 = [1, -2, 3, -4, 0.5, 0.25, -8, 1, 16, -0.5];
    const row1 = [0.1, 0.2, 0.3, 0.4, -5, 5, 2, 1, -1, 0.75];
    const q = quantize(f32([2, 10], [...row0, ...row1]), { weights: { bits: 4, granularity: 'per-group', axis: 1, blockSize: 4 } });
    const e = affine(q);
    expect(e.axis).toBe(1);
    expect(e.blockSize).toBe(4);
    expect(e.storage).toBe('int4');
    const amax = [4, 8, 16, 0.4, 5, 1];
    expect(Array.from(e.scale)).toEqual(amax.map((m) => Math.fround(Math.fround(m) / 7)));
    const c = codes(q);
    expect(c.slice(8, 10)).toEqual([7, 0]);
    expect(c.slice(18, 20)).toEqual([-7, 5]);
  });

  it('uses power-of-two scales that still cover the range', () => {
    const w = gaussian([8, 32], 3);
    const plain = affine(quantize(w, {}));
    const pow2 = affine(quantize(w, { weights: { powerOfTwo: true } }));
    expect(pow2.powerOfTwo).toBe(true);
    for (let c = 0; c < 8; c++) {
      const s = pow2.scale[c]!;
      expect(2 ** Math.round(Math.log2(s))).toBe(s);
      expect(s).toBeGreaterThanOrEqual(plain.scale[c]!);
      expect(s).toBeLessThan(2 * plain.scale[c]!);
    }
  });

  it('gives a zero channel scale 1 and zero codes', () => {
    const q = quantize(f32([2, 2], [0, 0, 1, -1]), {});
    expect(Array.from(affine(q).scale)).toEqual([1, Math.fround(1 / 127)]);
    expect(codes(q)).toEqual([0, 0, 127, -127]);
  });

  it('reaches > 35 dB at 8 bits and > 15 dB at 4 bits per channel on a Gaussian weight', () => {
    const w = gaussian([64, 256], 11, 0.05);
    const s8 = sqnr(w.data, dequantize(quantize(w, { weights: { bits: 8 } })));
    const s4 = sqnr(w.data, dequantize(quantize(w, { weights: { bits: 4 } })));
    expect(s8).toBeGreaterThan(35);
    expect(s4).toBeGreaterThan(15);
    // MSE clipping keeps the full range among its candidates, so it can only lower the error.
    const s4mse = sqnr(w.data, dequantize(quantize(w, { weights: { bits: 4, clipping: 'mse' } })));
    expect(s4mse).toBeGreaterThanOrEqual(s4);
  });

  it('is deterministic', () => {
    const w = gaussian([16, 40], 5);
    const o: UniformOptions = { weights: { bits: 4, granularity: 'per-group', blockSize: 16, clipping: 'mse', symmetric: false } };
    const a = quantize(w, o);
    const b = quantize(w, o);
    expect(codes(a)).toEqual(codes(b));
    expect(Array.from(affine(a).scale)).toEqual(Array.from(affine(b).scale));
    expect(Array.from(affine(a).zeroPoint)).toEqual(Array.from(affine(b).zeroPoint));
  });

  it('follows the plan where the options leave bits and granularity open', () => {
    const w = gaussian([4, 6], 2);
    const perTensor = affine(quantize(w, {}, { granularity: 'per-tensor', axis: undefined, bits: 6 }));
    expect(perTensor.scale.length).toBe(1);
    expect(perTensor.bits).toBe(6);
    const grouped = affine(quantize(w, {}, { granularity: 'per-group', axis: 1, blockSize: 3 }));
    expect([grouped.axis, grouped.blockSize, grouped.scale.length]).toEqual([1, 3, 8]);
    const overridden = affine(quantize(w, { weights: { bits: 4, granularity: 'per-channel', axis: 1 } }, { granularity: 'per-tensor', axis: undefined }));
    expect([overridden.bits, overridden.axis, overridden.scale.length]).toEqual([4, 1, 6]);
  });

  it('picks the output-channel axis from the consuming op when neither options nor plan give one', () => {
    const w = gaussian([4, 6], 2);
    const mm = affine(quantize(w, { weights: { granularity: 'per-channel' } }, { consumers: [{ node: 'mm', opType: 'MatMul', input: 1 }], granularity: 'per-tensor', axis: undefined }));
    expect(mm.axis).toBe(1);
    const group = affine(quantize(w, { weights: { granularity: 'per-group' } }, { consumers: [{ node: 'mm', opType: 'MatMul', input: 1 }], granularity: 'per-tensor', axis: undefined }));
    expect([group.axis, group.blockSize]).toEqual([0, 32]);
  });

  it('knows the channel and block axes of the common ops', () => {
    const reads = (opType: string) => [{ node: 'n', opType, input: 1 }];
    expect([defaultChannelAxis(reads('Conv'), 4), defaultBlockAxis(reads('Conv'), 4)]).toEqual([0, 1]);
    expect([defaultChannelAxis(reads('ConvTranspose'), 4), defaultBlockAxis(reads('ConvTranspose'), 4)]).toEqual([1, 0]);
    expect([defaultChannelAxis(reads('MatMul'), 3), defaultBlockAxis(reads('MatMul'), 3)]).toEqual([2, 1]);
    expect([defaultChannelAxis(reads('Gemm'), 2), defaultBlockAxis(reads('Gemm'), 2)]).toEqual([0, 1]);
    expect(defaultBlockAxis(reads('Conv'), 1)).toBe(0);
  });

  it('treats a scalar weight as per-tensor', () => {
    const q = quantize(tensor('float32', [], Float32Array.of(0.5)), {});
    expect(affine(q).axis).toBeUndefined();
    expect(codes(q)).toEqual([127]);
  });

  it('refuses NaN and infinite weights and non-float tensors with codes', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isQuantforgeError(e) ? (e as { code: string }).code : 'uncoded';
      }
      return undefined;
    };
    expect(code(() => quantize(f32([2], [1, Number.NaN]), {}, { granularity: 'per-tensor', axis: undefined }))).toBe('QF_NAN_WEIGHTS');
    expect(code(() => quantize(f32([2], [1, Infinity]), {}, { granularity: 'per-tensor', axis: undefined }))).toBe('QF_NAN_WEIGHTS');
    expect(code(() => quantize(tensor('int32', [2], Int32Array.of(1, 2)), {}))).toBe('QF_DTYPE_UNSUPPORTED');
    expect(code(() => quantize(f32([2], [1, 2]), {}, { bits: 32, granularity: 'per-tensor', axis: undefined }))).toBe('QF_QUANTIZE');
    expect(code(() => quantize(f32([2], [1, 2]), {}, { role: 'gradient' }))).toBe('QF_QUANTIZE');
  });
});
