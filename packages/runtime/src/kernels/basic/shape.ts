import {
  QuantforgeError,
  allocate,
  attrFloat,
  attrFloats,
  attrInt,
  attrInts,
  attrTensor,
  cloneTensor,
  getAttribute,
  sizeOf,
  type Tensor,
  type TensorData,
} from '@quantforge/core';
import type { Kernel, KernelContext, KernelTable } from '../types.js';
import { broadcastMap, broadcastShape } from './broadcast.js';
import { checkCount, kernelError, need, normAxis, numbers, readInts, take, withDims } from './util.js';

// Kernels that change only a tensor's dims, or make tensors from attributes and shapes.

const reshape: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const spec = ctx.opset < 5 ? attrInts(ctx.node, 'shape', []) : readInts(need(inputs, 1, ctx));
  const allowZero = attrInt(ctx.node, 'allowzero', 0) === 1;
  const dims = spec.map((d, i) => (d === 0 && !allowZero ? (x.dims[i] ?? 0) : d));
  const unknown = dims.indexOf(-1);
  if (unknown >= 0) {
    if (dims.lastIndexOf(-1) !== unknown) throw kernelError(ctx, 'shape may hold at most one -1', { shape: spec });
    const known = sizeOf(dims.filter((_, i) => i !== unknown));
    if (known === 0 || x.data.length % known !== 0) throw kernelError(ctx, `cannot infer -1 in [${spec.join(', ')}] for ${x.data.length} elements`);
    dims[unknown] = x.data.length / known;
  }
  if (dims.some((d) => d < 0)) throw kernelError(ctx, `invalid shape [${spec.join(', ')}]`, { shape: spec });
  checkCount(x, dims, ctx);
  return [withDims(x, dims)];
};

const flatten: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const rank = x.dims.length;
  const raw = attrInt(ctx.node, 'axis', 1);
  const axis = raw < 0 ? raw + rank : raw;
  if (axis < 0 || axis > rank) throw kernelError(ctx, `axis ${raw} is out of range for rank ${rank}`);
  return [withDims(x, [sizeOf(x.dims.slice(0, axis)), sizeOf(x.dims.slice(axis))])];
};

/** Axes of Squeeze/Unsqueeze: an attribute before opset 13, an optional int64 input from 13. */
function axesOf(inputs: (Tensor | undefined)[], ctx: KernelContext): number[] | undefined {
  if (ctx.opset < 13) return attrInts(ctx.node, 'axes');
  const t = inputs[1];
  // An empty axes tensor means the same as no axes (onnxruntime reads it so too).
  return t && t.data.length > 0 ? readInts(t) : undefined;
}

const squeeze: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const rank = x.dims.length;
  const axes = axesOf(inputs, ctx);
  const drop = new Set(axes ? axes.map((a) => normAxis(a, rank, ctx)) : x.dims.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of drop) if (x.dims[a] !== 1) throw kernelError(ctx, `cannot squeeze axis ${a} of size ${x.dims[a]}`);
  return [withDims(x, x.dims.filter((_, i) => !drop.has(i)))];
};

const unsqueeze: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const axes = axesOf(inputs, ctx);
  if (!axes) {
    if (ctx.opset >= 13 && inputs[1]) return [withDims(x, x.dims)];
    throw kernelError(ctx, 'axes are required');
  }
  const outRank = x.dims.length + axes.length;
  const add = new Set(axes.map((a) => normAxis(a, outRank, ctx)));
  if (add.size !== axes.length) throw kernelError(ctx, 'axes must not repeat', { axes });
  const dims: number[] = [];
  let k = 0;
  for (let i = 0; i < outRank; i++) dims.push(add.has(i) ? 1 : x.dims[k++]!);
  return [withDims(x, dims)];
};

const shape: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const rank = x.dims.length;
  const clampEnd = (v: number): number => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  const start = clampEnd(attrInt(ctx.node, 'start', 0));
  const end = clampEnd(attrInt(ctx.node, 'end', rank));
  const dims = x.dims.slice(start, Math.max(start, end));
  return [{ dtype: 'int64', dims: [dims.length], data: BigInt64Array.from(dims, BigInt) }];
};

const size: Kernel = (inputs, ctx) => [{ dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(need(inputs, 0, ctx).data.length)) }];

const identity: Kernel = (inputs, ctx) => [cloneTensor(need(inputs, 0, ctx))];

const constant: Kernel = (_inputs, ctx) => {
  const node = ctx.node;
  const t = attrTensor(node, 'value');
  if (t) return [cloneTensor(t.tensor)];
  const sparse = getAttribute(node, 'sparse_value');
  if (sparse && sparse.type === 'sparse_tensor') {
    const values = sparse.value.values.tensor;
    const dims = sparse.value.dims;
    const idx = readInts(sparse.value.indices.tensor);
    const out = allocate(values.dtype, sizeOf(dims)) as unknown as unknown[];
    const rank = dims.length;
    const nnz = values.data.length;
    // Indices are either flat positions [NNZ] or coordinates [NNZ, rank].
    const coords = idx.length === nnz * rank && rank > 1;
    for (let k = 0; k < nnz; k++) {
      let pos = 0;
      if (coords) for (let a = 0; a < rank; a++) pos = pos * dims[a]! + idx[k * rank + a]!;
      else pos = idx[k]!;
      out[pos] = (values.data as ArrayLike<unknown>)[k];
    }
    return [{ dtype: values.dtype, dims: [...dims], data: out as unknown as TensorData }];
  }
  const f = attrFloat(node, 'value_float');
  if (f !== undefined) return [{ dtype: 'float32', dims: [], data: Float32Array.of(f) }];
  const fs = attrFloats(node, 'value_floats');
  if (fs) return [{ dtype: 'float32', dims: [fs.length], data: Float32Array.from(fs) }];
  const iv = getAttribute(node, 'value_int');
  if (iv && iv.type === 'int') return [{ dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(iv.value)) }];
  const is = getAttribute(node, 'value_ints');
  if (is && is.type === 'ints') return [{ dtype: 'int64', dims: [is.value.length], data: BigInt64Array.from(is.value, (v) => BigInt(v)) }];
  const s = getAttribute(node, 'value_string');
  const dec = new TextDecoder();
  if (s && s.type === 'string') return [{ dtype: 'string', dims: [], data: [dec.decode(s.value)] }];
  const ss = getAttribute(node, 'value_strings');
  if (ss && ss.type === 'strings') return [{ dtype: 'string', dims: [ss.value.length], data: ss.value.map((v) => dec.decode(v)) }];
  throw kernelError(ctx, 'has no value attribute');
};

const constantOfShape: Kernel = (inputs, ctx) => {
  const dims = readInts(need(inputs, 0, ctx));
  const v = attrTensor(ctx.node, 'value')?.tensor;
  const dtype = v ? v.dtype : 'float32';
  const data = allocate(dtype, sizeOf(dims)) as unknown as unknown[];
  if (v && v.data.length > 0) data.fill((v.data as ArrayLike<unknown>)[0]);
  return [{ dtype, dims, data: data as unknown as TensorData }];
};

const expand: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const dims = broadcastShape([x.dims, readInts(need(inputs, 1, ctx))], ctx);
  const map = broadcastMap(x.dims, dims);
  return [map ? take(x, map, dims) : withDims(x, dims)];
};

/**
 * Dropout at inference is the identity with an all-true mask. Training mode with a non-zero ratio draws random numbers,
 * which an oracle cannot reproduce, so it is refused.
 */
const dropout: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const ratioT = inputs[1];
  const ratio = ctx.opset < 12 ? attrFloat(ctx.node, 'ratio', 0.5) : ratioT && ratioT.data.length > 0 ? numbers(ratioT, ctx)[0]! : 0.5;
  const training = ctx.opset >= 12 && inputs[2] !== undefined && (inputs[2].data as ArrayLike<number>)[0] !== 0;
  if (training && ratio !== 0) {
    throw new QuantforgeError('QF_OP_UNSUPPORTED', `Dropout "${ctx.node.name}" in training mode is random and not supported`, {
      details: { node: ctx.node.name, opType: ctx.node.opType, ratio },
    });
  }
  const mask: Tensor = { dtype: 'bool', dims: [...x.dims], data: new Uint8Array(x.data.length).fill(1) };
  return [cloneTensor(x), mask];
};

export const SHAPE_KERNELS: KernelTable = {
  Dropout: dropout,
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Shape: shape,
  Size: size,
  Identity: identity,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Expand: expand,
};
