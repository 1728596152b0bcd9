import { describe, expect, it } from 'vitest';
import type { Attribute } from '../../src/ir/graph.js';
import { tensor } from '../../src/ir/tensor.js';
import { attr, f32, i64, inferOne, shapesOf } from './helpers.js';

type Shape = (number | string | null)[];

describe('inferShapes: Concat', () => {
  it('adds up the axis and unifies the rest', () => {
    expect(shapesOf('Concat', { inputs: [['a', 'float32', ['n', 2, 5]], ['b', 'float32', [null, 3, 5]], ['c', 'float32', ['n', 1, 5]]], attributes: [attr.int('axis', 1)] })).toEqual([['n', 6, 5]]);
    expect(shapesOf('Concat', { inputs: [['a', 'float32', ['n', 2]], ['b', 'float32', ['m', 2]]], attributes: [attr.int('axis', -2)] })).toEqual([[null, 2]]);
    expect(shapesOf('Concat', { inputs: [['a', 'float32', ['n', 2]], ['b', 'float32', [0, 2]]], attributes: [attr.int('axis', 0)] })).toEqual([['n', 2]]);
  });
  it('rejects mismatched dims off the axis', () => {
    expect(() => shapesOf('Concat', { inputs: [['a', 'float32', [1, 2]], ['b', 'float32', [1, 3]]], attributes: [attr.int('axis', 0)] })).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
  });
});

describe('inferShapes: Reshape', () => {
  const reshape = (x: Shape, target: number[], attributes: Attribute[] = []) =>
    shapesOf('Reshape', { inputs: [['x', 'float32', x], 's'], initializers: { s: i64([target.length], target) }, attributes })[0];

  it('copies 0 entries and infers -1', () => {
    expect(reshape([2, 3, 4], [0, -1])).toEqual([2, 12]);
    expect(reshape([2, 3, 4], [-1, 2, 2])).toEqual([6, 2, 2]);
    expect(reshape([2, 3, 4], [4, 0, 2])).toEqual([4, 3, 2]);
  });
  it('allowzero makes 0 a real size', () => {
    expect(reshape([0, 3], [0, 3], [attr.int('allowzero', 1)])).toEqual([0, 3]);
  });
  it('cancels symbols when inferring -1', () => {
    expect(reshape(['b', 3, 4], [0, -1])).toEqual(['b', 12]);
    expect(reshape(['b', 'seq', 64], [0, 0, 4, -1])).toEqual(['b', 'seq', 4, 16]);
    expect(reshape(['b', 3, 4], [-1, 12])).toEqual(['b', 12]);
    expect(reshape(['b', 3, 4], [-1, 6])).toEqual([null, 6]);
    expect(reshape([null, 3, 4], [0, -1])).toEqual([null, null]);
  });
  it('unknown target gives the rank from the shape input', () => {
    expect(shapesOf('Reshape', { inputs: [['x', 'float32', [2, 3]], ['s', 'int64', [3]]] })).toEqual([[null, null, null]]);
  });
  it('rejects element count mismatches and two -1', () => {
    expect(() => reshape([2, 3], [4, 2])).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
    expect(() => reshape([2, 3], [-1, 4])).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
    expect(() => reshape([2, 3], [-1, -1])).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
  });
});

describe('inferShapes: layout ops', () => {
  it('Flatten', () => {
    expect(shapesOf('Flatten', { inputs: [['x', 'float32', ['n', 3, 4, 5]]] })).toEqual([['n', 60]]);
    expect(shapesOf('Flatten', { inputs: [['x', 'float32', ['n', 3, 4, 5]]], attributes: [attr.int('axis', 0)] })).toEqual([[1, null]]);
    expect(shapesOf('Flatten', { inputs: [['x', 'float32', [2, 3, 4]]], attributes: [attr.int('axis', -1)] })).toEqual([[6, 4]]);
  });
  it('Transpose with and without perm', () => {
    expect(shapesOf('Transpose', { inputs: [['x', 'float32', ['n', 3, 4]]], attributes: [attr.ints('perm', [0, 2, 1])] })).toEqual([['n', 4, 3]]);
    expect(shapesOf('Transpose', { inputs: [['x', 'float32', ['n', 3, 4]]] })).toEqual([[4, 3, 'n']]);
    expect(() => shapesOf('Transpose', { inputs: [['x', 'float32', [1, 2]]], attributes: [attr.ints('perm', [0, 0])] })).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
  });
  it('Squeeze and Unsqueeze: attribute form before opset 13, input form from 13', () => {
    expect(shapesOf('Squeeze', { inputs: [['x', 'float32', [1, 3, 1, 'n']]], attributes: [attr.ints('axes', [0, -2])], opset: 11 })).toEqual([[3, 'n']]);
    expect(shapesOf('Squeeze', { inputs: [['x', 'float32', [1, 3, 1, 'n']], 'a'], initializers: { a: i64([1], [2]) }, opset: 13 })).toEqual([[1, 3, 'n']]);
    expect(shapesOf('Squeeze', { inputs: [['x', 'float32', [1, 3, 1]]], opset: 13 })).toEqual([[3]]);
    expect(shapesOf('Squeeze', { inputs: [['x', 'float32', [1, 'n']]], opset: 13 })).toEqual([null]);
    expect(shapesOf('Unsqueeze', { inputs: [['x', 'float32', [3, 'n']]], attributes: [attr.ints('axes', [0, -1])], opset: 11 })).toEqual([[1, 3, 'n', 1]]);
    expect(shapesOf('Unsqueeze', { inputs: [['x', 'float32', [3, 'n']], 'a'], initializers: { a: i64([2], [1, 3]) }, opset: 13 })).toEqual([[3, 1, 'n', 1]]);
    expect(shapesOf('Unsqueeze', { inputs: [['x', 'float32', [3]], ['a', 'int64', [1]]], opset: 13 })).toEqual([null]);
    expect(() => shapesOf('Squeeze', { inputs: [['x', 'float32', [2, 3]]], attributes: [attr.ints('axes', [0])], opset: 11 })).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
  });
});

describe('inferShapes: Slice', () => {
  it('attribute form before opset 10', () => {
    expect(shapesOf('Slice', { inputs: [['x', 'float32', [10, 20]]], attributes: [attr.ints('starts', [2]), attr.ints('ends', [-2]), attr.ints('axes', [1])], opset: 9 })).toEqual([[10, 16]]);
  });
  it('input form with axes, steps, clamping and negative steps', () => {
    const sl = (x: Shape, starts: number[], ends: (number | bigint)[], axes?: number[], steps?: number[]) => {
      const inits: Record<string, ReturnType<typeof i64>> = { st: i64([starts.length], starts), en: i64([ends.length], ends) };
      const inputs: (string | ['x', 'float32', Shape])[] = [['x', 'float32', x], 'st', 'en'];
      if (axes) { inits.ax = i64([axes.length], axes); inputs.push('ax'); }
      if (steps) { if (!axes) inputs.push(''); inits.sp = i64([steps.length], steps); inputs.push('sp'); }
      return shapesOf('Slice', { inputs, initializers: inits, opset: 13 })[0];
    };
    expect(sl([10, 20, 30], [1, 0], [5, 100], [0, 2])).toEqual([4, 20, 30]);
    expect(sl([10, 20], [0], [20], [1], [3])).toEqual([10, 7]);
    expect(sl([10, 20], [-1], [-1000], [1], [-1])).toEqual([10, 20]);
    expect(sl([10, 20], [8], [2], [0], [-2])).toEqual([3, 20]);
    expect(sl([10, 20], [5], [2], [0])).toEqual([0, 20]);
    expect(sl(['n', 20], [0], [9223372036854775807n], [0])).toEqual(['n', 20]);
    expect(sl(['n', 20], [1], [9223372036854775807n], [0])).toEqual([null, 20]);
  });
  it('unknown starts make only the sliced axes unknown', () => {
    const out = shapesOf('Slice', { inputs: [['x', 'float32', [4, 5, 6]], ['st', 'int64', [1]], 'en', 'ax'], initializers: { en: i64([1], [3]), ax: i64([1], [1]) }, opset: 13 });
    expect(out).toEqual([[4, null, 6]]);
  });
});

describe('inferShapes: Gather, Split, Shape', () => {
  it('Gather', () => {
    expect(shapesOf('Gather', { inputs: [['x', 'float32', [5, 6, 7]], ['i', 'int64', ['k', 2]]], attributes: [attr.int('axis', 1)] })).toEqual([[5, 'k', 2, 7]]);
    expect(shapesOf('Gather', { inputs: [['x', 'float32', [5, 6]], 'i'], initializers: { i: i64([], [-1]) } })).toEqual([[6]]);
    expect(() => shapesOf('Gather', { inputs: [['x', 'float32', [5, 6]], 'i'], initializers: { i: i64([], [5]) } })).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
  });
  it('Split: attribute before 13, input from 13, num_outputs from 18, equal parts', () => {
    expect(shapesOf('Split', { inputs: [['x', 'float32', [6, 'n']]], attributes: [attr.ints('split', [2, 4])], outputs: 2, opset: 11 })).toEqual([[2, 'n'], [4, 'n']]);
    expect(shapesOf('Split', { inputs: [['x', 'float32', ['n', 7]], 's'], initializers: { s: i64([2], [3, 4]) }, attributes: [attr.int('axis', -1)], outputs: 2, opset: 13 })).toEqual([['n', 3], ['n', 4]]);
    expect(shapesOf('Split', { inputs: [['x', 'float32', [7]]], attributes: [attr.int('num_outputs', 3)], outputs: 3, opset: 18 })).toEqual([[3], [3], [1]]);
    expect(shapesOf('Split', { inputs: [['x', 'float32', [9]]], outputs: 3, opset: 13 })).toEqual([[3], [3], [3]]);
    expect(() => shapesOf('Split', { inputs: [['x', 'float32', [6]]], attributes: [attr.ints('split', [2, 3])], outputs: 2, opset: 11 })).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
  });
  it('Shape with start and end', () => {
    expect(inferOne('Shape', { inputs: [['x', 'float32', ['n', 3, 4, 5]]] })).toEqual([{ dtype: 'int64', shape: [4] }]);
    expect(shapesOf('Shape', { inputs: [['x', 'float32', ['n', 3, 4, 5]]], attributes: [attr.int('start', 1), attr.int('end', -1)], opset: 15 })).toEqual([[2]]);
    expect(shapesOf('Shape', { inputs: [['x', 'float32', [1, 2]]], attributes: [attr.int('start', -10), attr.int('end', 10)], opset: 15 })).toEqual([[2]]);
  });
});

describe('inferShapes: Constant, ConstantOfShape, Identity, Pad', () => {
  it('Constant and ConstantOfShape', () => {
    expect(inferOne('Constant', { inputs: [], attributes: [attr.tensor('value', f32([2, 3]))] })).toEqual([{ dtype: 'float32', shape: [2, 3] }]);
    expect(inferOne('Constant', { inputs: [], attributes: [attr.ints('value_ints', [1, 2, 3])] })).toEqual([{ dtype: 'int64', shape: [3] }]);
    expect(inferOne('ConstantOfShape', { inputs: ['s'], initializers: { s: i64([2], [4, 5]) }, attributes: [attr.tensor('value', tensor('int32', [1], new Int32Array([1])))] })).toEqual([{ dtype: 'int32', shape: [4, 5] }]);
    expect(inferOne('ConstantOfShape', { inputs: [['s', 'int64', [3]]] })).toEqual([{ dtype: 'float32', shape: [null, null, null] }]);
  });
  it('Identity', () => {
    expect(inferOne('Identity', { inputs: [['x', 'uint8', ['n']]] })).toEqual([{ dtype: 'uint8', shape: ['n'] }]);
  });
  it('Pad: attribute before opset 11, input after, axes from 18', () => {
    expect(shapesOf('Pad', { inputs: [['x', 'float32', [1, 3, 4, 4]]], attributes: [attr.ints('pads', [0, 0, 1, 2, 0, 0, 1, 2])], opset: 10 })).toEqual([[1, 3, 6, 8]]);
    expect(shapesOf('Pad', { inputs: [['x', 'float32', ['n', 3, 4]], 'p'], initializers: { p: i64([6], [0, 0, 1, 0, 0, 2]) }, opset: 13 })).toEqual([['n', 3, 7]]);
    expect(shapesOf('Pad', { inputs: [['x', 'float32', ['n', 3, 4]], 'p', '', 'a'], initializers: { p: i64([2], [1, 1]), a: i64([1], [-1]) }, opset: 18 })).toEqual([['n', 3, 6]]);
    expect(shapesOf('Pad', { inputs: [['x', 'float32', ['n', 3]], ['p', 'int64', [4]]], opset: 13 })).toEqual([[null, null]]);
  });
});
