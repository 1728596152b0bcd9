import { attrInt, attrInts, sizeOf } from '@quantforge/core';
import type { Kernel, KernelTable } from '../types.js';
import { broadcastMap } from './broadcast.js';
import { fromNumbers, need, normAxis, numbers, readInts } from './util.js';

// Reductions over a set of axes. Each input element is folded into the output slot the input->output broadcast map
// gives it (the output with keepdims broadcasts back onto the input), so any axis set costs one pass.

interface Reducer {
  init: number;
  step: (acc: number, v: number) => number;
  finish?: (acc: number, count: number, shift: number) => number;
  /** Value of a reduction over zero elements. */
  empty: number;
  /** Subtract each slot's maximum first and hand it to `finish` (log-sum-exp stays finite). */
  shifted?: boolean;
}

/** The opset from which `axes` moved from an attribute to the second input. */
function reduceKernel(r: Reducer, axesInputFrom: number): Kernel {
  return (inputs, ctx) => {
    const x = need(inputs, 0, ctx);
    const rank = x.dims.length;
    const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
    let axes: number[] | undefined;
    if (ctx.opset < axesInputFrom) axes = attrInts(ctx.node, 'axes');
    else axes = inputs[1] ? readInts(inputs[1]) : undefined;
    if (!axes || axes.length === 0) {
      // noop_with_empty_axes exists only in the input form; there an empty list means "return the input".
      if (ctx.opset >= axesInputFrom && attrInt(ctx.node, 'noop_with_empty_axes', 0) === 1) {
        return [fromNumbers(x.dtype, x.dims, numbers(x, ctx), ctx)];
      }
      axes = x.dims.map((_, i) => i);
    }
    const red = new Set(axes.map((a) => normAxis(a, rank, ctx)));
    const keptDims = x.dims.map((d, i) => (red.has(i) ? 1 : d));
    const outDims = keep ? keptDims : x.dims.filter((_, i) => !red.has(i));
    const n = sizeOf(keptDims);
    const acc = new Float64Array(n).fill(r.init);
    const src = numbers(x, ctx);
    const map = broadcastMap(keptDims, x.dims);
    const shift = new Float64Array(n);
    if (r.shifted) {
      shift.fill(-Infinity);
      for (let i = 0; i < src.length; i++) {
        const o = map ? map[i]! : i;
        if (src[i]! > shift[o]!) shift[o] = src[i]!;
      }
      for (let o = 0; o < n; o++) if (!Number.isFinite(shift[o]!)) shift[o] = 0;
    }
    for (let i = 0; i < src.length; i++) {
      const o = map ? map[i]! : i;
      acc[o] = r.step(acc[o]!, src[i]! - shift[o]!);
    }
    const count = n === 0 ? 0 : src.length / n;
    for (let o = 0; o < n; o++) acc[o] = count === 0 ? r.empty : r.finish ? r.finish(acc[o]!, count, shift[o]!) : acc[o]!;
    return [fromNumbers(x.dtype, outDims, acc, ctx)];
  };
}

const SUM: Reducer = { init: 0, step: (a, v) => a + v, empty: 0 };
const MEAN: Reducer = { init: 0, step: (a, v) => a + v, finish: (a, c) => a / c, empty: NaN };
const MAX: Reducer = { init: -Infinity, step: (a, v) => (v > a || v !== v ? v : a), empty: -Infinity };
const MIN: Reducer = { init: Infinity, step: (a, v) => (v < a || v !== v ? v : a), empty: Infinity };
const PROD: Reducer = { init: 1, step: (a, v) => a * v, empty: 1 };
const SUM_SQUARE: Reducer = { init: 0, step: (a, v) => a + v * v, empty: 0 };
const L1: Reducer = { init: 0, step: (a, v) => a + Math.abs(v), empty: 0 };
const L2: Reducer = { init: 0, step: (a, v) => a + v * v, finish: (a) => Math.sqrt(a), empty: 0 };
const LOG_SUM_EXP: Reducer = { init: 0, step: (a, v) => a + Math.exp(v), finish: (a, _c, m) => Math.log(a) + m, empty: -Infinity, shifted: true };
const LOG_SUM: Reducer = { init: 0, step: (a, v) => a + v, finish: (a) => Math.log(a), empty: -Infinity };

export const REDUCE_KERNELS: KernelTable = {
  ReduceSum: reduceKernel(SUM, 13),
  ReduceMean: reduceKernel(MEAN, 18),
  ReduceMax: reduceKernel(MAX, 18),
  ReduceMin: reduceKernel(MIN, 18),
  ReduceProd: reduceKernel(PROD, 18),
  ReduceSumSquare: reduceKernel(SUM_SQUARE, 18),
  ReduceL1: reduceKernel(L1, 18),
  ReduceL2: reduceKernel(L2, 18),
  ReduceLogSum: reduceKernel(LOG_SUM, 18),
  ReduceLogSumExp: reduceKernel(LOG_SUM_EXP, 18),
};
