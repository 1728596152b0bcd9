import { describe, expect, it } from 'vitest';
import { attr, f32, i64, inferOne, shapesOf } from './helpers.js';

describe('inferShapes: element-wise and broadcasting', () => {
  it.each([
    [[2, 3, 4], [4], [2, 3, 4]],
    [[2, 1, 4], [3, 1], [2, 3, 4]],
    [[], [5], [5]],
    [['batch', 3], ['batch', 3], ['batch', 3]],
    [['batch', 3], [1, 3], ['batch', 3]],
    [[1, 3], ['n', 1], ['n', 3]],
    [['a', 3], ['b', 3], [null, 3]],
    [[null, 3], [1, 3], [null, 3]],
    [['s', 1], [7, 4], [7, 4]],
  ] as const)('broadcasts %j with %j', (a, b, out) => {
    for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min']) {
      const [t] = inferOne(op, { inputs: [['a', 'float32', [...a]], ['b', 'float32', [...b]]] });
      expect(t).toEqual({ dtype: 'float32', shape: out });
    }
  });

  it('broadcasts variadic Max/Min over three inputs', () => {
    expect(shapesOf('Max', { inputs: [['a', 'float32', [4, 1, 1]], ['b', 'float32', [5, 1]], ['c', 'float32', [6]]] })).toEqual([[4, 5, 6]]);
  });

  it('throws QF_SHAPE_INFERENCE with the node name on clashing sizes', () => {
    expect(() => shapesOf('Add', { inputs: [['a', 'float32', [2, 3]], ['b', 'float32', [4]]] })).toThrow(
      expect.objectContaining({ code: 'QF_SHAPE_INFERENCE', details: expect.objectContaining({ node: 'n0', opType: 'Add' }) }),
    );
  });

  it('keeps shape and dtype through unary ops', () => {
    for (const op of ['Relu', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Erf', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Softmax', 'Identity', 'InstanceNormalization', 'Clip']) {
      expect(inferOne(op, { inputs: [['x', 'float16', ['b', 8, 3]]] })).toEqual([{ dtype: 'float16', shape: ['b', 8, 3] }]);
    }
  });

  it('PRelu broadcasts the slope into the input shape', () => {
    expect(shapesOf('PRelu', { inputs: [['x', 'float32', ['n', 4, 5, 5]], ['s', 'float32', [4, 1, 1]]] })).toEqual([['n', 4, 5, 5]]);
  });

  it('Equal gives bool, Where takes the dtype of X', () => {
    expect(inferOne('Equal', { inputs: [['a', 'int64', [3]], ['b', 'int64', []]] })).toEqual([{ dtype: 'bool', shape: [3] }]);
    expect(inferOne('Where', { inputs: [['c', 'bool', [2, 1]], ['x', 'float32', [3]], ['y', 'float32', [1]]] })).toEqual([{ dtype: 'float32', shape: [2, 3] }]);
  });

  it('Cast changes the dtype, keeps the shape', () => {
    expect(inferOne('Cast', { inputs: [['x', 'float32', ['n', 2]]], attributes: [attr.int('to', 7)] })).toEqual([{ dtype: 'int64', shape: ['n', 2] }]);
  });

  it('unknown input rank stays unknown', () => {
    expect(shapesOf('Add', { inputs: ['x', ['b', 'float32', [3]]] })).toEqual([null]);
  });

  it('initializers type their consumers', () => {
    expect(inferOne('Mul', { inputs: [['x', 'float32', [2, 3]], 'w'], initializers: { w: f32([3], [1, 2, 3]) } })).toEqual([{ dtype: 'float32', shape: [2, 3] }]);
    expect(inferOne('Add', { inputs: ['i', 'j'], initializers: { i: i64([2], [1, 2]), j: i64([], [1]) } })).toEqual([{ dtype: 'int64', shape: [2] }]);
  });
});
