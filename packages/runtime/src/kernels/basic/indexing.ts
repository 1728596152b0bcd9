import { allocate, attrInt, attrString, cloneTensor, sizeOf, stridesOf, type Tensor, type TensorData } from '@quantforge/core';
import type { Kernel, KernelContext, KernelTable } from '../types.js';
import { fromNumbers, kernelError, need, normAxis, numbers, readInts, take } from './util.js';

// Index-driven gathers and scatters: GatherElements, GatherND, ScatterElements, ScatterND, OneHot, NonZero, Compress.

function fixIndex(v: number, size: number, ctx: KernelContext): number {
  if (v < -size || v >= size) throw kernelError(ctx, `index ${v} is out of range for size ${size}`, { index: v, size });
  return v < 0 ? v + size : v;
}

/** Flat data position of each element of `indices` when it replaces the coordinate on `axis` (Gather/ScatterElements). */
function elementPositions(dataDims: readonly number[], idxDims: readonly number[], idx: number[], axis: number, ctx: KernelContext): Int32Array {
  const rank = dataDims.length;
  if (idxDims.length !== rank) throw kernelError(ctx, 'indices must have the rank of data');
  const ds = stridesOf(dataDims);
  const is = stridesOf(idxDims);
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    let rem = i;
    let pos = 0;
    for (let a = 0; a < rank; a++) {
      const c = Math.floor(rem / is[a]!);
      rem -= c * is[a]!;
      pos += (a === axis ? fixIndex(idx[i]!, dataDims[a]!, ctx) : c) * ds[a]!;
    }
    out[i] = pos;
  }
  return out;
}

const gatherElements: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const ind = need(inputs, 1, ctx);
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), x.dims.length, ctx);
  return [take(x, elementPositions(x.dims, ind.dims, readInts(ind), axis, ctx), ind.dims)];
};

type Reduction = (a: number, b: number) => number;
const REDUCTIONS: Record<string, Reduction | undefined> = {
  add: (a, b) => a + b,
  mul: (a, b) => a * b,
  max: (a, b) => Math.max(a, b),
  min: (a, b) => Math.min(a, b),
};

/** Writes `updates` at `positions` of a copy of `x`, replacing or combining per `reduction`. */
function scatterInto(x: Tensor, positions: ArrayLike<number>, block: number, updates: Tensor, ctx: KernelContext): Tensor {
  const reduction = attrString(ctx.node, 'reduction', 'none');
  if (reduction === 'none') {
    const out = cloneTensor(x);
    const dst = out.data as unknown as unknown[];
    const src = updates.data as ArrayLike<unknown>;
    for (let k = 0; k < positions.length; k++) for (let j = 0; j < block; j++) dst[positions[k]! + j] = src[k * block + j];
    return out;
  }
  const f = REDUCTIONS[reduction];
  if (!f) throw kernelError(ctx, `unknown reduction ${reduction}`);
  const dst = Float64Array.from(numbers(x, ctx));
  const src = numbers(updates, ctx);
  for (let k = 0; k < positions.length; k++) for (let j = 0; j < block; j++) dst[positions[k]! + j] = f(dst[positions[k]! + j]!, src[k * block + j]!);
  return fromNumbers(x.dtype, x.dims, dst, ctx);
}

const scatterElements: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const ind = need(inputs, 1, ctx);
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), x.dims.length, ctx);
  return [scatterInto(x, elementPositions(x.dims, ind.dims, readInts(ind), axis, ctx), 1, need(inputs, 2, ctx), ctx)];
};

/** For GatherND/ScatterND: flat data offsets of each index tuple (last axis of `indices`) and the slice size. */
function ndOffsets(x: Tensor, ind: Tensor, batchDims: number, ctx: KernelContext): { offsets: Int32Array; block: number; tuples: number } {
  const k = ind.dims[ind.dims.length - 1] ?? 0;
  const r = x.dims.length;
  if (k > r - batchDims) throw kernelError(ctx, `index tuples of length ${k} exceed the data rank`);
  const idx = readInts(ind);
  const tuples = k === 0 ? sizeOf(ind.dims.slice(0, -1)) : idx.length / k;
  const ds = stridesOf(x.dims);
  const block = sizeOf(x.dims.slice(batchDims + k));
  const batch = sizeOf(x.dims.slice(0, batchDims));
  const perBatch = batch === 0 ? 0 : tuples / batch;
  const batchStride = batchDims > 0 ? ds[batchDims - 1]! : 0;
  const offsets = new Int32Array(tuples);
  for (let t = 0; t < tuples; t++) {
    let pos = batchDims > 0 ? Math.floor(t / perBatch) * batchStride : 0;
    for (let j = 0; j < k; j++) pos += fixIndex(idx[t * k + j]!, x.dims[batchDims + j]!, ctx) * ds[batchDims + j]!;
    offsets[t] = pos;
  }
  return { offsets, block, tuples };
}

const gatherND: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const ind = need(inputs, 1, ctx);
  const batchDims = attrInt(ctx.node, 'batch_dims', 0);
  const { offsets, block } = ndOffsets(x, ind, batchDims, ctx);
  const k = ind.dims[ind.dims.length - 1] ?? 0;
  const dims = [...ind.dims.slice(0, -1), ...x.dims.slice(batchDims + k)];
  const map = new Int32Array(offsets.length * block);
  for (let t = 0; t < offsets.length; t++) for (let j = 0; j < block; j++) map[t * block + j] = offsets[t]! + j;
  return [take(x, map, dims)];
};

const scatterND: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const { offsets, block } = ndOffsets(x, need(inputs, 1, ctx), 0, ctx);
  return [scatterInto(x, offsets, block, need(inputs, 2, ctx), ctx)];
};

const oneHot: Kernel = (inputs, ctx) => {
  const ind = numbers(need(inputs, 0, ctx), ctx);
  const indT = inputs[0]!;
  const depth = Math.trunc(numbers(need(inputs, 1, ctx), ctx)[0]!);
  const vals = need(inputs, 2, ctx);
  const rank = indT.dims.length + 1;
  const axis = normAxis(attrInt(ctx.node, 'axis', -1), rank, ctx);
  const dims = [...indT.dims.slice(0, axis), depth, ...indT.dims.slice(axis)];
  const inner = sizeOf(indT.dims.slice(axis));
  const outer = sizeOf(indT.dims.slice(0, axis));
  const src = vals.data as ArrayLike<unknown>;
  const out = allocate(vals.dtype, sizeOf(dims)) as unknown as unknown[];
  out.fill(src[0]);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let v = Math.trunc(ind[o * inner + i]!);
      if (v < 0) v += depth;
      if (v >= 0 && v < depth) out[(o * depth + v) * inner + i] = src[1];
    }
  }
  return [{ dtype: vals.dtype, dims, data: out as unknown as TensorData }];
};

const nonZero: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  // Half floats decide on values: ±0 have two bit patterns.
  const src = (x.dtype === 'float16' || x.dtype === 'bfloat16' ? numbers(x, ctx) : x.data) as ArrayLike<number | bigint | string>;
  const hits: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (typeof v === 'string' ? v !== '' : Number(v) !== 0) hits.push(i);
  }
  // A scalar is treated as a one-element vector, so its result is [1, nnz].
  const rank = Math.max(1, x.dims.length);
  const dims = x.dims.length === 0 ? [1] : x.dims;
  const strides = stridesOf(dims);
  const out = new BigInt64Array(rank * hits.length);
  hits.forEach((flat, k) => {
    let rem = flat;
    for (let a = 0; a < rank; a++) {
      const c = Math.floor(rem / strides[a]!);
      rem -= c * strides[a]!;
      out[a * hits.length + k] = BigInt(c);
    }
  });
  return [{ dtype: 'int64', dims: [rank, hits.length], data: out }];
};

const compress: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const cond = need(inputs, 1, ctx).data as ArrayLike<number>;
  const axisAttr = attrInt(ctx.node, 'axis');
  const base = axisAttr === undefined ? { ...x, dims: [x.data.length] } : x;
  const axis = axisAttr === undefined ? 0 : normAxis(axisAttr, x.dims.length, ctx);
  const len = base.dims[axis]!;
  const keep: number[] = [];
  for (let i = 0; i < Math.min(len, cond.length); i++) if (cond[i]) keep.push(i);
  const outer = sizeOf(base.dims.slice(0, axis));
  const inner = sizeOf(base.dims.slice(axis + 1));
  const map = new Int32Array(outer * keep.length * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) for (const k of keep) for (let i = 0; i < inner; i++) map[o++] = (a * len + k) * inner + i;
  const dims = [...base.dims];
  dims[axis] = keep.length;
  return [take(base, map, dims)];
};

export const INDEXING_KERNELS: KernelTable = {
  GatherElements: gatherElements,
  GatherND: gatherND,
  ScatterElements: scatterElements,
  Scatter: scatterElements,
  ScatterND: scatterND,
  OneHot: oneHot,
  NonZero: nonZero,
  Compress: compress,
};
