import { describe, expect, it } from 'vitest';
import { isQuantforgeError, tensor } from '@quantforge/core';
import { attr, f32, i32, i8, mismatch, run, run1, u8, values } from './basic-helpers.js';

describe('QuantizeLinear', () => {
  it('rounds half to even and saturates; uint8 without a zero point', () => {
    const y = run1('QuantizeLinear', [f32([7], [0, 2.5, 3.5, 5.5, 0.5, -1, 1000]), f32([], [1])], {}, { opset: 10 });
    expect(y.dtype).toBe('uint8');
    expect(values(y)).toEqual([0, 2, 4, 6, 0, 0, 255]);
  });

  it('the zero point dtype picks the output type (int8 saturates at -128/127)', () => {
    const y = run1('QuantizeLinear', [f32([5], [-2.5, -3.5, 300, -300, 1.5]), f32([], [1]), i8([], [0])], {}, { opset: 13 });
    expect(y.dtype).toBe('int8');
    expect(values(y)).toEqual([-2, -4, 127, -128, 2]);
    const z = run1('QuantizeLinear', [f32([2], [4, 6]), f32([], [2]), u8([], [128])], {}, { opset: 13 });
    expect(values(z)).toEqual([130, 131]);
  });

  it('per-axis scales and zero points (axis 1 by default, negative axis)', () => {
    const x = f32([2, 2], [1, 2, 3, 4]);
    expect(values(run1('QuantizeLinear', [x, f32([2], [1, 2]), u8([2], [0, 10])], {}, { opset: 13 }))).toEqual([1, 11, 3, 12]);
    expect(values(run1('QuantizeLinear', [x, f32([2], [1, 2]), u8([2], [0, 0])], { axis: attr.int(-2) }, { opset: 13 }))).toEqual([1, 2, 2, 2]);
  });

  it('blocked quantization (opset 21 block_size) and int4 / int16 outputs', () => {
    const x = f32([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
    const scale = f32([2, 2], [1, 2, 1, 4]);
    const y = run1('QuantizeLinear', [x, scale, i8([2, 2], [0, 0, 0, 0])], { axis: attr.int(1), block_size: attr.int(2) }, { opset: 21 });
    expect(values(y)).toEqual([1, 2, 2, 2, 5, 6, 2, 2]);
    const q4 = run1('QuantizeLinear', [f32([3], [8, -9, 2.5]), f32([], [1]), tensor('int4', [], Int8Array.of(0))], {}, { opset: 21 });
    expect([q4.dtype, values(q4)]).toEqual(['int4', [7, -8, 2]]);
    const u4 = run1('QuantizeLinear', [f32([2], [20, -1]), f32([], [1]), tensor('uint4', [], Uint8Array.of(1))], {}, { opset: 21 });
    expect(values(u4)).toEqual([15, 0]);
    const q16 = run1('QuantizeLinear', [f32([2], [40000, -40000]), f32([], [1]), tensor('int16', [], Int16Array.of(0))], {}, { opset: 21 });
    expect(values(q16)).toEqual([32767, -32768]);
  });

  it('output_dtype (opset 21) picks the type when there is no zero point', () => {
    const y = run1('QuantizeLinear', [f32([2], [-3, 3]), f32([], [1])], { output_dtype: attr.int(3) }, { opset: 21 });
    expect([y.dtype, values(y)]).toEqual(['int8', [-3, 3]]);
  });

  it('float4e2m1 zero points are refused with QF_DTYPE_UNSUPPORTED', () => {
    try {
      run1('QuantizeLinear', [f32([1], [1]), f32([], [1]), tensor('float4e2m1', [], Uint8Array.of(0))], {}, { opset: 21 });
      expect.unreachable();
    } catch (e) {
      expect(isQuantforgeError(e) && (e as { code: string }).code).toBe('QF_DTYPE_UNSUPPORTED');
    }
  });
});

describe('DequantizeLinear', () => {
  it('per-tensor int8 with a zero point', () => {
    const y = run1('DequantizeLinear', [i8([3], [-128, 0, 127]), f32([], [0.5]), i8([], [-1])], {}, { opset: 13 });
    expect([y.dtype, values(y)]).toEqual(['float32', [-63.5, 0.5, 64]]);
  });

  it('per-axis int32 input without a zero point', () => {
    const y = run1('DequantizeLinear', [i32([2, 1], [100, 200]), f32([2], [0.5, 0.25])], { axis: attr.int(0) }, { opset: 13 });
    expect(values(y)).toEqual([50, 50]);
  });

  it('blocked (opset 21) along axis 0', () => {
    const y = run1('DequantizeLinear', [u8([4, 1], [10, 12, 10, 12]), f32([2, 1], [1, 2]), u8([2, 1], [10, 11])], { axis: attr.int(0), block_size: attr.int(2) }, { opset: 21 });
    expect(values(y)).toEqual([0, 2, -2, 2]);
  });
});

describe('DynamicQuantizeLinear', () => {
  it('matches the ONNX formula on a range straddling zero', () => {
    const [y, scale, zp] = run('DynamicQuantizeLinear', [f32([6], [0, 2, -3, -2.5, 1.34, 0.5])], {}, { opset: 11, outputs: 3 });
    expect(mismatch(values(scale!), [5 / 255], 1e-7)).toBe('');
    expect(values(zp!)).toEqual([153]);
    expect(values(y!)).toEqual([153, 255, 0, 26, 221, 179]);
  });

  it('includes zero in the range for all-positive input, and all-zero input gives scale 0', () => {
    const [y, scale, zp] = run('DynamicQuantizeLinear', [f32([3], [1, 2, 4])], {}, { opset: 11, outputs: 3 });
    expect(mismatch(values(scale!), [4 / 255], 1e-7)).toBe('');
    expect(values(zp!)).toEqual([0]);
    // float32(4/255) is slightly above 4/255, so 2 / scale lands just below 127.5 and rounds to 127
    expect(values(y!)).toEqual([64, 127, 255]);
    const [z, s0] = run('DynamicQuantizeLinear', [f32([2], [0, 0])], {}, { opset: 11, outputs: 3 });
    expect([values(z!), values(s0!)]).toEqual([[0, 0], [0]]);
  });
});
