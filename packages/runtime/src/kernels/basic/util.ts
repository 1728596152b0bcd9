import {
  QuantforgeError,
  allocate,
  bfloat16ToFloat32,
  float16ToFloat32,
  float32ToBfloat16,
  float32ToFloat16,
  sizeOf,
  type DType,
  type StorageOf,
  type Tensor,
  type TensorData,
} from '@quantforge/core';
import type { KernelContext } from '../types.js';
import { float8Decode, float8Encode, isFloat8 } from './float8.js';

// Small pieces every basic kernel shares: coded errors, input access, axis handling and number <-> storage moves.

export function kernelError(ctx: KernelContext, message: string, details: Record<string, unknown> = {}): QuantforgeError {
  return new QuantforgeError('QF_RUNTIME_KERNEL', `${ctx.node.opType} "${ctx.node.name}": ${message}`, {
    details: { node: ctx.node.name, opType: ctx.node.opType, ...details },
  });
}

export function dtypeError(ctx: KernelContext, dtype: string, details: Record<string, unknown> = {}): QuantforgeError {
  return new QuantforgeError('QF_DTYPE_UNSUPPORTED', `${ctx.node.opType} "${ctx.node.name}" does not support ${dtype}`, {
    details: { node: ctx.node.name, opType: ctx.node.opType, dtype, ...details },
  });
}

/** The input at `i`, which the op requires. */
export function need(inputs: (Tensor | undefined)[], i: number, ctx: KernelContext): Tensor {
  const t = inputs[i];
  if (!t) throw kernelError(ctx, `input ${i} is required`, { input: i });
  return t;
}

/** Normalizes a possibly negative axis against `rank`. */
export function normAxis(axis: number, rank: number, ctx: KernelContext): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw kernelError(ctx, `axis ${axis} is out of range for rank ${rank}`, { axis, rank });
  return a;
}

/** Reads an integer tensor (int64/int32 shape-like input) as plain numbers. */
export function readInts(t: Tensor): number[] {
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number((t.data as ArrayLike<number | bigint>)[i]);
  return out;
}

export function isFloatType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

export function isBig(dtype: DType): boolean {
  return dtype === 'int64' || dtype === 'uint64';
}

/**
 * Values of a real tensor in a number-indexable array: plain numeric storage as is (no copy), half floats decoded to
 * float32, 64-bit integers through Number. Callers must not write into the result.
 */
export function numbers(t: Tensor, ctx: KernelContext): ArrayLike<number> {
  switch (t.dtype) {
    case 'float16': return Float32Array.from(t.data as Uint16Array, float16ToFloat32);
    case 'bfloat16': return Float32Array.from(t.data as Uint16Array, bfloat16ToFloat32);
    case 'int64': case 'uint64': return Float64Array.from(t.data as BigInt64Array, Number);
    case 'string': case 'complex64': case 'complex128': throw dtypeError(ctx, t.dtype);
    default:
      if (isFloat8(t.dtype)) return Float32Array.from(t.data as Uint8Array, (b) => float8Decode(t.dtype, b));
      if (t.dtype.startsWith('float') && t.dtype !== 'float32' && t.dtype !== 'float64') throw dtypeError(ctx, t.dtype);
      return t.data as ArrayLike<number>;
  }
}

/**
 * Stores numbers into fresh storage of `dtype`. Integers take the typed array's wrapping conversion (the value is
 * truncated toward zero first); half floats and float8 round to nearest even (float8 saturating unless told not to);
 * 64-bit integers go through BigInt.
 */
export function fromNumbers<D extends DType>(dtype: D, dims: readonly number[], values: ArrayLike<number>, ctx: KernelContext, saturate = true): Tensor<D> {
  const n = values.length;
  let data: TensorData;
  if (isFloat8(dtype)) {
    const d = new Uint8Array(n);
    for (let i = 0; i < n; i++) d[i] = float8Encode(dtype, values[i]!, saturate);
    return { dtype, dims: [...dims], data: d as StorageOf[D] };
  }
  switch (dtype) {
    case 'float16': {
      const d = new Uint16Array(n);
      for (let i = 0; i < n; i++) d[i] = float32ToFloat16(values[i]!);
      data = d;
      break;
    }
    case 'bfloat16': {
      const d = new Uint16Array(n);
      for (let i = 0; i < n; i++) d[i] = float32ToBfloat16(values[i]!);
      data = d;
      break;
    }
    case 'int64': case 'uint64': {
      const d = dtype === 'int64' ? new BigInt64Array(n) : new BigUint64Array(n);
      const wrap = dtype === 'int64' ? BigInt.asIntN : BigInt.asUintN;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        d[i] = Number.isFinite(v) ? wrap(64, BigInt(Math.trunc(v))) : 0n;
      }
      data = d;
      break;
    }
    case 'bool': {
      const d = new Uint8Array(n);
      for (let i = 0; i < n; i++) d[i] = values[i] !== 0 ? 1 : 0;
      data = d;
      break;
    }
    case 'string': case 'complex64': case 'complex128': throw dtypeError(ctx, dtype);
    default: {
      if (dtype.startsWith('float8') || dtype === 'float4e2m1') throw dtypeError(ctx, dtype);
      const d = allocate(dtype, n) as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
      d.set(values);
      data = d;
    }
  }
  return { dtype, dims: [...dims], data: data as StorageOf[D] };
}

/** A fresh tensor of `t`'s dtype with `idx[i]`-th elements of `t` (works for every storage, strings included). */
export function take(t: Tensor, idx: ArrayLike<number>, dims: readonly number[]): Tensor {
  const n = idx.length;
  const src = t.data as ArrayLike<unknown>;
  const out = allocate(t.dtype, n) as unknown as unknown[];
  for (let i = 0; i < n; i++) out[i] = src[idx[i]!];
  return { dtype: t.dtype, dims: [...dims], data: out as unknown as TensorData };
}

/** Copies a tensor with new dims (same element order). */
export function withDims(t: Tensor, dims: readonly number[]): Tensor {
  const data = Array.isArray(t.data) ? [...t.data] : (t.data as Exclude<TensorData, string[]>).slice();
  return { dtype: t.dtype, dims: [...dims], data: data as TensorData };
}

/** Checks that `dims` holds `t.data.length` elements. */
export function checkCount(t: Tensor, dims: readonly number[], ctx: KernelContext): void {
  if (sizeOf(dims) !== t.data.length) {
    throw kernelError(ctx, `cannot view ${t.data.length} elements as [${dims.join(', ')}]`, { dims: [...dims], count: t.data.length });
  }
}

/** Rounds half to even (banker's rounding), as ONNX QuantizeLinear and Round do. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** [outer, axisLen, inner] split of dims at `axis`. */
export function splitAt(dims: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(dims.slice(0, axis)), dims[axis] ?? 1, sizeOf(dims.slice(axis + 1))];
}
