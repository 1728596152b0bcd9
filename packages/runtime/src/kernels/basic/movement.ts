import { allocate, attrInt, attrInts, attrString, sizeOf, stridesOf, type Tensor, type TensorData } from '@quantforge/core';
import type { Kernel, KernelContext, KernelTable } from '../types.js';
import { kernelError, need, normAxis, readInts, splitAt, take } from './util.js';

// Data movement: every kernel here builds an index map (output position -> input position) and gathers with `take`,
// so all dtypes (strings, int64, half floats as bits) move unchanged.

/** Flat input positions for an output of `outDims` whose axis a moves by `strides[a]` input positions from `offset`. */
export function stridedGather(outDims: readonly number[], offset: number, strides: readonly number[]): Int32Array {
  const n = sizeOf(outDims);
  const map = new Int32Array(n);
  if (n === 0) return map;
  const rank = outDims.length;
  const counter = new Array<number>(rank).fill(0);
  let pos = offset;
  for (let o = 0; o < n; o++) {
    map[o] = pos;
    for (let a = rank - 1; a >= 0; a--) {
      const c = counter[a]! + 1;
      if (c < outDims[a]!) {
        counter[a] = c;
        pos += strides[a]!;
        break;
      }
      counter[a] = 0;
      pos -= strides[a]! * (outDims[a]! - 1);
    }
  }
  return map;
}

/** Output coordinate c on axis a reads input coordinate `start[a] + c * step[a]` of an input with `inDims`. */
export function affineGather(inDims: readonly number[], outDims: readonly number[], start: readonly number[], step: readonly number[]): Int32Array {
  const strides = stridesOf(inDims);
  let offset = 0;
  for (let a = 0; a < inDims.length; a++) offset += start[a]! * strides[a]!;
  return stridedGather(outDims, offset, strides.map((s, a) => s * step[a]!));
}

const concat: Kernel = (inputs, ctx) => {
  const parts = inputs.filter((t): t is Tensor => t !== undefined);
  const first = parts[0];
  if (!first) throw kernelError(ctx, 'needs at least one input');
  const rank = first.dims.length;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), rank, ctx);
  for (const p of parts) {
    if (p.dtype !== first.dtype || p.dims.length !== rank || p.dims.some((d, i) => i !== axis && d !== first.dims[i])) {
      throw kernelError(ctx, `input [${p.dims.join(', ')}] ${p.dtype} does not match [${first.dims.join(', ')}] ${first.dtype}`);
    }
  }
  const dims = [...first.dims];
  dims[axis] = parts.reduce((s, p) => s + p.dims[axis]!, 0);
  const [outer, , inner] = splitAt(dims, axis);
  const out = allocate(first.dtype, sizeOf(dims)) as unknown as unknown[];
  const rowLen = dims[axis]! * inner;
  let offset = 0;
  for (const p of parts) {
    const len = p.dims[axis]! * inner;
    const src = p.data as ArrayLike<unknown>;
    for (let o = 0; o < outer; o++) {
      const s = o * len;
      const d = o * rowLen + offset;
      for (let i = 0; i < len; i++) out[d + i] = src[s + i];
    }
    offset += len;
  }
  return [{ dtype: first.dtype, dims, data: out as unknown as TensorData }];
};

const transpose: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const rank = x.dims.length;
  const perm = attrInts(ctx.node, 'perm') ?? x.dims.map((_, i) => rank - 1 - i);
  if (perm.length !== rank || new Set(perm.map((p) => normAxis(p, rank, ctx))).size !== rank) {
    throw kernelError(ctx, `perm [${perm.join(', ')}] is not a permutation of rank ${rank}`);
  }
  const p = perm.map((a) => (a < 0 ? a + rank : a));
  const dims = p.map((a) => x.dims[a]!);
  // Walk the output in order; stepping output axis k moves the input by the stride of axis p[k].
  const inStrides = stridesOf(x.dims);
  const permStrides = p.map((a) => inStrides[a]!);
  return [take(x, stridedGather(dims, 0, permStrides), dims)];
};

/** Slice: attributes before opset 10, inputs starts/ends/axes/steps from 10; clamps like Python slicing. */
const slice: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const rank = x.dims.length;
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = attrInts(ctx.node, 'starts', []);
    ends = attrInts(ctx.node, 'ends', []);
    axes = attrInts(ctx.node, 'axes');
  } else {
    starts = readInts(need(inputs, 1, ctx));
    ends = readInts(need(inputs, 2, ctx));
    axes = inputs[3] ? readInts(inputs[3]) : undefined;
    steps = inputs[4] ? readInts(inputs[4]) : undefined;
  }
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis(a, rank, ctx));
  if (starts.length !== ends.length || ax.length !== starts.length || (steps && steps.length !== starts.length)) {
    throw kernelError(ctx, 'starts, ends, axes and steps must have the same length');
  }
  const start = x.dims.map(() => 0);
  const step = x.dims.map(() => 1);
  const dims = [...x.dims];
  for (let k = 0; k < ax.length; k++) {
    const a = ax[k]!;
    const d = x.dims[a]!;
    const st = steps ? steps[k]! : 1;
    if (st === 0) throw kernelError(ctx, 'steps must not be 0');
    let s = starts[k]!;
    let e = ends[k]!;
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (st > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      s = Math.min(Math.max(s, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    dims[a] = Math.max(0, Math.ceil((e - s) / st));
    start[a] = dims[a] === 0 ? 0 : s;
    step[a] = st;
  }
  return [take(x, affineGather(x.dims, dims, start, step), dims)];
};

const gather: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const indices = need(inputs, 1, ctx);
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), x.dims.length, ctx);
  const [outer, len, inner] = splitAt(x.dims, axis);
  const idx = readInts(indices);
  for (let k = 0; k < idx.length; k++) {
    const v = idx[k]!;
    if (v < -len || v >= len) throw kernelError(ctx, `index ${v} is out of range for axis of size ${len}`, { index: v, size: len });
    if (v < 0) idx[k] = v + len;
  }
  const dims = [...x.dims.slice(0, axis), ...indices.dims, ...x.dims.slice(axis + 1)];
  const map = new Int32Array(outer * idx.length * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (let k = 0; k < idx.length; k++) {
      const base = (a * len + idx[k]!) * inner;
      for (let i = 0; i < inner; i++) map[o++] = base + i;
    }
  }
  return [take(x, map, dims)];
};

/** Split sizes: attribute before 13, optional input from 13, or `num_outputs` (18+) / the output count. */
function splitSizes(inputs: (Tensor | undefined)[], ctx: KernelContext, dim: number): number[] {
  const given = ctx.opset < 13 ? attrInts(ctx.node, 'split') : inputs[1] ? readInts(inputs[1]) : undefined;
  if (given && given.length > 0) {
    if (given.reduce((s, v) => s + v, 0) !== dim) throw kernelError(ctx, `split [${given.join(', ')}] does not sum to ${dim}`);
    return given;
  }
  const count = ctx.opset >= 18 ? attrInt(ctx.node, 'num_outputs', ctx.node.outputs.length) : ctx.node.outputs.length;
  if (count <= 0) throw kernelError(ctx, 'needs at least one output');
  // num_outputs allows an uneven split: all chunks ceil(dim / n) but the last, which takes the rest.
  const chunk = Math.ceil(dim / count);
  if (ctx.opset < 18 && dim % count !== 0) throw kernelError(ctx, `axis of size ${dim} does not split evenly into ${count}`);
  return Array.from({ length: count }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
}

const split: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), x.dims.length, ctx);
  const sizes = splitSizes(inputs, ctx, x.dims[axis]!);
  const out: Tensor[] = [];
  let offset = 0;
  for (const s of sizes) {
    const dims = [...x.dims];
    dims[axis] = s;
    const start = x.dims.map((_, i) => (i === axis ? offset : 0));
    out.push(take(x, affineGather(x.dims, dims, start, x.dims.map(() => 1)), dims));
    offset += s;
  }
  return out;
};

const tile: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const reps = readInts(need(inputs, 1, ctx));
  if (reps.length !== x.dims.length) throw kernelError(ctx, 'repeats must have one entry per axis');
  const dims = x.dims.map((d, i) => d * reps[i]!);
  const strides = stridesOf(x.dims);
  const n = sizeOf(dims);
  const map = new Int32Array(n);
  const outStrides = stridesOf(dims);
  for (let o = 0; o < n; o++) {
    let rem = o;
    let pos = 0;
    for (let a = 0; a < dims.length; a++) {
      const c = Math.floor(rem / outStrides[a]!);
      rem -= c * outStrides[a]!;
      pos += (c % x.dims[a]!) * strides[a]!;
    }
    map[o] = pos;
  }
  return [take(x, map, dims)];
};

/** Gather for "reshape x to `shape`, transpose by `perm`, reshape to `outDims`" in one map. */
function reshapeTranspose(x: Tensor, shape: number[], perm: number[], outDims: number[]): Tensor {
  const strides = stridesOf(shape);
  return take(x, stridedGather(perm.map((p) => shape[p]!), 0, perm.map((p) => strides[p]!)), outDims);
}

const depthToSpace: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const b = attrInt(ctx.node, 'blocksize', 0);
  const [n, c, h, w] = x.dims as [number, number, number, number];
  if (x.dims.length !== 4 || b <= 0 || c % (b * b) !== 0) throw kernelError(ctx, `cannot move depth [${x.dims.join(', ')}] to space with blocksize ${b}`);
  const cb = c / (b * b);
  const out = [n, cb, h * b, w * b];
  return [attrString(ctx.node, 'mode', 'DCR') === 'CRD'
    ? reshapeTranspose(x, [n, cb, b, b, h, w], [0, 1, 4, 2, 5, 3], out)
    : reshapeTranspose(x, [n, b, b, cb, h, w], [0, 3, 4, 1, 5, 2], out)];
};

const spaceToDepth: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const b = attrInt(ctx.node, 'blocksize', 0);
  const [n, c, h, w] = x.dims as [number, number, number, number];
  if (x.dims.length !== 4 || b <= 0 || h % b !== 0 || w % b !== 0) throw kernelError(ctx, `cannot move space [${x.dims.join(', ')}] to depth with blocksize ${b}`);
  return [reshapeTranspose(x, [n, c, h / b, b, w / b, b], [0, 3, 5, 1, 2, 4], [n, c * b * b, h / b, w / b])];
};

const reverseSequence: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const lens = readInts(need(inputs, 1, ctx));
  const batchAxis = attrInt(ctx.node, 'batch_axis', 1);
  const timeAxis = attrInt(ctx.node, 'time_axis', 0);
  const strides = stridesOf(x.dims);
  const n = x.data.length;
  const map = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const t = Math.floor(p / strides[timeAxis]!) % x.dims[timeAxis]!;
    const b = Math.floor(p / strides[batchAxis]!) % x.dims[batchAxis]!;
    const len = lens[b]!;
    map[p] = t < len ? p + (len - 1 - 2 * t) * strides[timeAxis]! : p;
  }
  return [take(x, map, x.dims)];
};

export const MOVEMENT_KERNELS: KernelTable = {
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
  ReverseSequence: reverseSequence,
  Concat: concat,
  Transpose: transpose,
  Slice: slice,
  Gather: gather,
  Split: split,
  Tile: tile,
};
