import { QuantforgeError, type ProgramOp } from '@quantforge/core';
import { addS16, avgPoolS16, convS16, depthwiseConvS16, fullyConnectedS16, maxPoolS16, mulS16, type Dims4 } from './kernels/index.js';
import type { RoundingMode } from './arith/index.js';
import type { Memory } from './simulate.js';

const num = (op: ProgramOp, key: string): number => op.params[key] as number;
const arr = (op: ProgramOp, key: string): number[] => op.params[key] as number[];
const d4 = (v: number[]): Dims4 => ({ n: v[0]!, h: v[1]!, w: v[2]!, c: v[3]! });

/** Runs one op of an int16x8 program (int16 activations, int64 biases) with the int16 kernel ports. */
export function runOpS16(op: ProgramOp, m: Memory, rounding: RoundingMode): void {
  const output = m.i16(op.outputs[0]!);
  const activation = { min: num(op, 'activationMin'), max: num(op, 'activationMax') };
  const quant = (): { multipliers: Int32Array; shifts: Int32Array } => ({ multipliers: Int32Array.from(arr(op, 'multipliers')), shifts: Int32Array.from(arr(op, 'shifts')) });
  switch (op.targetOp) {
    case 'conv2d': case 'conv2d-1x1': case 'depthwise-conv2d': {
      const [x, w, b] = op.inputs as [number, number, number];
      const args = {
        input: m.i16(x), inputDims: d4(arr(op, 'inputDims')), filter: m.i8(w), filterDims: d4(arr(op, 'filterDims')), bias: m.i64(b),
        outputDims: d4(arr(op, 'outputDims')), stride: { h: num(op, 'strideH'), w: num(op, 'strideW') }, padding: { h: num(op, 'padH'), w: num(op, 'padW') },
        dilation: { h: num(op, 'dilationH'), w: num(op, 'dilationW') }, activation, quant: quant(), output,
      };
      if (op.targetOp === 'depthwise-conv2d') depthwiseConvS16({ ...args, depthMultiplier: num(op, 'channelMultiplier') });
      else convS16(args);
      return;
    }
    case 'fully-connected': {
      const [x, w, b] = op.inputs as [number, number, number];
      fullyConnectedS16({
        input: m.i16(x), batches: num(op, 'batches'), accumDepth: num(op, 'accumDepth'), filter: m.i8(w), outputDepth: num(op, 'outputDepth'),
        bias: m.i64(b), activation, quant: quant(), output,
      });
      return;
    }
    case 'avg-pool': case 'max-pool': {
      const args = {
        input: m.i16(op.inputs[0]!), inputDims: d4(arr(op, 'inputDims')), filter: { h: num(op, 'filterH'), w: num(op, 'filterW') },
        stride: { h: num(op, 'strideH'), w: num(op, 'strideW') }, padding: { h: num(op, 'padH'), w: num(op, 'padW') }, outputDims: d4(arr(op, 'outputDims')),
        activation, output,
      };
      if (op.targetOp === 'avg-pool') avgPoolS16(args);
      else maxPoolS16(args);
      return;
    }
    case 'add': case 'mul': {
      const [a, b] = [m.tensor(op.inputs[0]!), m.tensor(op.inputs[1]!)];
      const dims = a.bytes === b.bytes ? {} : { input1Dims: a.dims.length === 0 ? [1] : a.dims, input2Dims: b.dims.length === 0 ? [1] : b.dims };
      const operands = { input1: m.i16(op.inputs[0]!), input2: m.i16(op.inputs[1]!), ...dims, activation, rounding, output };
      if (op.targetOp === 'add') {
        const p = (k: string): number => num(op, k);
        addS16({ ...operands, params: {
          leftShift: p('leftShift'), input1Offset: p('input1Offset'), input1Multiplier: p('input1Multiplier'), input1Shift: p('input1Shift'),
          input2Offset: p('input2Offset'), input2Multiplier: p('input2Multiplier'), input2Shift: p('input2Shift'),
          outputOffset: p('outputOffset'), outputMultiplier: p('outputMultiplier'), outputShift: p('outputShift'),
        } });
      } else {
        mulS16({ ...operands, params: { input1Offset: num(op, 'input1Offset'), input2Offset: num(op, 'input2Offset'), outputOffset: num(op, 'outputOffset'), multiplier: num(op, 'outputMultiplier'), shift: num(op, 'outputShift') } });
      }
      return;
    }
    default:
      throw new QuantforgeError('QF_TARGET_OP_UNSUPPORTED', `the simulator has no int16x8 kernel for target op ${op.targetOp}`, { details: { node: op.node, targetOp: op.targetOp } });
  }
}
