import { QuantforgeError, type Tensor } from '@quantforge/core';
import type { KernelContext } from '../types.js';
import { shapeError } from './util.js';

// Operand handling of the integer ops: 8-bit data, zero points and scales (scalar or one per row/channel/column).

/** 8-bit integer operand data (uint8 or int8); anything else is QF_DTYPE_UNSUPPORTED. */
export function int8Data(t: Tensor, what: string, ctx: KernelContext): Uint8Array | Int8Array {
  if (t.dtype !== 'uint8' && t.dtype !== 'int8') {
    throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `${ctx.node.opType} supports uint8 and int8 ${what}, got ${t.dtype}`, {
      details: { node: ctx.node.name, opType: ctx.node.opType, operand: what, dtype: t.dtype },
    });
  }
  return t.data as Uint8Array | Int8Array;
}

/**
 * Zero points as numbers: one value (absent input or a one-element tensor) or `slots` values (per row/channel/column).
 * A zero point must have its operand's dtype.
 */
export function zeroPoints(t: Tensor | undefined, operand: Tensor, slots: number, what: string, ctx: KernelContext): number[] {
  if (!t) return [0];
  if (t.dtype !== operand.dtype) {
    throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `${ctx.node.opType}: ${what} is ${t.dtype} but its operand is ${operand.dtype}`, {
      details: { node: ctx.node.name, operand: what, dtype: t.dtype, expected: operand.dtype },
    });
  }
  const v = Array.from(int8Data(t, what, ctx));
  if (v.length !== 1 && v.length !== slots) throw shapeError(ctx, `${what} has ${v.length} values, expected 1 or ${slots}`, { operand: what, dims: t.dims });
  return v;
}

/** Scales as float32 numbers: one value or `slots` values. */
export function scales(t: Tensor, slots: number, what: string, ctx: KernelContext): number[] {
  if (t.dtype !== 'float32') {
    throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `${ctx.node.opType}: ${what} must be float32, got ${t.dtype}`, { details: { node: ctx.node.name, operand: what, dtype: t.dtype } });
  }
  const v = Array.from(t.data as Float32Array);
  if (v.length !== 1 && v.length !== slots) throw shapeError(ctx, `${what} has ${v.length} values, expected 1 or ${slots}`, { operand: what, dims: t.dims });
  return v;
}

/**
 * Operand minus zero point as exact small floats. The zero point of element i is zp[floor(i / inner) % zp.length],
 * which covers per-tensor (one value), per-row (inner = row length) and per-column (inner = 1) layouts.
 */
export function centered(data: Uint8Array | Int8Array, zp: number[], inner: number): Float32Array {
  const out = new Float32Array(data.length);
  if (zp.length === 1) {
    const z = zp[0]!;
    for (let i = 0; i < data.length; i++) out[i] = data[i]! - z;
    return out;
  }
  const slots = zp.length;
  for (let i = 0; i < data.length; i++) out[i] = data[i]! - zp[Math.floor(i / inner) % slots]!;
  return out;
}

/** Rounds half to even, as ONNX requantization (and IEEE nearbyint) does. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Saturating cast of an integer to the range of the output dtype. */
export function saturate(v: number, signed: boolean): number {
  const lo = signed ? -128 : 0;
  const hi = signed ? 127 : 255;
  return v < lo ? lo : v > hi ? hi : v;
}
