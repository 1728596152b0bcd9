import { attrFloat, attrInts } from '@quantforge/core';
import { addParams, divideByF32, hardSigmoidF32, lutPopulateS8, mulMultiplier, softmaxParams } from '../arith/index.js';
import { scalarDivisor } from '../classify.js';
import { outputClamp } from './clamp.js';
import { dims4, type LoweredOp, type LowerContext, type LowerNode } from './context.js';
import { leadingPadding } from './ops-conv.js';
import { scratchBytes } from './scratch.js';

function operand(ctx: LowerContext, name: string, other: string): number {
  return ctx.g.isConstant(name) ? ctx.b.elementwiseConstant(name, ctx.g.shape(other) ?? []) : ctx.b.activation(name);
}

function base(n: LowerNode, inputs: number[], output: number, params: LoweredOp['params']): LoweredOp {
  return { node: n.node.name, fused: n.fused === undefined ? [] : [n.fused.name], targetOp: n.targetOp, kernel: n.kernel, inputs, outputs: [output], params };
}

/** Add as `arm_elementwise_add_s8`: TFLite's double-scaling parameters (left shift 20) and the fused clamp. */
export function lowerAdd(n: LowerNode, ctx: LowerContext): LoweredOp {
  const [a, c] = n.node.inputs as [string, string];
  const ids = [operand(ctx, a, c), operand(ctx, c, a)];
  const out = ctx.b.activation(n.output);
  const outQ = ctx.b.quant(n.output);
  // TFLM: left shift 20 for int8, 15 for int16 (add_common.cc).
  const p = addParams(ctx.b.quant(a), ctx.b.quant(c), outQ, { rounding: ctx.profile.rounding, leftShift: ctx.b.bits === 16 ? 15 : 20 });
  const clamp = outputClamp(n.clamp, outQ, ctx.b.bits);
  return base(n, ids, out, { ...p, size: ctx.b.elements(out), activationMin: clamp.min, activationMax: clamp.max });
}

/** Mul as `arm_elementwise_mul_s8`: one multiplier for `s1 · s2 / s_out`, offsets and the fused clamp. */
export function lowerMul(n: LowerNode, ctx: LowerContext): LoweredOp {
  const [a, c] = n.node.inputs as [string, string];
  const ids = [operand(ctx, a, c), operand(ctx, c, a)];
  const out = ctx.b.activation(n.output);
  const qa = ctx.b.quant(a);
  const qc = ctx.b.quant(c);
  const outQ = ctx.b.quant(n.output);
  const m = mulMultiplier(qa.scale, qc.scale, outQ.scale, ctx.profile.rounding);
  const clamp = outputClamp(n.clamp, outQ, ctx.b.bits);
  return base(n, ids, out, {
    input1Offset: -qa.zeroPoint, input2Offset: -qc.zeroPoint, outputOffset: outQ.zeroPoint, outputMultiplier: m.multiplier, outputShift: m.shift,
    size: ctx.b.elements(out), activationMin: clamp.min, activationMax: clamp.max,
  });
}

/** Average / max pooling: window, strides, top-left padding (Global*: the whole map), clamp, DSP scratch. */
export function lowerPool(n: LowerNode, ctx: LowerContext): LoweredOp {
  const x = n.node.inputs[0]!;
  const inId = ctx.b.activation(x);
  const out = ctx.b.activation(n.output);
  const input = ctx.b.tensors[inId]!.dims;
  const output = ctx.b.tensors[out]!.dims;
  const [, inH, inW] = dims4(input);
  const [, outH, outW] = dims4(output);
  const global = n.node.opType.startsWith('Global');
  const kernel = (global ? [inH, inW] : attrInts(n.node, 'kernel_shape', [1, 1])) as [number, number];
  const strides = global ? [1, 1] : attrInts(n.node, 'strides', [1, 1]);
  const padding = global ? [0, 0] : leadingPadding(n.node, [inH, inW], [outH, outW], kernel, strides, [1, 1]);
  const clamp = outputClamp(n.clamp, ctx.b.quant(n.output), ctx.b.bits);
  const op = base(n, [inId], out, {
    inputDims: input, outputDims: output, filterH: kernel[0], filterW: kernel[1], strideH: strides[0]!, strideW: strides[1]!,
    padH: padding[0]!, padW: padding[1]!, activationMin: clamp.min, activationMax: clamp.max,
  });
  const scratch = ctx.b.bits === 16 ? 0 : scratchBytes({ targetOp: n.targetOp, variant: ctx.variant, input, output, kernel });
  if (scratch > 0) op.scratch = ctx.b.scratch(n.node.name, scratch);
  return op;
}

/** Softmax as `arm_softmax_s8` over the last axis: beta 1, TFLite's input multiplier, left shift and diff_min. */
export function lowerSoftmax(n: LowerNode, ctx: LowerContext): LoweredOp {
  const x = n.node.inputs[0]!;
  const inId = ctx.b.activation(x);
  const out = ctx.b.activation(n.output);
  const shape = ctx.g.shape(x)!;
  const rowSize = shape[shape.length - 1]!;
  const p = softmaxParams(1, ctx.b.quant(x).scale, ctx.profile.rounding);
  return base(n, [inId], out, { numRows: ctx.b.tensors[inId]!.bytes / rowSize, rowSize, multiplier: p.inputMultiplier, shift: p.inputLeftShift, diffMin: p.diffMin });
}

/**
 * HardSigmoid and Div by a scalar constant as an int8 → int8 lookup table (TFLite `LUTPopulate`): the float op
 * evaluated on every input code through the input and output encodings, stored in flash (256 bytes per op).
 */
export function lowerLut(n: LowerNode, ctx: LowerContext): LoweredOp {
  const x = n.node.inputs[0]!;
  const inId = ctx.b.activation(x);
  const out = ctx.b.activation(n.output);
  const f = n.node.opType === 'HardSigmoid'
    ? hardSigmoidF32(attrFloat(n.node, 'alpha', 0.2), attrFloat(n.node, 'beta', 0.5))
    : divideByF32(scalarDivisor(n.node, ctx.g)!);
  const table = lutPopulateS8(f, ctx.b.quant(x), ctx.b.quant(n.output));
  const lutId = ctx.b.constant(`${n.node.name}:lut`, table, [256]);
  return base(n, [inId, lutId], out, { size: ctx.b.tensors[out]!.bytes });
}
