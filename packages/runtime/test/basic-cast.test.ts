import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat32, float16ToFloat32, isQuantforgeError, tensor } from '@quantforge/core';
import { attr, bool, f32, f64, i64, run1, values } from './basic-helpers.js';

// ONNX TensorProto.DataType codes used below.
const T = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, string: 8, bool: 9, float16: 10, double: 11, bfloat16: 16, uint4: 21, int4: 22 };

describe('Cast', () => {
  it('float -> integers truncates toward zero', () => {
    const x = f32([4], [1.9, -1.9, 2.5, -0.5]);
    expect(values(run1('Cast', [x], { to: attr.int(T.int32) }))).toEqual([1, -1, 2, 0]);
    const y = run1('Cast', [x], { to: attr.int(T.int64) });
    expect(y.dtype).toBe('int64');
    expect(Array.from(y.data as BigInt64Array)).toEqual([1n, -1n, 2n, 0n]);
  });

  it('4-bit targets clip to their range and round half to even, as the ONNX reference does', () => {
    expect(values(run1('Cast', [f32([5], [-20, 3.7, 2.5, -1.5, 20])], { to: attr.int(T.int4) }))).toEqual([-8, 4, 2, -2, 7]);
    expect(values(run1('Cast', [f32([2], [-1, 20])], { to: attr.int(T.uint4) }))).toEqual([0, 15]);
  });

  it('to and from float16 / bfloat16 round to nearest even', () => {
    const h = run1('Cast', [f64([3], [1 + 2 ** -11, 65504, 1e6])], { to: attr.int(T.float16) });
    expect(h.dtype).toBe('float16');
    expect(Array.from(h.data as Uint16Array, float16ToFloat32)).toEqual([1, 65504, Infinity]);
    const b = run1('Cast', [f32([1], [1 + 2 ** -8 + 2 ** -12])], { to: attr.int(T.bfloat16) });
    expect(bfloat16ToFloat32((b.data as Uint16Array)[0]!)).toBe(1 + 2 ** -7);
    const back = run1('Cast', [h], { to: attr.int(T.float) });
    expect(values(back)).toEqual([1, 65504, Infinity]);
  });

  it('bool in both directions, and int64 beyond 2^53 to int32 keeps the low bits', () => {
    expect(values(run1('Cast', [f32([3], [0, -2, NaN])], { to: attr.int(T.bool) }))).toEqual([0, 1, 1]);
    expect(values(run1('Cast', [bool([2], [true, false])], { to: attr.int(T.float) }))).toEqual([1, 0]);
    const big = tensor('int64', [1], BigInt64Array.of(2n ** 60n + 5n));
    expect(values(run1('Cast', [big], { to: attr.int(T.int32) }))).toEqual([5]);
    expect(values(run1('Cast', [i64([1], [300])], { to: attr.int(T.uint8) }))).toEqual([44]);
  });

  it('strings parse and print numbers', () => {
    const s = run1('Cast', [tensor('string', [3], ['1.5', '-INF', 'NaN'])], { to: attr.int(T.float) });
    expect(values(s)).toEqual([1.5, -Infinity, NaN]);
    expect(run1('Cast', [f32([2], [0.1, 2])], { to: attr.int(T.string) }).data).toEqual(['0.1', '2']);
  });

  it('float4e2m1 and float8e8m0 targets are refused with QF_DTYPE_UNSUPPORTED', () => {
    for (const to of [23, 24]) {
      try {
        run1('Cast', [f32([1], [1])], { to: attr.int(to) });
        expect.unreachable();
      } catch (e) {
        expect(isQuantforgeError(e) && (e as { code: string }).code).toBe('QF_DTYPE_UNSUPPORTED');
      }
    }
  });

  it('CastLike takes the dtype of its second input', () => {
    expect(run1('CastLike', [f32([1], [2.7]), i64([0], [])]).dtype).toBe('int64');
  });
});

describe('Constant, ConstantOfShape, Identity, Expand', () => {
  it('Constant reads every value_* form', () => {
    expect(values(run1('Constant', [], { value: attr.tensor(f32([2], [1, 2])) }))).toEqual([1, 2]);
    const vf = run1('Constant', [], { value_float: attr.float(1.5) });
    expect([vf.dtype, vf.dims, values(vf)]).toEqual(['float32', [], [1.5]]);
    expect(values(run1('Constant', [], { value_floats: attr.floats([1, 2]) }))).toEqual([1, 2]);
    const vi = run1('Constant', [], { value_int: attr.int(7) });
    expect([vi.dtype, vi.dims, values(vi)]).toEqual(['int64', [], [7]]);
    expect(values(run1('Constant', [], { value_ints: attr.ints([3, 4]) }))).toEqual([3, 4]);
    expect(run1('Constant', [], { value_string: attr.str('hi') }).data).toEqual(['hi']);
    expect(run1('Constant', [], { value_strings: attr.strs(['a', 'b']) }).data).toEqual(['a', 'b']);
    expect(() => run1('Constant', [])).toThrow(/no value/);
  });

  it('ConstantOfShape defaults to float32 zeros and takes the value tensor dtype', () => {
    const z = run1('ConstantOfShape', [i64([2], [2, 2])]);
    expect([z.dtype, z.dims, values(z)]).toEqual(['float32', [2, 2], [0, 0, 0, 0]]);
    const v = run1('ConstantOfShape', [i64([1], [3])], { value: attr.tensor(i64([1], [5])) });
    expect([v.dtype, values(v)]).toEqual(['int64', [5, 5, 5]]);
  });

  it('Identity copies; Expand broadcasts to a shape', () => {
    const x = f32([2], [1, 2]);
    const y = run1('Identity', [x]);
    expect(y.data).not.toBe(x.data);
    expect(values(y)).toEqual([1, 2]);
    const e = run1('Expand', [f32([2, 1], [1, 2]), i64([2], [1, 3])]);
    expect([e.dims, values(e)]).toEqual([[2, 3], [1, 1, 1, 2, 2, 2]]);
  });
});
