import { attrInt, sizeOf } from '@quantforge/core';
import type { Kernel, KernelTable } from '../types.js';
import { broadcastMap } from './broadcast.js';
import { fromNumbers, kernelError, need, normAxis, numbers } from './util.js';

// Activations that look beyond one element: PRelu (a broadcast slope) and the softmax family.

const prelu: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const slope = need(inputs, 1, ctx);
  // Unidirectional: the slope broadcasts to X, never the other way round.
  const off = x.dims.length - slope.dims.length;
  if (off < 0 || slope.dims.some((d, i) => d !== 1 && d !== x.dims[off + i])) {
    throw kernelError(ctx, `slope [${slope.dims.join(', ')}] does not broadcast to X [${x.dims.join(', ')}]`);
  }
  const map = broadcastMap(slope.dims, x.dims);
  const xs = numbers(x, ctx);
  const ss = numbers(slope, ctx);
  const out = new Float64Array(xs.length);
  for (let i = 0; i < out.length; i++) {
    const v = xs[i]!;
    out[i] = v < 0 ? v * ss[map ? map[i]! : i]! : v;
  }
  return [fromNumbers(x.dtype, x.dims, out, ctx)];
};

type RowFn = (src: ArrayLike<number>, dst: Float64Array, base: number, len: number, stride: number) => void;

const softmaxRow: RowFn = (src, dst, base, len, stride) => {
  let max = -Infinity;
  for (let k = 0; k < len; k++) max = Math.max(max, src[base + k * stride]!);
  let sum = 0;
  for (let k = 0; k < len; k++) {
    const e = Math.exp(src[base + k * stride]! - max);
    dst[base + k * stride] = e;
    sum += e;
  }
  for (let k = 0; k < len; k++) dst[base + k * stride]! /= sum;
};

const logSoftmaxRow: RowFn = (src, dst, base, len, stride) => {
  let max = -Infinity;
  for (let k = 0; k < len; k++) max = Math.max(max, src[base + k * stride]!);
  let sum = 0;
  for (let k = 0; k < len; k++) sum += Math.exp(src[base + k * stride]! - max);
  const lse = max + Math.log(sum);
  for (let k = 0; k < len; k++) dst[base + k * stride] = src[base + k * stride]! - lse;
};

const hardmaxRow: RowFn = (src, dst, base, len, stride) => {
  let best = 0;
  for (let k = 1; k < len; k++) if (src[base + k * stride]! > src[base + best * stride]!) best = k;
  for (let k = 0; k < len; k++) dst[base + k * stride] = k === best ? 1 : 0;
};

/**
 * Before opset 13 the input is coerced to 2-D at `axis` (default 1) and each row [axis..end) is normalized together;
 * from 13 the op works along the single `axis` (default -1).
 */
function softmaxFamily(row: RowFn): Kernel {
  return (inputs, ctx) => {
    const x = need(inputs, 0, ctx);
    const rank = x.dims.length;
    const src = numbers(x, ctx);
    const dst = new Float64Array(src.length);
    if (ctx.opset < 13) {
      const raw = attrInt(ctx.node, 'axis', 1);
      const axis = rank === 0 ? 0 : raw < 0 ? raw + rank : raw;
      if (axis < 0 || axis > rank) throw kernelError(ctx, `axis ${raw} is out of range for rank ${rank}`);
      const len = sizeOf(x.dims.slice(axis));
      const rows = len === 0 ? 0 : src.length / len;
      for (let r = 0; r < rows; r++) row(src, dst, r * len, len, 1);
    } else {
      if (rank === 0) throw kernelError(ctx, 'input must have rank >= 1');
      const axis = normAxis(attrInt(ctx.node, 'axis', -1), rank, ctx);
      const len = x.dims[axis]!;
      const inner = sizeOf(x.dims.slice(axis + 1));
      const outer = sizeOf(x.dims.slice(0, axis));
      for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) row(src, dst, o * len * inner + i, len, inner);
    }
    return [fromNumbers(x.dtype, x.dims, dst, ctx)];
  };
}

export const ACTIVATION_KERNELS: KernelTable = {
  PRelu: prelu,
  Softmax: softmaxFamily(softmaxRow),
  LogSoftmax: softmaxFamily(logSoftmaxRow),
  Hardmax: softmaxFamily(hardmaxRow),
};
