import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16, isQuantforgeError, tensor } from '@quantforge/core';
import { broadcastMap, broadcastShape } from '../src/kernels/basic/broadcast.js';
import { bool, f32, i32, i64, i8, mismatch, run1, u8, values } from './basic-helpers.js';

const ctx = { node: { name: 'n', opType: 'Add', domain: '', inputs: [], outputs: [], attributes: [] }, opset: 21, runSubgraph: () => [] };

describe('broadcast helper', () => {
  it('computes numpy broadcast shapes and rejects incompatible ones with a coded error', () => {
    expect(broadcastShape([[2, 1, 3], [4, 1]], ctx)).toEqual([2, 4, 3]);
    expect(broadcastShape([[], [5]], ctx)).toEqual([5]);
    try {
      broadcastShape([[2, 3], [4]], ctx);
      expect.unreachable();
    } catch (e) {
      expect(isQuantforgeError(e) && (e as { code: string }).code).toBe('QF_RUNTIME_KERNEL');
    }
  });

  it('gives no map for identical shapes, a zero map for scalars and strided maps otherwise', () => {
    expect(broadcastMap([2, 3], [2, 3])).toBeNull();
    expect(broadcastMap([3], [1, 3])).toBeNull();
    expect(Array.from(broadcastMap([1], [2, 2])!)).toEqual([0, 0, 0, 0]);
    expect(Array.from(broadcastMap([2, 1], [2, 3])!)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(broadcastMap([3], [2, 3])!)).toEqual([0, 1, 2, 0, 1, 2]);
  });
});

describe('binary arithmetic', () => {
  it('broadcasts both ways: [2,1] + [1,3]', () => {
    const y = run1('Add', [f32([2, 1], [10, 20]), f32([1, 3], [1, 2, 3])]);
    expect(y.dims).toEqual([2, 3]);
    expect(values(y)).toEqual([11, 12, 13, 21, 22, 23]);
  });

  it('Sub and Mul with a scalar', () => {
    expect(values(run1('Sub', [f32([3], [5, 6, 7]), f32([], [1])]))).toEqual([4, 5, 6]);
    expect(values(run1('Mul', [f32([], [2]), f32([3], [5, 6, 7])]))).toEqual([10, 12, 14]);
  });

  it('integer Div truncates toward zero; float Div does not', () => {
    expect(values(run1('Div', [i32([4], [7, -7, 7, -7]), i32([4], [2, 2, -2, -2])]))).toEqual([3, -3, -3, 3]);
    expect(values(run1('Div', [i64([2], [-9, 9]), i64([1], [4])]))).toEqual([-2, 2]);
    expect(values(run1('Div', [f32([1], [-7]), f32([1], [2])]))).toEqual([-3.5]);
  });

  it('int64 arithmetic stays exact beyond 2^53', () => {
    const big = 2n ** 60n + 1n;
    const y = run1('Add', [tensor('int64', [1], BigInt64Array.of(big)), i64([1], [2])]);
    expect((y.data as BigInt64Array)[0]).toBe(big + 2n);
  });

  it('uint8 and int8 wrap like their storage', () => {
    expect(values(run1('Add', [u8([2], [250, 3]), u8([2], [10, 4])]))).toEqual([4, 7]);
    expect(values(run1('Mul', [i8([1], [100]), i8([1], [2])]))).toEqual([-56]);
  });

  it('float16 is computed through float32 and stored back', () => {
    const h = (v: number[]) => tensor('float16', [v.length], Uint16Array.from(v, float32ToFloat16));
    const y = run1('Add', [h([1.5, -2]), h([0.25, 0.5])]);
    expect(y.dtype).toBe('float16');
    expect(Array.from(y.data as Uint16Array, float16ToFloat32)).toEqual([1.75, -1.5]);
  });

  it('Pow takes mixed base/exponent types and keeps the base dtype', () => {
    const y = run1('Pow', [f32([3], [2, 3, 4]), i64([1], [2])]);
    expect(y.dtype).toBe('float32');
    expect(values(y)).toEqual([4, 9, 16]);
    expect(values(run1('Pow', [i32([2], [2, 3]), f32([2], [3, 2])]))).toEqual([8, 9]);
  });

  it('rejects operands of different dtypes', () => {
    expect(() => run1('Add', [f32([1], [1]), i32([1], [1])])).toThrow(/different dtypes/);
  });
});

describe('variadic Max/Min, Equal and Where', () => {
  it('Max and Min fold any number of broadcast inputs', () => {
    const a = f32([3], [1, 5, 3]);
    const b = f32([1], [2]);
    const c = f32([2, 1], [0, 4]);
    expect(values(run1('Max', [a, b, c]))).toEqual([2, 5, 3, 4, 5, 4]);
    expect(values(run1('Min', [a, b, c]))).toEqual([0, 0, 0, 1, 2, 2]);
    expect(values(run1('Max', [a]))).toEqual([1, 5, 3]);
  });

  it('Max propagates NaN', () => {
    expect(values(run1('Max', [f32([2], [NaN, 1]), f32([2], [1, 2])]))).toEqual([NaN, 2]);
  });

  it('Equal returns bool and broadcasts', () => {
    const y = run1('Equal', [i64([2, 2], [1, 2, 3, 4]), i64([2], [1, 4])]);
    expect(y.dtype).toBe('bool');
    expect(values(y)).toEqual([1, 0, 0, 1]);
    expect(values(run1('Equal', [f32([2], [NaN, 0]), f32([2], [NaN, -0])]))).toEqual([0, 1]);
  });

  it('Where broadcasts condition, X and Y three ways', () => {
    const cond = bool([2, 1], [true, false]);
    const x = f32([1, 3], [1, 2, 3]);
    const y = f32([], [-1]);
    const out = run1('Where', [cond, x, y]);
    expect(out.dims).toEqual([2, 3]);
    expect(values(out)).toEqual([1, 2, 3, -1, -1, -1]);
  });

  it('unary math keeps dtype and handles int64 exactly', () => {
    expect(mismatch(values(run1('Sqrt', [f32([2], [4, 2])])), [2, Math.SQRT2])).toBe('');
    expect(mismatch(values(run1('Exp', [f32([1], [1])])), [Math.E])).toBe('');
    expect(mismatch(values(run1('Log', [f32([1], [Math.E])])), [1])).toBe('');
    expect(values(run1('Neg', [i32([2], [3, -4])]))).toEqual([-3, 4]);
    const abs = run1('Abs', [tensor('int64', [1], BigInt64Array.of(-(2n ** 62n)))]);
    expect((abs.data as BigInt64Array)[0]).toBe(2n ** 62n);
  });
});
