import { QuantforgeError, sizeOf, type Tensor } from '@quantforge/core';
import type { KernelContext } from '../types.js';

// Input access and validation shared by the linear kernels. Failures throw coded errors; the executor adds the node.

/** The i-th input, or a coded error naming the operand when it is absent. */
export function need(inputs: (Tensor | undefined)[], i: number, what: string, ctx: KernelContext): Tensor {
  const t = inputs[i];
  if (!t) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `${ctx.node.opType} needs its input ${what} (#${i})`, {
      details: { node: ctx.node.name, opType: ctx.node.opType, input: i },
    });
  }
  return t;
}

/** The data of a float32 tensor; other dtypes are refused with QF_DTYPE_UNSUPPORTED. */
export function f32(t: Tensor, what: string, ctx: KernelContext): Float32Array {
  if (t.dtype !== 'float32') {
    throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `${ctx.node.opType} supports float32 ${what}, got ${t.dtype}`, {
      details: { node: ctx.node.name, opType: ctx.node.opType, operand: what, dtype: t.dtype },
      hint: 'Cast the model to float32 before running it on the reference executor.',
    });
  }
  return t.data as Float32Array;
}

/** A shape error for a kernel operand. */
export function shapeError(ctx: KernelContext, message: string, details: Record<string, unknown> = {}): QuantforgeError {
  return new QuantforgeError('QF_SHAPE_INFERENCE', `${ctx.node.opType}: ${message}`, {
    details: { node: ctx.node.name, opType: ctx.node.opType, ...details },
  });
}

/** A bad attribute value. */
export function attrError(ctx: KernelContext, message: string, details: Record<string, unknown> = {}): QuantforgeError {
  return new QuantforgeError('QF_ONNX_INVALID_MODEL', `${ctx.node.opType}: ${message}`, {
    details: { node: ctx.node.name, opType: ctx.node.opType, ...details },
  });
}

/** Element count of a tensor. */
export function count(t: Tensor): number {
  return sizeOf(t.dims);
}
