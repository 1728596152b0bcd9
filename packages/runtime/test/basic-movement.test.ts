import { describe, expect, it } from 'vitest';
import { tensor } from '@quantforge/core';
import { attr, f32, i32, i64, run, run1, values } from './basic-helpers.js';

const x234 = f32([2, 3, 4], Array.from({ length: 24 }, (_, i) => i));

describe('Reshape, Flatten, Squeeze, Unsqueeze', () => {
  it('Reshape: 0 copies a dim, -1 infers, allowzero keeps a literal 0', () => {
    expect(run1('Reshape', [x234, i64([3], [0, -1, 2])]).dims).toEqual([2, 6, 2]);
    expect(run1('Reshape', [f32([0, 3], []), i64([2], [3, 0])], { allowzero: attr.int(1) }).dims).toEqual([3, 0]);
    expect(() => run1('Reshape', [x234, i64([2], [5, -1])])).toThrow(/cannot infer/);
  });

  it('Flatten at positive, zero and negative axes', () => {
    expect(run1('Flatten', [x234]).dims).toEqual([2, 12]);
    expect(run1('Flatten', [x234], { axis: attr.int(0) }).dims).toEqual([1, 24]);
    expect(run1('Flatten', [x234], { axis: attr.int(-1) }).dims).toEqual([6, 4]);
  });

  it('Squeeze/Unsqueeze take axes as an attribute before opset 13 and as an input from 13', () => {
    const t = f32([1, 3, 1], [1, 2, 3]);
    expect(run1('Squeeze', [t], { axes: attr.ints([-1]) }, { opset: 11 }).dims).toEqual([1, 3]);
    expect(run1('Squeeze', [t, i64([1], [0])], {}, { opset: 13 }).dims).toEqual([3, 1]);
    expect(run1('Squeeze', [t], {}, { opset: 13 }).dims).toEqual([3]);
    expect(() => run1('Squeeze', [t, i64([1], [1])], {}, { opset: 13 })).toThrow(/cannot squeeze/);
    expect(run1('Unsqueeze', [f32([3], [1, 2, 3])], { axes: attr.ints([0, -1]) }, { opset: 11 }).dims).toEqual([1, 3, 1]);
    expect(run1('Unsqueeze', [f32([3], [1, 2, 3]), i64([2], [2, 0])], {}, { opset: 13 }).dims).toEqual([1, 3, 1]);
  });
});

describe('Transpose, Concat, Gather, Split, Shape', () => {
  it('Transpose reverses the axes by default and follows perm otherwise', () => {
    const t = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const y = run1('Transpose', [t]);
    expect(y.dims).toEqual([3, 2]);
    expect(values(y)).toEqual([1, 4, 2, 5, 3, 6]);
    const z = run1('Transpose', [x234], { perm: attr.ints([1, 0, 2]) });
    expect(z.dims).toEqual([3, 2, 4]);
    expect(values(z).slice(0, 8)).toEqual([0, 1, 2, 3, 12, 13, 14, 15]);
  });

  it('Concat along a negative axis, also for int64 and strings', () => {
    const y = run1('Concat', [f32([2, 1], [1, 2]), f32([2, 2], [3, 4, 5, 6])], { axis: attr.int(-1) });
    expect(y.dims).toEqual([2, 3]);
    expect(values(y)).toEqual([1, 3, 4, 2, 5, 6]);
    expect(values(run1('Concat', [i64([1], [7]), i64([2], [8, 9])], { axis: attr.int(0) }))).toEqual([7, 8, 9]);
    const s = run1('Concat', [tensor('string', [1], ['a']), tensor('string', [1], ['b'])], { axis: attr.int(0) });
    expect(s.data).toEqual(['a', 'b']);
  });

  it('Gather with negative indices on axis 1', () => {
    const t = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const y = run1('Gather', [t, i64([2], [-1, 0])], { axis: attr.int(1) });
    expect(y.dims).toEqual([2, 2]);
    expect(values(y)).toEqual([3, 1, 6, 4]);
    expect(run1('Gather', [t, i32([], [1])]).dims).toEqual([3]);
    expect(() => run1('Gather', [t, i64([1], [3])], { axis: attr.int(1) })).toThrow(/out of range/);
  });

  it('Split: attribute before 13, input from 13, equal split, and uneven num_outputs at 18', () => {
    const t = f32([5], [1, 2, 3, 4, 5]);
    const a = run('Split', [t], { split: attr.ints([2, 3]) }, { opset: 11, outputs: 2 });
    expect(a.map(values)).toEqual([[1, 2], [3, 4, 5]]);
    const b = run('Split', [t, i64([2], [4, 1])], {}, { opset: 13, outputs: 2 });
    expect(b.map(values)).toEqual([[1, 2, 3, 4], [5]]);
    const c = run('Split', [t], { num_outputs: attr.int(2) }, { opset: 18, outputs: 2 });
    expect(c.map(values)).toEqual([[1, 2, 3], [4, 5]]);
    const d = run('Split', [f32([2, 2], [1, 2, 3, 4])], { axis: attr.int(-1) }, { opset: 13, outputs: 2 });
    expect(d.map(values)).toEqual([[1, 3], [2, 4]]);
  });

  it('Shape with start/end (opset 15), negative and clamped', () => {
    expect(values(run1('Shape', [x234]))).toEqual([2, 3, 4]);
    expect(values(run1('Shape', [x234], { start: attr.int(-2) }))).toEqual([3, 4]);
    expect(values(run1('Shape', [x234], { start: attr.int(1), end: attr.int(10) }))).toEqual([3, 4]);
    expect(values(run1('Shape', [x234], { end: attr.int(-1) }))).toEqual([2, 3]);
    expect(run1('Shape', [x234]).dtype).toBe('int64');
  });
});

describe('Slice', () => {
  const t = f32([3, 4], Array.from({ length: 12 }, (_, i) => i));

  it('takes starts/ends/axes attributes before opset 10', () => {
    const y = run1('Slice', [t], { starts: attr.ints([1]), ends: attr.ints([1000]), axes: attr.ints([1]) }, { opset: 9 });
    expect(y.dims).toEqual([3, 3]);
    expect(values(y)).toEqual([1, 2, 3, 5, 6, 7, 9, 10, 11]);
  });

  it('takes inputs from opset 10, with negative steps and clamping', () => {
    const y = run1('Slice', [t, i64([2], [-1, 10]), i64([2], [-1000, -1000]), i64([2], [0, 1]), i64([2], [-2, -3])], {}, { opset: 13 });
    // rows 2, 0 ; columns 3, 0
    expect(y.dims).toEqual([2, 2]);
    expect(values(y)).toEqual([11, 8, 3, 0]);
  });

  it('gives empty axes when start passes end and handles default axes', () => {
    expect(run1('Slice', [t, i64([1], [3]), i64([1], [1])], {}, { opset: 13 }).dims).toEqual([0, 4]);
    const y = run1('Slice', [t, i64([2], [0, 1]), i64([2], [1, 3])], {}, { opset: 13 });
    expect(values(y)).toEqual([1, 2]);
  });
});

describe('Pad', () => {
  const t = f32([2, 3], [1, 2, 3, 4, 5, 6]);

  it('constant mode from the pads attribute and value before opset 11', () => {
    const y = run1('Pad', [t], { pads: attr.ints([0, 1, 0, 0]), value: attr.float(9) }, { opset: 2 });
    expect(y.dims).toEqual([2, 4]);
    expect(values(y)).toEqual([9, 1, 2, 3, 9, 4, 5, 6]);
  });

  it('reflect and edge modes from inputs at opset 11+', () => {
    const pads = i64([4], [0, 2, 0, 1]);
    expect(values(run1('Pad', [t, pads], { mode: attr.str('reflect') }, { opset: 13 }))).toEqual([3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5]);
    expect(values(run1('Pad', [t, pads], { mode: attr.str('edge') }, { opset: 13 }))).toEqual([1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6]);
    expect(values(run1('Pad', [t, pads, f32([], [-1])], {}, { opset: 13 }))).toEqual([-1, -1, 1, 2, 3, -1, -1, -1, 4, 5, 6, -1]);
  });

  it('axes input (opset 18) and negative pads that crop', () => {
    const y = run1('Pad', [t, i64([2], [1, 0]), undefined, i64([1], [-2])], {}, { opset: 18 });
    expect(y.dims).toEqual([3, 3]);
    expect(values(y)).toEqual([0, 0, 0, 1, 2, 3, 4, 5, 6]);
    expect(values(run1('Pad', [t, i64([4], [0, -1, 0, 0])], {}, { opset: 13 }))).toEqual([2, 3, 5, 6]);
  });
});
