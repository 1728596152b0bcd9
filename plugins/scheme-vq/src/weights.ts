import {
  QuantforgeError, dequantize, quantizeWith, toFloat64, type CodebookEncoding, type QuantizedTensor, type Tensor,
} from '@quantforge/core';
import { scalarCodes } from './scalar-codes.js';

/**
 * The float32 values of a weight tensor (float16/bfloat16/float64 converted); `QF_DTYPE_UNSUPPORTED` for other
 * dtypes, `QF_NAN_WEIGHTS` for a non-finite value, `QF_QUANTIZE` for an empty tensor (nothing to cluster).
 *
 * @example
 * ```ts
 * const x = floatWeights(weight, 'conv1.weight');
 * ```
 */
export function floatWeights(t: Tensor, name: string): Float32Array {
  let x: Float32Array;
  if (t.dtype === 'float32') x = t.data as Float32Array;
  else if (t.dtype === 'float16' || t.dtype === 'bfloat16' || t.dtype === 'float64') x = Float32Array.from(toFloat64(t));
  else {
    throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `codebook quantization needs a float tensor; ${name} is ${t.dtype}`, { details: { tensor: name, dtype: t.dtype } });
  }
  if (x.length === 0) throw new QuantforgeError('QF_QUANTIZE', `${name} is empty; there is nothing to cluster`, { details: { tensor: name, dims: [...t.dims] } });
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v - v !== 0) {
      throw new QuantforgeError('QF_NAN_WEIGHTS', `${name} holds a non-finite value (${v}) at element ${i}`, {
        details: { tensor: name, index: i, value: String(v) },
        hint: 'Fix the model (or exclude the tensor from quantization): NaN or infinite weights cannot be clustered',
      });
    }
  }
  return x;
}

/**
 * What a first codebook stage leaves of each value, `fround(x − stage1(x))`, in the tensor's own layout — exactly
 * the residual core's `quantizeWith` quantizes with the second stage.
 *
 * @example
 * ```ts
 * const r = stageResidual(stage1, values, dims);
 * ```
 */
export function stageResidual(stage1: CodebookEncoding, values: Float32Array, dims: readonly number[]): Float32Array {
  const approx = dequantize(assignCodes(stage1, values, dims));
  const r = new Float32Array(values.length);
  for (let i = 0; i < r.length; i++) r[i] = values[i]! - approx[i]!;
  return r;
}

/**
 * Codes for an encoding: the scalar fast path when it applies, else core's `quantizeWith` (same codes either way).
 *
 * @example
 * ```ts
 * const q = assignCodes(encoding, values, dims);
 * ```
 */
export function assignCodes(e: CodebookEncoding, values: Float32Array, dims: readonly number[]): QuantizedTensor {
  return scalarCodes(e, values, dims) ?? quantizeWith(e, values, dims);
}

/**
 * Trains an optional residual stage with `train` on what `stage1` leaves, then assigns the codes as core's
 * `quantizeWith` does (nearest centroid, first on ties), so codes always match the stored centroids.
 *
 * @example
 * ```ts
 * finishCodebook(stage1, values, dims, (r) => ({ k: 16, centroids: trainOn(r) }));
 * ```
 */
export function finishCodebook(
  stage1: CodebookEncoding, values: Float32Array, dims: readonly number[], residual: ((r: Float32Array) => { centroids: Float32Array; k: number }) | undefined,
): QuantizedTensor {
  if (residual === undefined) return assignCodes(stage1, values, dims);
  const stage2 = residual(stageResidual(stage1, values, dims));
  return assignCodes({ ...stage1, residual: stage2 }, values, dims);
}
