import { allocate, attrInt, dtypeFromOnnx, type TensorData } from '@quantforge/core';
import type { Kernel, KernelTable } from '../types.js';
import { fromNumbers, isBig, kernelError, need, normAxis, numbers, readInts, splitAt, take } from './util.js';

// Kernels that order or accumulate along one axis: ArgMax/ArgMin, TopK, CumSum; and Range, Trilu, EyeLike.

function argKernel(better: (a: number, b: number) => boolean): Kernel {
  return (inputs, ctx) => {
    const x = need(inputs, 0, ctx);
    const axis = normAxis(attrInt(ctx.node, 'axis', 0), x.dims.length, ctx);
    const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
    const last = attrInt(ctx.node, 'select_last_index', 0) === 1;
    const [outer, len, inner] = splitAt(x.dims, axis);
    const src = numbers(x, ctx);
    const out = new BigInt64Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = 0;
        let bv = src[o * len * inner + i]!;
        for (let k = 1; k < len; k++) {
          const v = src[(o * len + k) * inner + i]!;
          if (better(v, bv) || (last && v === bv)) {
            best = k;
            bv = v;
          }
        }
        out[o * inner + i] = BigInt(best);
      }
    }
    const dims = keep ? x.dims.map((d, a) => (a === axis ? 1 : d)) : x.dims.filter((_, a) => a !== axis);
    return [{ dtype: 'int64', dims, data: out }];
  };
}

/** TopK: k is an attribute before opset 10 and an input from 10; ties keep the lower index first. */
const topK: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const k = ctx.opset < 10 ? attrInt(ctx.node, 'k', 0) : readInts(need(inputs, 1, ctx))[0]!;
  const axis = normAxis(attrInt(ctx.node, 'axis', -1), x.dims.length, ctx);
  const largest = attrInt(ctx.node, 'largest', 1) === 1;
  const [outer, len, inner] = splitAt(x.dims, axis);
  if (k < 0 || k > len) throw kernelError(ctx, `k=${k} is out of range for axis of size ${len}`);
  const src = numbers(x, ctx);
  const map = new Int32Array(outer * k * inner);
  const idx = new BigInt64Array(outer * k * inner);
  const order = new Array<number>(len);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let j = 0; j < len; j++) order[j] = j;
      const at = (j: number): number => src[(o * len + j) * inner + i]!;
      order.sort((a, b) => {
        const d = largest ? at(b) - at(a) : at(a) - at(b);
        return d !== 0 && !Number.isNaN(d) ? d : a - b;
      });
      for (let j = 0; j < k; j++) {
        const p = (o * k + j) * inner + i;
        map[p] = (o * len + order[j]!) * inner + i;
        idx[p] = BigInt(order[j]!);
      }
    }
  }
  const dims = x.dims.map((d, a) => (a === axis ? k : d));
  return [take(x, map, dims), { dtype: 'int64', dims, data: idx }];
};

/** Positions along `axis` for CumSum, in walking order: outer index, inner index, then step. */
function cumulate(dims: readonly number[], axis: number, reverse: boolean, visit: (pos: number, first: boolean) => void): void {
  const [outer, len, inner] = splitAt(dims, axis);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let s = 0; s < len; s++) visit((o * len + (reverse ? len - 1 - s : s)) * inner + i, s === 0);
    }
  }
}

const cumSum: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const axis = normAxis(readInts(need(inputs, 1, ctx))[0]!, x.dims.length, ctx);
  const exclusive = attrInt(ctx.node, 'exclusive', 0) === 1;
  const reverse = attrInt(ctx.node, 'reverse', 0) === 1;
  if (isBig(x.dtype)) {
    const src = x.data as BigInt64Array;
    const out = allocate(x.dtype, src.length) as BigInt64Array;
    let acc = 0n;
    cumulate(x.dims, axis, reverse, (p, first) => {
      if (first) acc = 0n;
      if (exclusive) out[p] = acc;
      acc += src[p]!;
      if (!exclusive) out[p] = acc;
    });
    return [{ dtype: x.dtype, dims: [...x.dims], data: out }];
  }
  const src = numbers(x, ctx);
  const out = new Float64Array(src.length);
  let acc = 0;
  cumulate(x.dims, axis, reverse, (p, first) => {
    if (first) acc = 0;
    if (exclusive) out[p] = acc;
    acc += src[p]!;
    if (!exclusive) out[p] = acc;
  });
  return [fromNumbers(x.dtype, x.dims, out, ctx)];
};

const range: Kernel = (inputs, ctx) => {
  const startT = need(inputs, 0, ctx);
  const [start, limit, delta] = [0, 1, 2].map((i) => numbers(need(inputs, i, ctx), ctx)[0]!) as [number, number, number];
  if (delta === 0) throw kernelError(ctx, 'delta must not be 0');
  const n = Math.max(0, Math.ceil((limit - start) / delta));
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) vals[i] = start + i * delta;
  return [fromNumbers(startT.dtype, [n], vals, ctx)];
};

const trilu: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const k = inputs[1] ? readInts(inputs[1])[0]! : 0;
  const upper = attrInt(ctx.node, 'upper', 1) === 1;
  const rank = x.dims.length;
  if (rank < 2) throw kernelError(ctx, 'input must have rank >= 2');
  const rows = x.dims[rank - 2]!;
  const cols = x.dims[rank - 1]!;
  const out = allocate(x.dtype, x.data.length) as unknown as unknown[];
  const src = x.data as ArrayLike<unknown>;
  const zero = allocate(x.dtype, 1)[0];
  for (let p = 0; p < src.length; p++) {
    const c = p % cols;
    const r = Math.floor(p / cols) % rows;
    const keep = upper ? c - r >= k : c - r <= k;
    out[p] = keep ? src[p] : zero;
  }
  return [{ dtype: x.dtype, dims: [...x.dims], data: out as unknown as TensorData }];
};

const eyeLike: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  if (x.dims.length !== 2) throw kernelError(ctx, 'input must be 2-D');
  const code = attrInt(ctx.node, 'dtype');
  const dtype = code === undefined ? x.dtype : dtypeFromOnnx(code);
  if (!dtype) throw kernelError(ctx, `dtype ${code} is not a known dtype`);
  const k = attrInt(ctx.node, 'k', 0);
  const [rows, cols] = x.dims as [number, number];
  const vals = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) if (r + k >= 0 && r + k < cols) vals[r * cols + r + k] = 1;
  return [fromNumbers(dtype, x.dims, vals, ctx)];
};

export const ORDERING_KERNELS: KernelTable = {
  ArgMax: argKernel((a, b) => a > b),
  ArgMin: argKernel((a, b) => a < b),
  TopK: topK,
  CumSum: cumSum,
  Range: range,
  Trilu: trilu,
  EyeLike: eyeLike,
};
