import { attrInt, attrString, sizeOf } from '@quantforge/core';
import type { Kernel, KernelContext, KernelTable } from '../types.js';
import { fromNumbers, kernelError, need, numbers, readInts } from './util.js';

// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (input [N, C, d...], target [N, d...]). "mean" divides by the
// summed weights of the targets that count, not by the element count, as the spec defines it.

/** Per-element or reduced loss from log-probabilities, in float64. */
function nll(logp: ArrayLike<number>, dims: readonly number[], target: number[], weight: ArrayLike<number> | undefined, ctx: KernelContext): { dims: number[]; data: Float64Array } {
  const n = dims[0] ?? 0;
  const c = dims[1] ?? 0;
  const inner = sizeOf(dims.slice(2));
  const ignore = attrInt(ctx.node, 'ignore_index');
  const reduction = attrString(ctx.node, 'reduction', 'mean');
  const loss = new Float64Array(n * inner);
  let total = 0;
  let weights = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < inner; i++) {
      const t = target[b * inner + i]!;
      if (t === ignore) continue;
      if (t < 0 || t >= c) throw kernelError(ctx, `target ${t} is out of range for ${c} classes`, { target: t });
      const w = weight ? weight[t]! : 1;
      const v = -logp[(b * c + t) * inner + i]! * w;
      loss[b * inner + i] = v;
      total += v;
      weights += w;
    }
  }
  if (reduction === 'none') return { dims: [n, ...dims.slice(2)], data: loss };
  if (reduction !== 'sum' && reduction !== 'mean') throw kernelError(ctx, `unknown reduction ${reduction}`);
  return { dims: [], data: Float64Array.of(reduction === 'sum' ? total : total / weights) };
}

const negativeLogLikelihoodLoss: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const loss = nll(numbers(x, ctx), x.dims, readInts(need(inputs, 1, ctx)), inputs[2] ? numbers(inputs[2], ctx) : undefined, ctx);
  return [fromNumbers(x.dtype, loss.dims, loss.data, ctx)];
};

const softmaxCrossEntropyLoss: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const c = x.dims[1] ?? 0;
  const inner = sizeOf(x.dims.slice(2));
  const src = numbers(x, ctx);
  const logp = new Float64Array(src.length);
  const rows = c * inner === 0 ? 0 : src.length / (c * inner);
  for (let b = 0; b < rows; b++) {
    for (let i = 0; i < inner; i++) {
      let max = -Infinity;
      for (let k = 0; k < c; k++) max = Math.max(max, src[(b * c + k) * inner + i]!);
      let sum = 0;
      for (let k = 0; k < c; k++) sum += Math.exp(src[(b * c + k) * inner + i]! - max);
      const lse = max + Math.log(sum);
      for (let k = 0; k < c; k++) logp[(b * c + k) * inner + i] = src[(b * c + k) * inner + i]! - lse;
    }
  }
  const loss = nll(logp, x.dims, readInts(need(inputs, 1, ctx)), inputs[2] ? numbers(inputs[2], ctx) : undefined, ctx);
  return [fromNumbers(x.dtype, loss.dims, loss.data, ctx), fromNumbers(x.dtype, x.dims, logp, ctx)];
};

export const LOSS_KERNELS: KernelTable = {
  NegativeLogLikelihoodLoss: negativeLogLikelihoodLoss,
  SoftmaxCrossEntropyLoss: softmaxCrossEntropyLoss,
};
