import { describe, expect, it } from 'vitest';
import { inferShapes, shapeInferenceOps } from '../../src/passes/index.js';
import { attr, f32, graph, i64, inferOne, node, shapesOf } from './helpers.js';

describe('inferShapes: Resize', () => {
  it('uses scales (opset 11+: X, roi, scales)', () => {
    expect(shapesOf('Resize', { inputs: [['x', 'float32', ['n', 3, 7, 8]], '', 's'], initializers: { s: f32([4], [1, 1, 2, 0.5]) }, opset: 13 })).toEqual([['n', 3, 14, 4]]);
    expect(shapesOf('Resize', { inputs: [['x', 'float32', [1, 3, 7, 8]], '', 's'], initializers: { s: f32([4], [1, 1, 0.6, 1.5]) }, opset: 13 })).toEqual([[1, 3, 4, 12]]);
  });
  it('uses sizes, also with axes (opset 18)', () => {
    expect(shapesOf('Resize', { inputs: [['x', 'float32', [1, 3, 7, 8]], '', '', 'sz'], initializers: { sz: i64([4], [1, 3, 32, 30]) }, opset: 13 })).toEqual([[1, 3, 32, 30]]);
    expect(shapesOf('Resize', { inputs: [['x', 'float32', ['n', 3, 7, 8]], '', '', 'sz'], initializers: { sz: i64([2], [20, 10]) }, attributes: [attr.ints('axes', [2, 3])], opset: 18 })).toEqual([['n', 3, 20, 10]]);
  });
  it('opset 10 reads scales from input 1', () => {
    expect(shapesOf('Resize', { inputs: [['x', 'float32', [1, 1, 4, 4]], 's'], initializers: { s: f32([4], [1, 1, 2, 3]) }, opset: 10 })).toEqual([[1, 1, 8, 12]]);
  });
  it('unknown sizes keep the rank', () => {
    expect(shapesOf('Resize', { inputs: [['x', 'float32', [1, 3, 7, 8]], '', '', ['sz', 'int64', [4]]], opset: 13 })).toEqual([[null, null, null, null]]);
  });
});

describe('inferShapes: reductions', () => {
  const x: ['x', 'float32', (number | string)[]] = ['x', 'float32', ['n', 3, 4, 5]];
  it('axes attribute before opset 18 (13 for ReduceSum)', () => {
    expect(shapesOf('ReduceMean', { inputs: [x], attributes: [attr.ints('axes', [2, 3])], opset: 17 })).toEqual([['n', 3, 1, 1]]);
    expect(shapesOf('ReduceMax', { inputs: [x], attributes: [attr.ints('axes', [-1]), attr.int('keepdims', 0)], opset: 13 })).toEqual([['n', 3, 4]]);
    expect(shapesOf('ReduceSum', { inputs: [x], attributes: [attr.ints('axes', [1])], opset: 11 })).toEqual([['n', 1, 4, 5]]);
  });
  it('axes input from opset 18 (13 for ReduceSum)', () => {
    expect(shapesOf('ReduceMean', { inputs: [x, 'a'], initializers: { a: i64([1], [1]) }, attributes: [attr.int('keepdims', 0)], opset: 18 })).toEqual([['n', 4, 5]]);
    expect(shapesOf('ReduceSum', { inputs: [x, 'a'], initializers: { a: i64([2], [0, 2]) }, opset: 13 })).toEqual([[1, 3, 1, 5]]);
  });
  it('no axes reduces everything unless noop_with_empty_axes', () => {
    expect(shapesOf('ReduceMax', { inputs: [x], attributes: [attr.int('keepdims', 0)], opset: 18 })).toEqual([[]]);
    expect(shapesOf('ReduceSum', { inputs: [x], opset: 13 })).toEqual([[1, 1, 1, 1]]);
    expect(shapesOf('ReduceSum', { inputs: [x], attributes: [attr.int('noop_with_empty_axes', 1)], opset: 13 })).toEqual([['n', 3, 4, 5]]);
    expect(shapesOf('ReduceSum', { inputs: [x, 'a'], initializers: { a: i64([0], []) }, attributes: [attr.int('noop_with_empty_axes', 1)], opset: 13 })).toEqual([['n', 3, 4, 5]]);
  });
  it('unknown axes: rank kept with keepdims, else unknown', () => {
    expect(shapesOf('ReduceMean', { inputs: [x, ['a', 'int64', [1]]], opset: 18 })).toEqual([[null, null, null, null]]);
    expect(shapesOf('ReduceMean', { inputs: [x, ['a', 'int64', [1]]], attributes: [attr.int('keepdims', 0)], opset: 18 })).toEqual([null]);
  });
});

describe('inferShapes: normalization, recurrent, quantization', () => {
  it('BatchNormalization, InstanceNormalization, LayerNormalization', () => {
    expect(inferOne('BatchNormalization', { inputs: [['x', 'float32', ['n', 4, 5, 5]], ['s', 'float32', [4]], ['b', 'float32', [4]], ['m', 'float32', [4]], ['v', 'float32', [4]]] })).toEqual([{ dtype: 'float32', shape: ['n', 4, 5, 5] }]);
    expect(shapesOf('InstanceNormalization', { inputs: [['x', 'float32', [2, 4, 5]], ['s', 'float32', [4]], ['b', 'float32', [4]]] })).toEqual([[2, 4, 5]]);
    const ln = inferOne('LayerNormalization', { inputs: [['x', 'float16', ['b', 'seq', 64]], ['s', 'float16', [64]]], attributes: [attr.int('axis', -1)], outputs: 3 });
    expect(ln).toEqual([
      { dtype: 'float16', shape: ['b', 'seq', 64] },
      { dtype: 'float32', shape: ['b', 'seq', 1] },
      { dtype: 'float32', shape: ['b', 'seq', 1] },
    ]);
  });

  it('LSTM outputs for both layouts and directions', () => {
    const lstm = (layout: number, direction: string, dirs: number) =>
      shapesOf('LSTM', {
        inputs: [['x', 'float32', layout === 0 ? ['seq', 'b', 10] : ['b', 'seq', 10]], ['w', 'float32', [dirs, 32, 10]], ['r', 'float32', [dirs, 32, 8]]],
        attributes: [attr.int('hidden_size', 8), attr.string('direction', direction), attr.int('layout', layout)],
        outputs: 3,
        opset: 14,
      });
    expect(lstm(0, 'forward', 1)).toEqual([['seq', 1, 'b', 8], [1, 'b', 8], [1, 'b', 8]]);
    expect(lstm(1, 'bidirectional', 2)).toEqual([['b', 'seq', 2, 8], ['b', 2, 8], ['b', 2, 8]]);
    expect(() => lstm(0, 'bidirectional', 1)).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
  });

  it('QuantizeLinear / DequantizeLinear / DynamicQuantizeLinear', () => {
    expect(inferOne('QuantizeLinear', { inputs: [['x', 'float32', ['n', 4]], ['s', 'float32', []], ['z', 'int8', []]] })).toEqual([{ dtype: 'int8', shape: ['n', 4] }]);
    expect(inferOne('QuantizeLinear', { inputs: [['x', 'float32', ['n', 4]], ['s', 'float32', []]] })).toEqual([{ dtype: 'uint8', shape: ['n', 4] }]);
    expect(inferOne('DequantizeLinear', { inputs: [['x', 'int8', [4, 3]], ['s', 'float32', [4]], ['z', 'int8', [4]]], attributes: [attr.int('axis', 0)] })).toEqual([{ dtype: 'float32', shape: [4, 3] }]);
    expect(inferOne('DequantizeLinear', { inputs: [['x', 'int8', [4]], ['s', 'float16', []]], opset: 21 })).toEqual([{ dtype: 'float16', shape: [4] }]);
    expect(inferOne('DynamicQuantizeLinear', { inputs: [['x', 'float32', ['n', 4]]], outputs: 3 })).toEqual([
      { dtype: 'uint8', shape: ['n', 4] },
      { dtype: 'float32', shape: [] },
      { dtype: 'uint8', shape: [] },
    ]);
  });
});

describe('inferShapes: coverage and Upsample', () => {
  it('has a rule for every op of the brief and of the reference executor', () => {
    const claimed = [
      'Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Max', 'Min', 'Relu',
      'LeakyRelu', 'PRelu', 'Clip', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Erf', 'Softmax', 'MaxPool', 'AveragePool',
      'GlobalAveragePool', 'BatchNormalization', 'InstanceNormalization', 'LayerNormalization', 'Concat', 'Reshape', 'Flatten',
      'Transpose', 'Squeeze', 'Unsqueeze', 'Slice', 'Gather', 'Split', 'Shape', 'Cast', 'Constant', 'ConstantOfShape', 'Identity', 'Pad',
      'Resize', 'ReduceMean', 'ReduceMax', 'ReduceSum', 'Where', 'Equal', 'LSTM', 'If', 'QuantizeLinear', 'DequantizeLinear',
      'QLinearConv', 'QLinearMatMul', 'ConvInteger', 'MatMulInteger', 'DynamicQuantizeLinear',
      // further kernels of the reference executor
      'And', 'Or', 'Xor', 'Not', 'Ceil', 'Floor', 'Round', 'Cos', 'Sin', 'Sign', 'Reciprocal', 'Elu', 'Selu', 'ThresholdedRelu',
      'Softplus', 'Softsign', 'Hardmax', 'LogSoftmax', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Mean', 'Sum', 'Expand',
      'Tile', 'Size', 'CastLike', 'Upsample', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceMin', 'ReduceProd', 'ReduceSumSquare',
    ];
    const have = new Set(shapeInferenceOps());
    expect(claimed.filter((op) => !have.has(op))).toEqual([]);
  });

  it('Upsample reads scales from the attribute (opset 7) or input 1 (opset 9)', () => {
    expect(shapesOf('Upsample', { inputs: [['x', 'float32', ['n', 3, 4, 5]]], attributes: [attr.floats('scales', [1, 1, 2, 2])], opset: 7 })).toEqual([['n', 3, 8, 10]]);
    expect(shapesOf('Upsample', { inputs: [['x', 'float32', ['n', 3, 4, 5]], 's'], initializers: { s: f32([4], [1, 1, 2, 3]) }, opset: 9 })).toEqual([['n', 3, 8, 15]]);
  });

  it('Resize sizes computed from a Shape keep symbols', () => {
    const g = graph({
      nodes: [node('Shape', ['like'], ['sz']), node('Resize', ['x', '', '', 'sz'], ['y'])],
      inputs: [['x', 'float32', ['n', 3, 4, 4]], ['like', 'float32', ['n', 3, 'h', 'w']]],
      outputs: ['y'],
    });
    expect(inferShapes(g, { opset: 13 }).values.get('y')!.shape).toEqual(['n', 3, 'h', 'w']);
  });
});
