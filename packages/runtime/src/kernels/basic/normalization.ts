import { QuantforgeError, attrFloat, attrInt, attrInts, sizeOf } from '@quantforge/core';
import type { Kernel, KernelTable } from '../types.js';
import { broadcastMap } from './broadcast.js';
import { fromNumbers, kernelError, need, normAxis, numbers } from './util.js';

// Inference-time normalizations. Statistics are accumulated in float64 whatever the tensor dtype.

const batchNormalization: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => numbers(need(inputs, i, ctx), ctx));
  const training = ctx.opset >= 14
    ? attrInt(ctx.node, 'training_mode', 0) === 1
    : ctx.node.outputs.slice(1).some((o) => o !== '');
  if (training) {
    throw new QuantforgeError('QF_OP_UNSUPPORTED', `BatchNormalization "${ctx.node.name}" in training mode is not supported`, {
      details: { node: ctx.node.name, opType: ctx.node.opType, training_mode: 1 },
      hint: 'Export the model in inference mode (training_mode=0).',
    });
  }
  const eps = attrFloat(ctx.node, 'epsilon', 1e-5);
  const c = x.dims[1] ?? 1;
  const inner = sizeOf(x.dims.slice(2));
  const src = numbers(x, ctx);
  const out = new Float64Array(src.length);
  const outer = c * inner === 0 ? 0 : src.length / (c * inner);
  for (let ch = 0; ch < c; ch++) {
    const k = scale![ch]! / Math.sqrt(variance![ch]! + eps);
    const b = bias![ch]! - mean![ch]! * k;
    for (let n = 0; n < outer; n++) {
      const base = (n * c + ch) * inner;
      for (let i = 0; i < inner; i++) out[base + i] = src[base + i]! * k + b;
    }
  }
  return [fromNumbers(x.dtype, x.dims, out, ctx)];
};

const instanceNormalization: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const scale = numbers(need(inputs, 1, ctx), ctx);
  const bias = numbers(need(inputs, 2, ctx), ctx);
  const eps = attrFloat(ctx.node, 'epsilon', 1e-5);
  if (x.dims.length < 2) throw kernelError(ctx, 'input must have rank >= 2');
  const c = x.dims[1]!;
  const inner = sizeOf(x.dims.slice(2));
  const src = numbers(x, ctx);
  const out = new Float64Array(src.length);
  const planes = x.dims[0]! * c;
  for (let p = 0; p < planes; p++) {
    const base = p * inner;
    let m = 0;
    for (let i = 0; i < inner; i++) m += src[base + i]!;
    m /= inner;
    let v = 0;
    for (let i = 0; i < inner; i++) v += (src[base + i]! - m) ** 2;
    v /= inner;
    const ch = p % c;
    const k = scale[ch]! / Math.sqrt(v + eps);
    for (let i = 0; i < inner; i++) out[base + i] = (src[base + i]! - m) * k + bias[ch]!;
  }
  return [fromNumbers(x.dtype, x.dims, out, ctx)];
};

/** LayerNormalization (opset 17): normalizes over dims [axis, rank); Mean and InvStdDev keep rank with 1s there. */
const layerNormalization: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const rank = x.dims.length;
  const axis = normAxis(attrInt(ctx.node, 'axis', -1), rank, ctx);
  const eps = attrFloat(ctx.node, 'epsilon', 1e-5);
  const stash = attrInt(ctx.node, 'stash_type', 1);
  const normDims = x.dims.slice(axis);
  const inner = sizeOf(normDims);
  const outer = sizeOf(x.dims.slice(0, axis));
  const scaleT = need(inputs, 1, ctx);
  const scale = numbers(scaleT, ctx);
  const sMap = broadcastMap(scaleT.dims, normDims);
  const biasT = inputs[2];
  const bias = biasT ? numbers(biasT, ctx) : undefined;
  const bMap = biasT ? broadcastMap(biasT.dims, normDims) : null;
  const src = numbers(x, ctx);
  const out = new Float64Array(src.length);
  const means = new Float64Array(outer);
  const invStd = new Float64Array(outer);
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    let m = 0;
    for (let i = 0; i < inner; i++) m += src[base + i]!;
    m /= inner;
    let v = 0;
    for (let i = 0; i < inner; i++) v += (src[base + i]! - m) ** 2;
    v /= inner;
    const r = 1 / Math.sqrt(v + eps);
    means[o] = m;
    invStd[o] = r;
    for (let i = 0; i < inner; i++) {
      const y = (src[base + i]! - m) * r * scale[sMap ? sMap[i]! : i]!;
      out[base + i] = bias ? y + bias[bMap ? bMap[i]! : i]! : y;
    }
  }
  const statDims = [...x.dims.slice(0, axis), ...normDims.map(() => 1)];
  const statType = stash === 1 ? 'float32' : x.dtype;
  return [fromNumbers(x.dtype, x.dims, out, ctx), fromNumbers(statType, statDims, means, ctx), fromNumbers(statType, statDims, invStd, ctx)];
};

/** MeanVarianceNormalization: (x - mean) / (sqrt(var) + 1e-9) over `axes` (default N, H, W), as its ONNX function. */
const meanVarianceNormalization: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const rank = x.dims.length;
  const axes = new Set(attrInts(ctx.node, 'axes', [0, 2, 3]).map((a) => normAxis(a, rank, ctx)));
  const kept = x.dims.map((d, i) => (axes.has(i) ? 1 : d));
  const n = sizeOf(kept);
  const map = broadcastMap(kept, x.dims);
  const src = numbers(x, ctx);
  const sum = new Float64Array(n);
  const sq = new Float64Array(n);
  for (let i = 0; i < src.length; i++) {
    const o = map ? map[i]! : i;
    sum[o]! += src[i]!;
    sq[o]! += src[i]! * src[i]!;
  }
  const count = n === 0 ? 1 : src.length / n;
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const o = map ? map[i]! : i;
    const m = sum[o]! / count;
    const v = Math.max(0, sq[o]! / count - m * m);
    out[i] = (src[i]! - m) / (Math.sqrt(v) + 1e-9);
  }
  return [fromNumbers(x.dtype, x.dims, out, ctx)];
};

const lpNormalization: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const axis = normAxis(attrInt(ctx.node, 'axis', -1), x.dims.length, ctx);
  const p = attrInt(ctx.node, 'p', 2);
  if (p !== 1 && p !== 2) throw kernelError(ctx, `p must be 1 or 2, is ${p}`);
  const len = x.dims[axis]!;
  const inner = sizeOf(x.dims.slice(axis + 1));
  const outer = sizeOf(x.dims.slice(0, axis));
  const src = numbers(x, ctx);
  const out = new Float64Array(src.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let norm = 0;
      for (let k = 0; k < len; k++) {
        const v = src[(o * len + k) * inner + i]!;
        norm += p === 1 ? Math.abs(v) : v * v;
      }
      if (p === 2) norm = Math.sqrt(norm);
      for (let k = 0; k < len; k++) {
        const at = (o * len + k) * inner + i;
        out[at] = norm === 0 ? 0 : src[at]! / norm;
      }
    }
  }
  return [fromNumbers(x.dtype, x.dims, out, ctx)];
};

/** GroupNormalization: scale/bias are per group in opset 18 and per channel from 21; their length tells which. */
const groupNormalization: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const scale = numbers(need(inputs, 1, ctx), ctx);
  const bias = numbers(need(inputs, 2, ctx), ctx);
  const groups = attrInt(ctx.node, 'num_groups', 0);
  const eps = attrFloat(ctx.node, 'epsilon', 1e-5);
  const c = x.dims[1] ?? 0;
  if (groups <= 0 || c % groups !== 0) throw kernelError(ctx, `num_groups ${groups} does not divide ${c} channels`);
  const perChannel = scale.length === c && (ctx.opset >= 21 || c !== groups);
  if (scale.length !== (perChannel ? c : groups)) throw kernelError(ctx, `scale has ${scale.length} entries for ${c} channels in ${groups} groups`);
  const inner = sizeOf(x.dims.slice(2));
  const cg = c / groups;
  const block = cg * inner;
  const src = numbers(x, ctx);
  const out = new Float64Array(src.length);
  const blocks = block === 0 ? 0 : src.length / block;
  for (let g = 0; g < blocks; g++) {
    const base = g * block;
    let m = 0;
    for (let i = 0; i < block; i++) m += src[base + i]!;
    m /= block;
    let v = 0;
    for (let i = 0; i < block; i++) v += (src[base + i]! - m) ** 2;
    v /= block;
    const r = 1 / Math.sqrt(v + eps);
    const group = g % groups;
    for (let i = 0; i < block; i++) {
      const p = perChannel ? group * cg + Math.floor(i / inner) : group;
      out[base + i] = (src[base + i]! - m) * r * scale[p]! + bias[p]!;
    }
  }
  return [fromNumbers(x.dtype, x.dims, out, ctx)];
};

/** LRN across channels: the window spans floor((size-1)/2) channels before and ceil((size-1)/2) after. */
const lrn: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const size = attrInt(ctx.node, 'size', 0);
  if (size <= 0) throw kernelError(ctx, 'size must be positive');
  const alpha = attrFloat(ctx.node, 'alpha', 1e-4);
  const beta = attrFloat(ctx.node, 'beta', 0.75);
  const bias = attrFloat(ctx.node, 'bias', 1);
  const c = x.dims[1] ?? 1;
  const inner = sizeOf(x.dims.slice(2));
  const src = numbers(x, ctx);
  const out = new Float64Array(src.length);
  const before = Math.floor((size - 1) / 2);
  const after = Math.ceil((size - 1) / 2);
  const batches = c * inner === 0 ? 0 : src.length / (c * inner);
  for (let n = 0; n < batches; n++) {
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < inner; i++) {
        let sq = 0;
        for (let k = Math.max(0, ch - before); k <= Math.min(c - 1, ch + after); k++) sq += src[(n * c + k) * inner + i]! ** 2;
        const at = (n * c + ch) * inner + i;
        out[at] = src[at]! / (bias + (alpha / size) * sq) ** beta;
      }
    }
  }
  return [fromNumbers(x.dtype, x.dims, out, ctx)];
};

export const NORMALIZATION_KERNELS: KernelTable = {
  LRN: lrn,
  MeanVarianceNormalization: meanVarianceNormalization,
  LpNormalization: lpNormalization,
  GroupNormalization: groupNormalization,
  BatchNormalization: batchNormalization,
  InstanceNormalization: instanceNormalization,
  LayerNormalization: layerNormalization,
};
