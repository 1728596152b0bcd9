import { QuantforgeError, tensor, type DType, type Tensor } from '@quantforge/core';
import type { Tensor as OrtTensor } from 'onnxruntime-node';

/** The ort module as loaded at run time (onnxruntime-node is loaded lazily: its native library is large). */
export type OrtModule = typeof import('onnxruntime-node');

/** Core dtypes that cross to onnxruntime, with their ort type names (identical spellings). */
const ORT_TYPES = new Set<DType>(['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string']);

/**
 * A core tensor as an ort.Tensor, sharing the data (ort copies feeds into native memory when it runs).
 *
 * @example
 * ```ts
 * const ot = toOrtTensor(ort, tensor('float32', [2], new Float32Array([1, 2])));
 * ```
 */
export function toOrtTensor(ort: OrtModule, t: Tensor): OrtTensor {
  if (!ORT_TYPES.has(t.dtype)) {
    throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `${t.dtype} tensors cannot be passed to onnxruntime`, { details: { dtype: t.dtype } });
  }
  return new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.dims);
}

/**
 * An ort.Tensor as a core tensor that owns its buffer (views into a larger buffer are copied).
 *
 * @example
 * ```ts
 * const t = fromOrtTensor(results['probs']!);
 * ```
 */
export function fromOrtTensor(t: OrtTensor): Tensor {
  const type = t.type as string;
  if (!ORT_TYPES.has(type as DType)) {
    throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `onnxruntime returned a ${type} tensor, which has no core dtype`, { details: { dtype: type } });
  }
  const dims = t.dims.map(Number);
  let data = t.data as unknown as Tensor['data'];
  if (Array.isArray(data)) {
    data = [...data];
  } else {
    const view = data as Uint8Array;
    if (view.byteOffset !== 0 || view.byteLength !== view.buffer.byteLength) data = view.slice() as unknown as Tensor['data'];
  }
  if (type === 'bool' && !(data instanceof Uint8Array)) data = Uint8Array.from(data as unknown as ArrayLike<number>, (v) => (v ? 1 : 0));
  return tensor(type as DType, dims, data as never);
}
