import { describe, expect, it } from 'vitest';
import { tensor } from '@quantforge/core';
import { attr, bool, f32, i32, i64, mismatch, run, run1, values } from './basic-helpers.js';

describe('Mod, BitShift, IsInf', () => {
  it('Mod follows the divisor sign with fmod=0 and the dividend sign with fmod=1', () => {
    expect(values(run1('Mod', [i32([4], [7, -7, 7, -7]), i32([4], [3, 3, -3, -3])]))).toEqual([1, 2, -2, -1]);
    expect(values(run1('Mod', [f32([2], [-7.5, 7.5]), f32([1], [2])], { fmod: attr.int(1) }))).toEqual([-1.5, 1.5]);
    expect(values(run1('Mod', [i64([2], [-7, 7]), i64([1], [3])]))).toEqual([2, 1]);
  });

  it('BitShift on unsigned types', () => {
    const x = tensor('uint8', [2], Uint8Array.of(16, 255));
    expect(values(run1('BitShift', [x, tensor('uint8', [2], Uint8Array.of(1, 4))], { direction: attr.str('RIGHT') }))).toEqual([8, 15]);
    expect(values(run1('BitShift', [x, tensor('uint8', [1], Uint8Array.of(4))], { direction: attr.str('LEFT') }))).toEqual([0, 240]);
  });

  it('IsInf honours detect_negative/detect_positive; IsNaN', () => {
    const x = f32([4], [Infinity, -Infinity, NaN, 1]);
    expect(values(run1('IsInf', [x]))).toEqual([1, 1, 0, 0]);
    expect(values(run1('IsInf', [x], { detect_positive: attr.int(0) }))).toEqual([0, 1, 0, 0]);
    expect(values(run1('IsNaN', [x]))).toEqual([0, 0, 1, 0]);
  });
});

describe('ArgMax, TopK, CumSum, Range, Trilu', () => {
  it('ArgMax keeps dims and picks the first or last maximum', () => {
    const x = f32([2, 3], [1, 3, 3, 2, 2, 0]);
    const y = run1('ArgMax', [x], { axis: attr.int(-1) });
    expect([y.dtype, y.dims, values(y)]).toEqual(['int64', [2, 1], [1, 0]]);
    expect(values(run1('ArgMax', [x], { axis: attr.int(1), select_last_index: attr.int(1), keepdims: attr.int(0) }))).toEqual([2, 1]);
    expect(values(run1('ArgMin', [x], { axis: attr.int(0) }))).toEqual([0, 1, 1]);
  });

  it('TopK: k input from opset 10, attribute before; ties keep the lower index', () => {
    const x = f32([5], [3, 1, 3, 5, 0]);
    const [v, i] = run('TopK', [x, i64([1], [3])], {}, { opset: 11, outputs: 2 });
    expect([values(v!), values(i!)]).toEqual([[5, 3, 3], [3, 0, 2]]);
    const [sv, si] = run('TopK', [x], { k: attr.int(2), largest: attr.int(0) }, { opset: 1, outputs: 2 });
    expect([values(sv!), values(si!)]).toEqual([[0, 1], [4, 1]]);
  });

  it('CumSum with exclusive and reverse', () => {
    const x = f32([4], [1, 2, 3, 4]);
    const axis = i32([], [0]);
    expect(values(run1('CumSum', [x, axis]))).toEqual([1, 3, 6, 10]);
    expect(values(run1('CumSum', [x, axis], { exclusive: attr.int(1) }))).toEqual([0, 1, 3, 6]);
    expect(values(run1('CumSum', [x, axis], { reverse: attr.int(1), exclusive: attr.int(1) }))).toEqual([9, 7, 4, 0]);
    expect(values(run1('CumSum', [i64([2, 2], [1, 2, 3, 4]), i64([], [-1])]))).toEqual([1, 3, 3, 7]);
  });

  it('Range counts ceil((limit - start) / delta) elements', () => {
    expect(values(run1('Range', [f32([], [1]), f32([], [2]), f32([], [0.3])]))).toHaveLength(4);
    expect(values(run1('Range', [i64([], [10]), i64([], [4]), i64([], [-3])]))).toEqual([10, 7]);
  });

  it('Trilu keeps the upper or lower triangle shifted by k', () => {
    const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(values(run1('Trilu', [x]))).toEqual([1, 2, 3, 0, 5, 6]);
    expect(values(run1('Trilu', [x, i64([], [1])], { upper: attr.int(0) }))).toEqual([1, 2, 0, 4, 5, 6]);
  });
});

describe('gathers and scatters', () => {
  const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);

  it('GatherElements along an axis with negative indices', () => {
    expect(values(run1('GatherElements', [x, i64([2, 2], [0, -1, 2, 0])], { axis: attr.int(1) }))).toEqual([1, 3, 6, 4]);
  });

  it('GatherND with and without batch_dims', () => {
    expect(values(run1('GatherND', [x, i64([2, 2], [0, 2, 1, 0])]))).toEqual([3, 4]);
    const y = run1('GatherND', [x, i64([2, 1], [1, 0])]);
    expect([y.dims, values(y)]).toEqual([[2, 3], [4, 5, 6, 1, 2, 3]]);
    expect(values(run1('GatherND', [x, i64([2, 1], [2, 0])], { batch_dims: attr.int(1) }))).toEqual([3, 4]);
  });

  it('ScatterElements and ScatterND, replacing or adding', () => {
    expect(values(run1('ScatterElements', [x, i64([1, 2], [2, 0]), f32([1, 2], [9, 8])], { axis: attr.int(1) }))).toEqual([8, 2, 9, 4, 5, 6]);
    expect(values(run1('ScatterND', [x, i64([1, 1], [1]), f32([1, 3], [7, 7, 7])]))).toEqual([1, 2, 3, 7, 7, 7]);
    expect(values(run1('ScatterND', [x, i64([2, 2], [0, 0, 0, 0]), f32([2], [10, 20])], { reduction: attr.str('add') }))).toEqual([31, 2, 3, 4, 5, 6]);
  });

  it('OneHot with negative indices and an axis; NonZero; Compress', () => {
    const y = run1('OneHot', [i64([2], [1, -1]), i64([], [3]), f32([2], [0, 5])]);
    expect([y.dims, values(y)]).toEqual([[2, 3], [0, 5, 0, 0, 0, 5]]);
    expect(run1('OneHot', [i64([2], [0, 2]), f32([], [3]), f32([2], [0, 1])], { axis: attr.int(0) }).dims).toEqual([3, 2]);
    const nz = run1('NonZero', [f32([2, 2], [0, 1, 2, 0])]);
    expect([nz.dims, values(nz)]).toEqual([[2, 2], [0, 1, 1, 0]]);
    expect(values(run1('Compress', [x, bool([3], [true, false, true])], { axis: attr.int(1) }))).toEqual([1, 3, 4, 6]);
    expect(values(run1('Compress', [x, bool([4], [false, true, false, true])]))).toEqual([2, 4]);
  });

  it('DepthToSpace (DCR and CRD) and SpaceToDepth are inverse rearrangements', () => {
    const d = f32([1, 4, 1, 1], [1, 2, 3, 4]);
    expect(values(run1('DepthToSpace', [d], { blocksize: attr.int(2) }))).toEqual([1, 2, 3, 4]);
    const d2 = f32([1, 8, 1, 1], [0, 1, 2, 3, 4, 5, 6, 7]);
    const dcr = run1('DepthToSpace', [d2], { blocksize: attr.int(2) });
    expect([dcr.dims, values(dcr)]).toEqual([[1, 2, 2, 2], [0, 2, 4, 6, 1, 3, 5, 7]]);
    expect(values(run1('DepthToSpace', [d2], { blocksize: attr.int(2), mode: attr.str('CRD') }))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(values(run1('SpaceToDepth', [dcr], { blocksize: attr.int(2) }))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('ReverseSequence reverses each batch entry up to its length', () => {
    const s = f32([3, 2], [1, 10, 2, 20, 3, 30]);
    expect(values(run1('ReverseSequence', [s, i64([2], [3, 2])]))).toEqual([3, 20, 2, 10, 1, 30]);
  });
});

describe('more reductions and normalizations', () => {
  it('ReduceLogSumExp stays finite for large inputs', () => {
    const y = values(run1('ReduceLogSumExp', [f32([2], [1000, 1000])], {}, { opset: 13 }));
    expect(mismatch(y, [1000 + Math.LN2])).toBe('');
  });

  it('GroupNormalization: per-group scale at opset 18, per-channel at 21', () => {
    const x = f32([1, 4, 1], [1, 3, 10, 30]);
    const g18 = values(run1('GroupNormalization', [x, f32([2], [1, 2]), f32([2], [0, 1])], { num_groups: attr.int(2), epsilon: attr.float(0) }, { opset: 18 }));
    expect(mismatch(g18, [-1, 1, -1, 3])).toBe('');
    const g21 = values(run1('GroupNormalization', [x, f32([4], [1, 2, 3, 4]), f32([4], [0, 0, 0, 1])], { num_groups: attr.int(2), epsilon: attr.float(0) }, { opset: 21 }));
    expect(mismatch(g21, [-1, 2, -3, 5])).toBe('');
  });

  it('LpNormalization (p = 1 and 2)', () => {
    expect(mismatch(values(run1('LpNormalization', [f32([2], [3, 4])])), [0.6, 0.8])).toBe('');
    expect(mismatch(values(run1('LpNormalization', [f32([2], [1, -3])], { p: attr.int(1) })), [0.25, -0.75])).toBe('');
  });

  it('Dropout is the identity with a true mask at inference and refuses random training', () => {
    const x = f32([2], [1, 2]);
    const [y, mask] = run('Dropout', [x, f32([], [0.5])], {}, { opset: 13, outputs: 2 });
    expect([values(y!), values(mask!)]).toEqual([[1, 2], [1, 1]]);
    expect(() => run('Dropout', [x, f32([], [0.5]), bool([], [true])], {}, { opset: 13 })).toThrow(/training mode/);
    expect(values(run1('Dropout', [x, f32([], [0]), bool([], [true])], {}, { opset: 13 }))).toEqual([1, 2]);
  });
});

describe('Unique', () => {
  it('sorted and unsorted over the flattened input', () => {
    const x = f32([6], [2, 1, 1, 3, 4, 3]);
    expect(run('Unique', [x], {}, { outputs: 4 }).map(values)).toEqual([[1, 2, 3, 4], [1, 0, 3, 4], [1, 0, 0, 2, 3, 2], [2, 1, 2, 1]]);
    expect(run('Unique', [x], { sorted: attr.int(0) }, { outputs: 4 }).map(values)).toEqual([[2, 1, 3, 4], [0, 1, 3, 4], [0, 1, 1, 2, 3, 2], [1, 2, 2, 1]]);
  });

  it('unique slices along an axis', () => {
    const [y, idx, inv, counts] = run('Unique', [f32([3, 2], [1, 0, 1, 0, 0, 1])], { axis: attr.int(0) }, { outputs: 4 });
    expect([y!.dims, values(y!)]).toEqual([[2, 2], [0, 1, 1, 0]]);
    expect([values(idx!), values(inv!), values(counts!)]).toEqual([[2, 0], [1, 1, 0], [1, 2]]);
  });
});

