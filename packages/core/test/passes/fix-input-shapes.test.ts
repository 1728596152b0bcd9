import { describe, expect, it } from 'vitest';
import { isQuantforgeError } from '../../src/errors/error.js';
import { fixInputShapes, parseInputShapes, prepareGraph } from '../../src/passes/index.js';
import { attr, graph, i64, model, node } from './helpers.js';

function shapeChainModel() {
  // The PaddleOCR cls tail: a flatten through Shape/Gather/Concat/Reshape whose size is known only once the batch is.
  return model(graph({
    nodes: [
      node('Relu', ['x'], ['r']),
      node('Shape', ['r'], ['shp']),
      node('Gather', ['shp', 'zero'], ['batch'], [attr.int('axis', 0)]),
      node('Unsqueeze', ['batch', 'axes0'], ['batch1']),
      node('Concat', ['batch1', 'minus1'], ['target'], [attr.int('axis', 0)]),
      node('Reshape', ['r', 'target'], ['y']),
    ],
    inputs: [['x', 'float32', ['N', 3, 'H', 'W']]],
    outputs: [['y', 'float32', ['N', null]]],
    initializers: { zero: i64([], [0]), axes0: i64([1], [0]), minus1: i64([1], [-1]) },
  }), 13);
}

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    return isQuantforgeError(e) ? e.code : 'not a QuantforgeError';
  }
  return undefined;
}

describe('fixInputShapes', () => {
  it('fixes symbolic input dims, substitutes the bound symbol in outputs, and lets shape inference resolve the shape chain', () => {
    const m = shapeChainModel();
    fixInputShapes(m, { x: [1, 3, 4, 8] });
    expect(m.graph.inputs[0]!.type).toMatchObject({ shape: [1, 3, 4, 8] });
    expect(m.graph.outputs[0]!.type).toMatchObject({ shape: [1, null] });
    const summary = prepareGraph(m);
    expect(summary.values.get('y')).toEqual({ dtype: 'float32', shape: [1, 96] });
  });

  it('refuses unknown inputs, wrong ranks, clashing fixed dims and non-positive sizes with QF_INVALID_ARGUMENT', () => {
    expect(codeOf(() => fixInputShapes(shapeChainModel(), { nope: [1, 3, 4, 8] }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => fixInputShapes(shapeChainModel(), { x: [1, 3, 4] }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => fixInputShapes(shapeChainModel(), { x: [1, 4, 4, 8] }))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => fixInputShapes(shapeChainModel(), { x: [0, 3, 4, 8] }))).toBe('QF_INVALID_ARGUMENT');
  });

  it('refuses one symbol bound to two sizes', () => {
    const m = model(graph({
      nodes: [node('Add', ['a', 'b'], ['y'])],
      inputs: [['a', 'float32', ['N', 2]], ['b', 'float32', ['N', 2]]],
      outputs: ['y'],
    }), 13);
    expect(codeOf(() => fixInputShapes(m, { a: [1, 2], b: [2, 2] }))).toBe('QF_INVALID_ARGUMENT');
  });

  it('leaves a model untouched when given no shapes', () => {
    const m = shapeChainModel();
    const before = structuredClone(m.graph.inputs);
    fixInputShapes(m, {});
    expect(m.graph.inputs).toEqual(before);
  });
});

describe('parseInputShapes', () => {
  it('reads NAME:D,D and, for a single-input model, bare sizes', () => {
    expect(parseInputShapes(['x:1,3,48,192', 'mask: 1, 8'])).toEqual({ x: [1, 3, 48, 192], mask: [1, 8] });
    expect(parseInputShapes(['1,3,48,192'], 'x')).toEqual({ x: [1, 3, 48, 192] });
    expect(parseInputShapes(['a:b:1,2'])).toEqual({ 'a:b': [1, 2] });
  });

  it('refuses bare sizes without a single input, bad sizes and duplicates', () => {
    expect(codeOf(() => parseInputShapes(['1,3']))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => parseInputShapes(['x:1,-3']))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => parseInputShapes(['x:'] ))).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => parseInputShapes(['x:1', 'x:2']))).toBe('QF_INVALID_ARGUMENT');
  });
});
