import { describe, expect, it } from 'vitest';
import { inferShapes } from '../../src/passes/index.js';
import { attr, f32, graph, i64, model, node } from './helpers.js';

describe('inferShapes: constant propagation of shape chains', () => {
  it('Shape -> Gather -> Unsqueeze -> Concat -> Reshape keeps the symbolic batch', () => {
    const g = graph({
      nodes: [
        node('Shape', ['x'], ['shp']),
        node('Gather', ['shp', 'zero'], ['batch'], [attr.int('axis', 0)]),
        node('Unsqueeze', ['batch', 'axes0'], ['batch1']),
        node('Concat', ['batch1', 'minus1'], ['target'], [attr.int('axis', 0)]),
        node('Reshape', ['x', 'target'], ['y']),
      ],
      inputs: [['x', 'float32', ['batch', 3, 4, 4]]],
      outputs: ['y'],
      initializers: { zero: i64([], [0]), axes0: i64([1], [0]), minus1: i64([1], [-1]) },
    });
    const { values, unsupported } = inferShapes(model(g, 13));
    expect(values.get('shp')).toEqual({ dtype: 'int64', shape: [4] });
    expect(values.get('batch')).toEqual({ dtype: 'int64', shape: [] });
    expect(values.get('target')).toEqual({ dtype: 'int64', shape: [2] });
    expect(values.get('y')).toEqual({ dtype: 'float32', shape: ['batch', 48] });
    expect(unsupported).toEqual([]);
  });

  it('computes with Mul, Cast and Slice on shape values (transformer-style reshape)', () => {
    const g = graph({
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Slice', ['s', 'st', 'en'], ['bs']),
        node('Gather', ['s', 'two'], ['hidden']),
        node('Cast', ['hidden'], ['hiddenF'], [attr.int('to', 1)]),
        node('Div', ['hiddenF', 'heads'], ['perHeadF']),
        node('Cast', ['perHeadF'], ['perHead'], [attr.int('to', 7)]),
        node('Unsqueeze', ['perHead'], ['perHead1'], [attr.ints('axes', [0])]),
        node('Concat', ['bs', 'headsI', 'perHead1'], ['target'], [attr.int('axis', 0)]),
        node('Reshape', ['x', 'target'], ['y']),
        node('Mul', ['hidden', 'three'], ['triple']),
      ],
      inputs: [['x', 'float32', ['b', 'seq', 64]]],
      outputs: ['y', 'triple'],
      initializers: { st: i64([1], [0]), en: i64([1], [2]), two: i64([], [2]), heads: f32([], [8]), headsI: i64([1], [8]), three: i64([], [3]) },
    });
    const { values } = inferShapes(model(g, 11));
    expect(values.get('bs')!.shape).toEqual([2]);
    expect(values.get('y')).toEqual({ dtype: 'float32', shape: ['b', 'seq', 8, 8] });
    expect(values.get('triple')).toEqual({ dtype: 'int64', shape: [] });
  });

  it('Reshape to the Shape of another value and Expand to a computed shape', () => {
    const g = graph({
      nodes: [node('Shape', ['like'], ['s']), node('Reshape', ['x', 's'], ['y']), node('Expand', ['one', 's'], ['e'])],
      inputs: [['x', 'float32', ['n', 6]], ['like', 'float32', ['n', 2, 3]]],
      outputs: ['y', 'e'],
      initializers: { one: f32([1], [1]) },
    });
    const { values } = inferShapes(g, { opset: 13 });
    expect(values.get('y')!.shape).toEqual(['n', 2, 3]);
    expect(values.get('e')!.shape).toEqual(['n', 2, 3]);
  });

  it('does not treat an initializer that is also a graph input as constant', () => {
    const g = graph({
      nodes: [node('Reshape', ['x', 's'], ['y'])],
      inputs: [['x', 'float32', [2, 6]], ['s', 'int64', [2]]],
      outputs: ['y'],
      initializers: { s: i64([2], [3, 4]) },
    });
    expect(inferShapes(g).values.get('y')!.shape).toEqual([null, null]);
  });
});

describe('inferShapes: If and subgraphs', () => {
  const ifModel = (thenShape: (number | string)[], elseShape: (number | string)[]) => {
    const thenBranch = graph({ name: 'then', nodes: [node('Reshape', ['x', 'tShape'], ['t'])], outputs: ['t'], initializers: { tShape: i64([thenShape.length], thenShape.map(Number)) } });
    const elseBranch = graph({ name: 'else', nodes: [node('Reshape', ['x', 'eShape'], ['e'])], outputs: ['e'], initializers: { eShape: i64([elseShape.length], elseShape.map(Number)) } });
    return graph({
      nodes: [node('Relu', ['inp'], ['x']), node('If', ['cond'], ['y'], [attr.graph('then_branch', thenBranch), attr.graph('else_branch', elseBranch)], 'if')],
      inputs: [['cond', 'bool', []], ['inp', 'float32', [4, 6]]],
      outputs: ['y'],
    });
  };

  it('infers branches in the outer scope and merges equal results', () => {
    const { values } = inferShapes(ifModel([2, 12], [2, 12]));
    expect(values.get('t')).toEqual({ dtype: 'float32', shape: [2, 12] });
    expect(values.get('y')).toEqual({ dtype: 'float32', shape: [2, 12] });
  });

  it('unknown dims where branches differ, unknown rank when ranks differ', () => {
    expect(inferShapes(ifModel([3, 8], [2, 12])).values.get('y')).toEqual({ dtype: 'float32', shape: [null, null] });
    expect(inferShapes(ifModel([24], [2, 12])).values.get('y')).toEqual({ dtype: 'float32', shape: null });
  });

  it('types the values inside a Loop body (an op without a rule) from its declared inputs', () => {
    const body = graph({
      name: 'body',
      nodes: [node('Add', ['v', 'outerW'], ['v2']), node('Identity', ['c'], ['c2'])],
      inputs: [['i', 'int64', []], ['c', 'bool', []], ['v', 'float32', [3]]],
      outputs: ['c2', 'v2'],
    });
    const g = graph({
      nodes: [node('Loop', ['n', 'cond', 'v0'], ['vOut'], [attr.graph('body', body)])],
      inputs: [['n', 'int64', []], ['cond', 'bool', []], ['v0', 'float32', [3]]],
      outputs: ['vOut'],
      initializers: { outerW: f32([3]) },
    });
    const { values, unsupported } = inferShapes(g);
    expect(unsupported).toEqual(['Loop']);
    expect(values.get('v2')).toEqual({ dtype: 'float32', shape: [3] });
    expect(values.get('vOut')).toEqual({ dtype: null, shape: null });
  });
});

describe('inferShapes: unsupported ops, annotations, options', () => {
  it('lists unknown ops without failing, falls back to exporter annotations', () => {
    const custom = node('FusedThing', ['x'], ['f']);
    custom.domain = 'com.example';
    const g = graph({
      nodes: [custom, node('NonMaxSuppression', ['x'], ['nms']), node('Relu', ['f'], ['r'])],
      inputs: [['x', 'float32', [1, 8]]],
      outputs: ['r', 'nms'],
    });
    g.valueInfo.push({ name: 'f', type: { kind: 'tensor', elemType: 'float32', shape: [1, 'k'] } });
    const { values, unsupported } = inferShapes(g);
    expect(unsupported).toEqual(['NonMaxSuppression', 'com.example.FusedThing']);
    expect(values.get('nms')).toEqual({ dtype: null, shape: null });
    expect(values.get('r')).toEqual({ dtype: 'float32', shape: [1, 'k'] });
  });

  it('takes the opset from the model, or the opset option for a bare graph', () => {
    const g = () =>
      graph({ nodes: [node('Unsqueeze', ['x', 'a'], ['y'], [attr.ints('axes', [0])])], inputs: [['x', 'float32', [3]]], outputs: ['y'], initializers: { a: i64([1], [1]) } });
    // Opset 11 prescribes the attribute (axes 0); opset 13 the input (axes 1).
    expect(inferShapes(model(g(), 11)).values.get('y')!.shape).toEqual([1, 3]);
    expect(inferShapes(model(g(), 13)).values.get('y')!.shape).toEqual([3, 1]);
    expect(inferShapes(g(), { opset: 11 }).values.get('y')!.shape).toEqual([1, 3]);
    expect(inferShapes(g(), { opset: { '': 13 } }).values.get('y')!.shape).toEqual([3, 1]);
  });

  it('writes valueInfo for intermediates when asked, and nothing otherwise', () => {
    const build = () => graph({ nodes: [node('Relu', ['x'], ['a']), node('Flatten', ['a'], ['y'])], inputs: [['x', 'float32', ['n', 2, 3]]], outputs: ['y'] });
    const quiet = build();
    inferShapes(quiet);
    expect(quiet.valueInfo).toEqual([]);
    const g = build();
    g.valueInfo.push({ name: 'a', docString: 'kept' });
    inferShapes(g, { writeValueInfo: true });
    expect(g.valueInfo).toEqual([{ name: 'a', docString: 'kept', type: { kind: 'tensor', elemType: 'float32', shape: ['n', 2, 3] } }]);
  });

  it('names the node in a shape error', () => {
    const g = graph({ nodes: [node('MatMul', ['a', 'b'], ['y'], [], 'proj')], inputs: [['a', 'float32', [2, 3]], ['b', 'float32', [4, 5]]], outputs: ['y'] });
    expect(() => inferShapes(g)).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE', message: expect.stringContaining('"proj"'), details: expect.objectContaining({ node: 'proj' }) }));
  });
});
