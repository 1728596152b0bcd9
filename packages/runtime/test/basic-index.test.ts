import { describe, expect, it } from 'vitest';
import { BASIC_KERNELS } from '../src/kernels/basic/index.js';

// The ops the reference executor promises for its basic families; dropping one must fail here, not in a model run.
const REQUIRED = [
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Max', 'Min', 'Equal', 'Where',
  'Relu', 'LeakyRelu', 'PRelu', 'Clip', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Erf', 'Softmax',
  'BatchNormalization', 'InstanceNormalization', 'LayerNormalization',
  'Concat', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Slice', 'Gather', 'Split', 'Shape', 'Cast',
  'Constant', 'ConstantOfShape', 'Identity', 'Pad', 'Resize', 'ReduceMean', 'ReduceMax', 'ReduceSum',
  'LSTM', 'If', 'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear',
];

describe('BASIC_KERNELS', () => {
  it('exports every required op as a function', () => {
    const missing = REQUIRED.filter((op) => typeof BASIC_KERNELS[op] !== 'function');
    expect(missing).toEqual([]);
  });

  it('claims no op of the linear family (Conv, Gemm, MatMul, pooling belong to LINEAR_KERNELS)', () => {
    const linear = ['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool'];
    expect(linear.filter((op) => op in BASIC_KERNELS)).toEqual([]);
  });
});
