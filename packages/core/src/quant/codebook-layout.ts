import { stridesOf } from '../ir/tensor.js';

/**
 * Transposes row-major `values` of `dims` by `perm` (ONNX Transpose: output axis k is input axis perm[k]). With
 * `inverse`, scatters a transposed buffer back to the original layout. Identity when perm is absent (a copy unless
 * inverse).
 *
 * @example
 * ```ts
 * const rows = permute(w, [64, 32, 3, 3], [0, 2, 3, 1]); // OIHW → OHWI
 * const back = permute(rows, [64, 32, 3, 3], [0, 2, 3, 1], true);
 * ```
 */
export function permute(values: Float32Array, dims: readonly number[], perm: readonly number[] | undefined, inverse = false): Float32Array {
  if (perm === undefined || perm.every((p, i) => p === i)) return inverse ? values : values.slice();
  const rank = dims.length;
  const outDims = perm.map((p) => dims[p]!);
  const srcStrides = stridesOf(dims);
  const stepOf = perm.map((p) => srcStrides[p]!);
  const out = new Float32Array(values.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let dst = 0; dst < values.length; dst++) {
    if (inverse) out[src] = values[dst]!;
    else out[dst] = values[src]!;
    // Odometer over the output index; src follows through the permuted strides.
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]!++;
      src += stepOf[k]!;
      if (idx[k]! < outDims[k]!) break;
      src -= stepOf[k]! * outDims[k]!;
      idx[k] = 0;
    }
  }
  return out;
}
