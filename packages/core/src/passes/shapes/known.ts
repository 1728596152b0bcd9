import type { Tensor } from '../../ir/tensor.js';
import { sizeOf, toFloat64 } from '../../ir/tensor.js';
import type { KnownValue } from './types.js';

/** Tensors up to this many elements are read as known values (shape vectors, axes, scales; never weights). */
export const KNOWN_VALUE_LIMIT = 1024;

/** The contents of a small real-valued tensor, or undefined when it is large or not real-valued. */
export function knownFromTensor(t: Tensor): KnownValue | undefined {
  if (sizeOf(t.dims) > KNOWN_VALUE_LIMIT) return undefined;
  if (t.dtype === 'string' || t.dtype === 'complex64' || t.dtype === 'complex128' || t.dtype.startsWith('float8') || t.dtype === 'float4e2m1') return undefined;
  return { dims: [...t.dims], values: Array.from(toFloat64(t)) };
}
