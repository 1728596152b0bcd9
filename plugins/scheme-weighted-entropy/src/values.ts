import { QuantforgeError, toFloat64, type Tensor } from '@quantforge/core';

/**
 * The tensor's values as float32, rejecting non-float dtypes (`QF_DTYPE_UNSUPPORTED`) and NaN / infinite values
 * (`QF_NAN_WEIGHTS`: a log ladder cannot be placed over them).
 *
 * @example
 * ```ts
 * const x = weightValues(weight, 'conv1.weight');
 * ```
 */
export function weightValues(t: Tensor, name: string): Float32Array {
  let x: Float32Array;
  if (t.dtype === 'float32') x = t.data as Float32Array;
  else if (t.dtype === 'float16' || t.dtype === 'bfloat16' || t.dtype === 'float64') x = Float32Array.from(toFloat64(t));
  else {
    throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `weighted-entropy quantization needs a float tensor; ${name} is ${t.dtype}`, { details: { tensor: name, dtype: t.dtype } });
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v - v !== 0) {
      throw new QuantforgeError('QF_NAN_WEIGHTS', `${name} holds a non-finite value (${v}) at element ${i}`, {
        details: { tensor: name, index: i, value: String(v) },
        hint: 'Fix the model or exclude the tensor: NaN or infinite weights cannot be clustered',
      });
    }
  }
  return x;
}
