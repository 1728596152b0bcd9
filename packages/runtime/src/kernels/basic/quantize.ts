import { attrInt, dtypeFromOnnx, integerRange, isInteger, sizeOf, type DType, type Tensor } from '@quantforge/core';
import type { Kernel, KernelContext, KernelTable } from '../types.js';
import { isFloat8 } from './float8.js';
import { dtypeError, fromNumbers, kernelError, need, normAxis, numbers, roundHalfEven } from './util.js';

// QuantizeLinear / DequantizeLinear (per-tensor, per-axis, blocked; integer and float8 types) and
// DynamicQuantizeLinear. Arithmetic follows the reference in float32: x / scale is rounded to float32 before rounding
// half to even, then saturated to the type.

const QUANT_TYPES = new Set<DType>(['uint8', 'int8', 'uint16', 'int16', 'uint4', 'int4', 'int32', 'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz']);

/**
 * For every element of `x`, the index of its scale / zero point: all 0 for per-tensor parameters, the coordinate on
 * `axis` for per-axis ones, and the block's position in the scale tensor for blocked ones (opset 21).
 */
export function paramIndex(xDims: readonly number[], scale: Tensor, axisAttr: number, blockSize: number, ctx: KernelContext): Int32Array {
  const n = sizeOf(xDims);
  const map = new Int32Array(n);
  const perTensor = scale.dims.length === 0 || (scale.data.length === 1 && blockSize === 0);
  if (perTensor) return map;
  const rank = xDims.length;
  const axis = normAxis(axisAttr, rank, ctx);
  const len = xDims[axis]!;
  const inner = sizeOf(xDims.slice(axis + 1));
  if (blockSize <= 0) {
    if (scale.dims.length !== 1 || scale.dims[0] !== len) {
      throw kernelError(ctx, `per-axis scale [${scale.dims.join(', ')}] does not match axis ${axis} of size ${len}`);
    }
    for (let i = 0; i < n; i++) map[i] = Math.floor(i / inner) % len;
    return map;
  }
  const blocks = Math.ceil(len / blockSize);
  const ok = scale.dims.length === rank && scale.dims.every((d, i) => (i === axis ? d === blocks : d === xDims[i]));
  if (!ok) throw kernelError(ctx, `blocked scale [${scale.dims.join(', ')}] does not match input [${xDims.join(', ')}] with block_size ${blockSize} on axis ${axis}`);
  for (let i = 0; i < n; i++) {
    const o = Math.floor(i / (len * inner));
    const c = Math.floor(i / inner) % len;
    map[i] = (o * blocks + Math.floor(c / blockSize)) * inner + (i % inner);
  }
  return map;
}

function quantDtype(dtype: DType, ctx: KernelContext): DType {
  if (!QUANT_TYPES.has(dtype)) throw dtypeError(ctx, dtype);
  return dtype;
}

const quantizeLinear: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const scaleT = need(inputs, 1, ctx);
  const zpT = inputs[2];
  const outCode = ctx.opset >= 21 ? attrInt(ctx.node, 'output_dtype', 0) : 0;
  const outType = quantDtype(zpT ? zpT.dtype : outCode ? (dtypeFromOnnx(outCode) ?? 'undefined' as DType) : 'uint8', ctx);
  if (outType === 'int32') throw dtypeError(ctx, outType);
  const blockSize = ctx.opset >= 21 ? attrInt(ctx.node, 'block_size', 0) : 0;
  const map = paramIndex(x.dims, scaleT, ctx.opset >= 13 ? attrInt(ctx.node, 'axis', 1) : 1, blockSize, ctx);
  const xs = numbers(x, ctx);
  const ss = numbers(scaleT, ctx);
  const zs = zpT ? numbers(zpT, ctx) : undefined;
  const out = new Float64Array(xs.length);
  if (isFloat8(outType)) {
    // float8 targets round once, in the float8 encoder, and saturate only when `saturate` says so (opset 19).
    for (let i = 0; i < xs.length; i++) out[i] = Math.fround(xs[i]! / ss[map[i]!]!) + (zs ? zs[map[i]!]! : 0);
    return [fromNumbers(outType, x.dims, out, ctx, attrInt(ctx.node, 'saturate', 1) === 1)];
  }
  const [qmin, qmax] = integerRange(outType);
  for (let i = 0; i < xs.length; i++) {
    const p = map[i]!;
    const q = roundHalfEven(Math.fround(xs[i]! / ss[p]!)) + (zs ? zs[p]! : 0);
    out[i] = q < qmin ? qmin : q > qmax ? qmax : Number.isNaN(q) ? 0 : q;
  }
  return [fromNumbers(outType, x.dims, out, ctx)];
};

const dequantizeLinear: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const scaleT = need(inputs, 1, ctx);
  const zpT = inputs[2];
  if (!isInteger(x.dtype) && !isFloat8(x.dtype)) throw dtypeError(ctx, x.dtype);
  if (zpT && zpT.dtype !== x.dtype) throw kernelError(ctx, `zero point dtype ${zpT.dtype} differs from input dtype ${x.dtype}`);
  const blockSize = ctx.opset >= 21 ? attrInt(ctx.node, 'block_size', 0) : 0;
  const map = paramIndex(x.dims, scaleT, ctx.opset >= 13 ? attrInt(ctx.node, 'axis', 1) : 1, blockSize, ctx);
  const xs = numbers(x, ctx);
  const ss = numbers(scaleT, ctx);
  const zs = zpT ? numbers(zpT, ctx) : undefined;
  const out = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const p = map[i]!;
    out[i] = Math.fround((xs[i]! - (zs ? zs[p]! : 0)) * ss[p]!);
  }
  return [fromNumbers(scaleT.dtype, x.dims, out, ctx)];
};

/** DynamicQuantizeLinear: uint8 with a range that always includes 0, exactly as the ONNX formula states. */
const dynamicQuantizeLinear: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  if (x.dtype !== 'float32') throw dtypeError(ctx, x.dtype);
  const xs = x.data as Float32Array;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = Math.fround(Math.fround(hi - lo) / 255);
  const out = new Uint8Array(xs.length);
  let zp = 0;
  if (scale > 0) {
    const initial = Math.fround(0 - Math.fround(lo / scale));
    zp = roundHalfEven(Math.min(255, Math.max(0, initial)));
    for (let i = 0; i < xs.length; i++) {
      const q = roundHalfEven(Math.fround(xs[i]! / scale)) + zp;
      out[i] = q < 0 ? 0 : q > 255 ? 255 : q;
    }
  }
  return [
    { dtype: 'uint8', dims: [...x.dims], data: out },
    { dtype: 'float32', dims: [], data: Float32Array.of(scale) },
    { dtype: 'uint8', dims: [], data: Uint8Array.of(zp) },
  ];
};

export const QUANTIZE_KERNELS: KernelTable = {
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
  DynamicQuantizeLinear: dynamicQuantizeLinear,
};
