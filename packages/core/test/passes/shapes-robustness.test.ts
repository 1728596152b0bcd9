import { describe, expect, it } from 'vitest';
import { inferShapes } from '../../src/passes/index.js';
import { attr, graph, i64, inferOne, node, shapesOf } from './helpers.js';

describe('inferShapes: partial knowledge and bad input', () => {
  it('a dangling input is unknown, not a crash', () => {
    expect(shapesOf('Relu', { inputs: ['nowhere'] })).toEqual([null]);
    expect(shapesOf('Conv', { inputs: ['x', 'w'] })).toEqual([null]);
  });

  it('Conv with an unknown weight keeps what the input tells', () => {
    expect(shapesOf('Conv', { inputs: [['x', 'float32', ['n', 3, 8, 8]], 'w'], attributes: [attr.ints('kernel_shape', [3, 3])] })).toEqual([['n', null, 6, 6]]);
  });

  it('coded errors for malformed nodes', () => {
    expect(() => shapesOf('MaxPool', { inputs: [['x', 'float32', [1, 1, 4, 4]]] })).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
    expect(() => shapesOf('Concat', { inputs: [['a', 'float32', [1, 2]]], attributes: [attr.int('axis', 5)] })).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
    expect(() => shapesOf('Conv', { inputs: [['x', 'float32', [1, 3, 8, 8]], ['w', 'float32', [4, 3, 3, 3]]], attributes: [attr.ints('strides', [0, 1])] })).toThrow(
      expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }),
    );
    expect(() => shapesOf('Cast', { inputs: [['x', 'float32', [2]]], attributes: [attr.ints('to', [1])] })).toThrow(expect.objectContaining({ code: 'QF_ONNX_INVALID_MODEL' }));
  });

  it('a cyclic graph is a coded error', () => {
    const g = graph({ nodes: [node('Relu', ['b'], ['a']), node('Relu', ['a'], ['b'])], outputs: ['a'] });
    expect(() => inferShapes(g)).toThrow(expect.objectContaining({ code: 'QF_GRAPH_CYCLE' }));
  });

  it('a wild declared rank of a shape input gives unknown rank instead of allocating it', () => {
    expect(shapesOf('Reshape', { inputs: [['x', 'float32', [2]], ['s', 'int64', [1e12]]] })).toEqual([null]);
  });

  it('GRU and RNN, hidden size from W when the attribute is missing', () => {
    expect(shapesOf('GRU', { inputs: [['x', 'float32', [5, 2, 4]], ['w', 'float32', [1, 18, 4]], ['r', 'float32', [1, 18, 6]]], outputs: 2 })).toEqual([[5, 1, 2, 6], [1, 2, 6]]);
    expect(shapesOf('RNN', { inputs: [['x', 'float32', [5, 2, 4]], ['w', 'float32', [2, 3, 4]]], attributes: [attr.string('direction', 'bidirectional')], outputs: 2 })).toEqual([[5, 2, 2, 3], [2, 2, 3]]);
  });

  it('ArgMax, Tile and Expand', () => {
    expect(inferOne('ArgMax', { inputs: [['x', 'float32', ['n', 10]]], attributes: [attr.int('axis', 1), attr.int('keepdims', 0)] })).toEqual([{ dtype: 'int64', shape: ['n'] }]);
    expect(shapesOf('Tile', { inputs: [['x', 'float32', ['n', 3]], 'r'], initializers: { r: i64([2], [1, 4]) } })).toEqual([['n', 12]]);
    expect(shapesOf('Expand', { inputs: [['x', 'float32', [3, 1]], 's'], initializers: { s: i64([3], [2, 1, 5]) } })).toEqual([[2, 3, 5]]);
  });
});
