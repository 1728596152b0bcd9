import { QuantforgeError } from '../errors/error.js';
import { bfloat16ToFloat32, float16ToFloat32 } from './half.js';
import type { Tensor } from './tensor.js';

/** Reads a real-valued tensor as float64 numbers (int64 through Number, half floats decoded). */
export function toFloat64(t: Tensor): Float64Array {
  const d = t.data;
  switch (t.dtype) {
    case 'float16': return Float64Array.from(d as Uint16Array, float16ToFloat32);
    case 'bfloat16': return Float64Array.from(d as Uint16Array, bfloat16ToFloat32);
    case 'int64': case 'uint64': return Float64Array.from(d as BigInt64Array, (v) => Number(v));
    case 'string': case 'complex64': case 'complex128':
      throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `cannot read a ${t.dtype} tensor as real numbers`, { details: { dtype: t.dtype } });
    default:
      if (t.dtype.startsWith('float8') || t.dtype === 'float4e2m1') {
        throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `reading ${t.dtype} as numbers needs the float8 decoder`, { details: { dtype: t.dtype } });
      }
      return Float64Array.from(d as Float32Array);
  }
}
