import { attrInt, attrInts, attrString } from '@quantforge/core';
import { convPerChannelMultipliers, fullyConnectedMultiplier } from '../arith/index.js';
import { reordersLayout } from '../classify.js';
import { outputClamp } from './clamp.js';
import { dims4, type LoweredOp, type LowerContext, type LowerNode } from './context.js';
import { denseWeights, depthwiseWeights, oihwToOhwi } from './layout.js';
import { dispatchedKernel, scratchBytes, type ScratchQuery } from './scratch.js';

/** Top/left padding of a Conv or pool: explicit `pads`, or SAME_UPPER (TFLite SAME) computed from the output size. */
export function leadingPadding(node: LowerNode['node'], inHW: [number, number], outHW: [number, number], kernel: [number, number], strides: number[], dil: number[]): [number, number] {
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return [0, 0];
  if (autoPad === 'SAME_UPPER') {
    return [0, 1].map((i) => Math.floor(Math.max(0, (outHW[i]! - 1) * strides[i]! + (kernel[i]! - 1) * dil[i]! + 1 - inHW[i]!) / 2)) as [number, number];
  }
  const pads = attrInts(node, 'pads', [0, 0, 0, 0]);
  return [pads[0]!, pads[1]!];
}

/**
 * Conv (generic, 1×1, depthwise): OIHW → OHWI (or 1HWO) weights, per-channel (multiplier, shift) from
 * `in_s · w_s[c] / out_s`, offsets −zp_in / +zp_out, the fused activation's clamp, and the scratch size.
 */
export function lowerConv(n: LowerNode, ctx: LowerContext): LoweredOp {
  const { g, b } = ctx;
  const [x, w, bias] = n.node.inputs as [string, string, string | undefined];
  const wDims = g.shape(w)!;
  const [cOut, ck, kh, kw] = wDims as [number, number, number, number];
  const inQ = b.quant(x);
  const outQ = b.quant(n.output);
  const { codes, scales } = ctx.b.weight(w, 0, cOut);
  const depthwise = n.targetOp === 'depthwise-conv2d';
  const filter = depthwise ? depthwiseWeights(codes, wDims) : oihwToOhwi(codes, wDims);
  const filterDims = depthwise ? [1, kh, kw, cOut] : [cOut, kh, kw, ck];
  const inputId = b.activation(x);
  const input = b.tensors[inputId]!.dims;
  const outputId = b.activation(n.output);
  const output = b.tensors[outputId]!.dims;
  const strides = attrInts(n.node, 'strides', [1, 1]);
  const dil = attrInts(n.node, 'dilations', [1, 1]);
  const [, inH, inW] = dims4(input);
  const [, outH, outW] = dims4(output);
  const padding = leadingPadding(n.node, [inH, inW], [outH, outW], [kh, kw], strides, dil);
  const { multipliers, shifts } = convPerChannelMultipliers(inQ.scale, scales, outQ.scale, { channels: cOut, rounding: ctx.profile.rounding });
  const wide = b.bits === 16;
  const filterId = b.constant(w, filter, filterDims);
  const biasName = bias ?? `${n.node.name}:bias`;
  const biasId = wide ? b.constant(biasName, b.bias64(bias, cOut, inQ.scale, scales), [cOut], undefined, true) : b.constant(biasName, b.bias(bias, cOut, inQ.scale, scales), [cOut]);
  const clamp = outputClamp(n.clamp, outQ, b.bits);
  const params = {
    inputDims: input, filterDims, outputDims: output, inputOffset: -inQ.zeroPoint, outputOffset: outQ.zeroPoint,
    strideH: strides[0]!, strideW: strides[1]!, padH: padding[0], padW: padding[1], dilationH: dil[0]!, dilationW: dil[1]!,
    activationMin: clamp.min, activationMax: clamp.max, multipliers: [...multipliers], shifts: [...shifts],
    ...(depthwise ? { channelMultiplier: cOut / input[3]! } : { groups: attrInt(n.node, 'group', 1) }),
  };
  const q: ScratchQuery = {
    targetOp: n.targetOp, variant: ctx.variant, input, output, kernel: [kh, kw], filterChannels: ck, stride: [strides[0]!, strides[1]!], padding, dilation: [dil[0]!, dil[1]!],
  };
  // The int16 kernels here are the plain C loops (arm_convolve_s16's pure-C path needs no im2col buffer).
  const scratch = wide ? 0 : scratchBytes(q);
  const op: LoweredOp = {
    node: n.node.name, fused: n.fused === undefined ? [] : [n.fused.name], targetOp: n.targetOp, kernel: wide ? n.kernel : dispatchedKernel(q, n.kernel),
    inputs: [inputId, filterId, biasId], outputs: [outputId], params,
  };
  if (scratch > 0) op.scratch = b.scratch(n.node.name, scratch);
  return op;
}

/** The NCHW shape a fully-connected input was flattened from (through reshape-like nodes), if any. */
function flattenedFrom(value: string, ctx: LowerContext): number[] | undefined {
  let v = value;
  for (;;) {
    const p = ctx.g.producer.get(v);
    if (p === undefined || !['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze'].includes(p.opType)) return undefined;
    if (reordersLayout(p, ctx.g)) return ctx.g.shape(p.inputs[0] ?? '');
    v = p.inputs[0] ?? '';
  }
}

/**
 * Gemm / MatMul with a constant weight as `arm_fully_connected_s8` (per-tensor: float32 scale product, as TFLM) or
 * `arm_fully_connected_per_channel_s8`: weights as `[C_OUT][K]`, columns permuted when the input was flattened from an
 * NCHW map.
 */
export function lowerDense(n: LowerNode, ctx: LowerContext): LoweredOp {
  const { g, b } = ctx;
  const [x, w, bias] = n.node.inputs as [string, string, string | undefined];
  const wDims = g.shape(w)!;
  const transposed = !(n.node.opType === 'Gemm' && attrInt(n.node, 'transB', 0) === 1);
  const cOut = transposed ? wDims[1]! : wDims[0]!;
  const k = transposed ? wDims[0]! : wDims[1]!;
  const inQ = b.quant(x);
  const outQ = b.quant(n.output);
  const { codes, scales } = b.weight(w, transposed ? 1 : 0, cOut);
  const filter = denseWeights(codes, wDims, transposed, flattenedFrom(x, ctx));
  const inputId = b.activation(x);
  const outputId = b.activation(n.output);
  const batches = b.elements(inputId) / k;
  const wide = b.bits === 16;
  const perChannel = scales.length > 1;
  const quant = perChannel
    ? convPerChannelMultipliers(inQ.scale, scales, outQ.scale, { channels: cOut, rounding: ctx.profile.rounding })
    : (() => {
      const m = fullyConnectedMultiplier(inQ.scale, scales[0]!, outQ.scale, ctx.profile.rounding);
      return { multipliers: [m.multiplier], shifts: [m.shift] };
    })();
  const filterId = b.constant(w, filter, [cOut, k]);
  const biasName = bias ?? `${n.node.name}:bias`;
  const biasId = wide ? b.constant(biasName, b.bias64(bias, cOut, inQ.scale, scales), [cOut], undefined, true) : b.constant(biasName, b.bias(bias, cOut, inQ.scale, scales), [cOut]);
  const clamp = outputClamp(n.clamp, outQ, b.bits);
  const op: LoweredOp = {
    node: n.node.name, fused: n.fused === undefined ? [] : [n.fused.name], targetOp: n.targetOp,
    kernel: wide ? n.kernel : perChannel ? 'arm_fully_connected_per_channel_s8' : 'arm_fully_connected_s8',
    inputs: [inputId, filterId, biasId], outputs: [outputId],
    params: {
      batches, accumDepth: k, outputDepth: cOut, inputOffset: -inQ.zeroPoint, filterOffset: 0, outputOffset: outQ.zeroPoint,
      activationMin: clamp.min, activationMax: clamp.max, multipliers: [...quant.multipliers], shifts: [...quant.shifts],
    },
  };
  const scratch = wide ? 0 : scratchBytes({ targetOp: n.targetOp, variant: ctx.variant, input: [batches, 1, 1, k], output: [batches, cOut] });
  if (scratch > 0) op.scratch = b.scratch(n.node.name, scratch);
  return op;
}
