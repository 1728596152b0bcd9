import * as conv from './ops-conv.js';
import * as ew from './ops-elementwise.js';
import * as linear from './ops-linear.js';
import * as misc from './ops-misc.js';
import * as t from './ops-tensor.js';
import type { OpRule } from './types.js';

const same = ew.sameAsInput;

/** Shape rules of the default ONNX domain, by op type. */
export const SHAPE_RULES: ReadonlyMap<string, OpRule> = new Map<string, OpRule>([
  // unary element-wise and shape-preserving
  ...[
    'Relu', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Erf', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Clip',
    'Softmax', 'LogSoftmax', 'Identity', 'Floor', 'Ceil', 'Round', 'Reciprocal', 'Sign', 'Sin', 'Cos', 'Elu', 'Selu',
    'Softplus', 'Softsign', 'Gelu', 'Mish', 'Celu', 'ThresholdedRelu', 'Hardmax', 'InstanceNormalization',
    'LpNormalization', 'LRN', 'MeanVarianceNormalization', 'GroupNormalization', 'Shrink', 'CumSum',
  ].map((op): [string, OpRule] => [op, same]),
  ['Not', same],
  ['Dropout', ew.dropout],
  ['Cast', ew.cast],
  ['CastLike', ew.castLike],
  // broadcasting
  ['Add', ew.arithmetic((a, b) => a + b)],
  ['Sub', ew.arithmetic((a, b) => a - b)],
  ['Mul', ew.arithmetic((a, b) => a * b)],
  ['Div', ew.divide],
  ...['Pow', 'Max', 'Min', 'Sum', 'Mean', 'Mod', 'PRelu', 'BitShift'].map((op): [string, OpRule] => [op, ew.broadcasting]),
  ...['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'Xor'].map((op): [string, OpRule] => [op, ew.comparison]),
  ['Where', ew.where],
  // convolution and pooling
  ['Conv', conv.conv],
  ['ConvTranspose', conv.convTranspose],
  ['ConvInteger', conv.convInteger],
  ['QLinearConv', conv.qlinearConv],
  ['MaxPool', conv.maxPool],
  ['AveragePool', conv.pool],
  ['LpPool', conv.pool],
  ['GlobalAveragePool', conv.globalPool],
  ['GlobalMaxPool', conv.globalPool],
  ['GlobalLpPool', conv.globalPool],
  // linear algebra
  ['Gemm', linear.gemm],
  ['MatMul', linear.matmul],
  ['MatMulInteger', linear.matmulInteger],
  ['QLinearMatMul', linear.qlinearMatmul],
  // normalization
  ['BatchNormalization', misc.batchNorm],
  ['LayerNormalization', misc.layerNorm],
  // tensor manipulation
  ['Concat', t.concat],
  ['Reshape', t.reshape],
  ['Flatten', t.flatten],
  ['Transpose', t.transpose],
  ['Squeeze', t.squeeze],
  ['Unsqueeze', t.unsqueeze],
  ['Slice', t.slice],
  ['Gather', t.gather],
  ['Split', t.split],
  ['Constant', t.constant],
  ['Shape', t.shape],
  ['Size', t.size],
  ['ConstantOfShape', t.constantOfShape],
  ['Pad', t.pad],
  ['Expand', t.expand],
  ['Tile', t.tile],
  ['Resize', misc.resize],
  ['Upsample', misc.upsample],
  // reductions
  ['ReduceSum', misc.reduce(13)],
  ...['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'].map(
    (op): [string, OpRule] => [op, misc.reduce(18)],
  ),
  ['ArgMax', misc.argReduce],
  ['ArgMin', misc.argReduce],
  // recurrent and control flow
  ['LSTM', misc.recurrent(4)],
  ['GRU', misc.recurrent(3)],
  ['RNN', misc.recurrent(1)],
  ['If', misc.ifOp],
  // quantization
  ['QuantizeLinear', misc.quantizeLinear],
  ['DequantizeLinear', misc.dequantizeLinear],
  ['DynamicQuantizeLinear', misc.dynamicQuantizeLinear],
]);

/**
 * The default-domain op types {@link inferShapes} has a rule for, sorted. Executors can check their kernel list
 * against it.
 *
 * @example
 * ```ts
 * const missing = supportedOps().filter((op) => !shapeInferenceOps().includes(op));
 * ```
 */
export function shapeInferenceOps(): string[] {
  return [...SHAPE_RULES.keys()].sort();
}
