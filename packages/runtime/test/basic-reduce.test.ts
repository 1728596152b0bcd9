import { describe, expect, it } from 'vitest';
import { attr, f32, i64, run1, values } from './basic-helpers.js';

const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);

describe('ReduceSum / ReduceMean / ReduceMax', () => {
  it('ReduceSum reads axes from the attribute before 13 and from the input from 13', () => {
    expect(values(run1('ReduceSum', [x], { axes: attr.ints([1]) }, { opset: 11 }))).toEqual([6, 15]);
    const y = run1('ReduceSum', [x, i64([1], [0])], { keepdims: attr.int(0) }, { opset: 13 });
    expect([y.dims, values(y)]).toEqual([[3], [5, 7, 9]]);
  });

  it('ReduceMean and ReduceMax keep the attribute form until 18', () => {
    const m = run1('ReduceMean', [x], { axes: attr.ints([-1]) }, { opset: 13 });
    expect([m.dims, values(m)]).toEqual([[2, 1], [2, 5]]);
    expect(values(run1('ReduceMax', [x], { axes: attr.ints([0]), keepdims: attr.int(0) }, { opset: 13 }))).toEqual([4, 5, 6]);
    expect(values(run1('ReduceMax', [x, i64([1], [1])], {}, { opset: 18 }))).toEqual([3, 6]);
  });

  it('no axes reduces everything unless noop_with_empty_axes is set', () => {
    const all = run1('ReduceSum', [x], {}, { opset: 13 });
    expect([all.dims, values(all)]).toEqual([[1, 1], [21]]);
    const noop = run1('ReduceSum', [x, i64([0], [])], { noop_with_empty_axes: attr.int(1) }, { opset: 13 });
    expect([noop.dims, values(noop)]).toEqual([[2, 3], [1, 2, 3, 4, 5, 6]]);
    expect(values(run1('ReduceMean', [x], { keepdims: attr.int(0) }, { opset: 18 }))).toEqual([3.5]);
  });

  it('reduces over several axes of a 3-D tensor', () => {
    const t = f32([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(values(run1('ReduceSum', [t, i64([2], [0, 2])], { keepdims: attr.int(0) }, { opset: 13 }))).toEqual([14, 22]);
  });

  it('an empty reduction gives 0 for sum and -inf for max', () => {
    const e = f32([0, 2], []);
    expect(values(run1('ReduceSum', [e, i64([1], [0])], {}, { opset: 13 }))).toEqual([0, 0]);
    expect(values(run1('ReduceMax', [e, i64([1], [0])], {}, { opset: 18 }))).toEqual([-Infinity, -Infinity]);
  });
});
