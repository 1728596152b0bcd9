import { QuantforgeError } from '../errors/error.js';
import { allocate, type DType, type StorageOf, type TensorData } from './dtype.js';

/**
 * A dense tensor: dtype, dims and a typed array the tensor owns. When a tensor is sent to a worker its buffer is
 * either moved (the sender loses it) or lives in a SharedArrayBuffer (both sides read it) — never both.
 *
 * @example
 * ```ts
 * const t = tensor('float32', [2, 2], new Float32Array([1, 2, 3, 4]));
 * ```
 */
export interface Tensor<D extends DType = DType> {
  dtype: D;
  dims: number[];
  data: StorageOf[D];
}

/** Number of elements for dims (1 for a scalar). */
export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Builds a tensor, checking that the data length matches the dims. */
export function tensor<D extends DType>(dtype: D, dims: readonly number[], data?: StorageOf[D]): Tensor<D> {
  const count = sizeOf(dims);
  const storage = data ?? allocate(dtype, count);
  const expected = dtype === 'complex64' || dtype === 'complex128' ? count * 2 : count;
  if (storage.length !== expected) {
    throw new QuantforgeError('QF_TENSOR_INVALID', `tensor of dims [${dims.join(', ')}] needs ${expected} elements, got ${storage.length}`, {
      details: { dtype, dims: [...dims], length: storage.length },
    });
  }
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) {
      throw new QuantforgeError('QF_TENSOR_INVALID', `tensor dims must be non-negative integers, got [${dims.join(', ')}]`, { details: { dims: [...dims] } });
    }
  }
  return { dtype, dims: [...dims], data: storage };
}

/** Copies a tensor so that the copy owns a fresh buffer (use before moving a view into a worker). */
export function cloneTensor<D extends DType>(t: Tensor<D>): Tensor<D> {
  const data = (Array.isArray(t.data) ? [...t.data] : (t.data as Exclude<TensorData, string[]>).slice()) as StorageOf[D];
  return { dtype: t.dtype, dims: [...t.dims], data };
}

/** Row-major strides for dims. */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i]!;
  }
  return s;
}

/** Reads any numeric tensor as float64 values (int64 via Number, float16/bfloat16 decoded). */
export { toFloat64 } from './tensor-convert.js';
