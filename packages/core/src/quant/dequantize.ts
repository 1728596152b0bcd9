import { QuantforgeError } from '../errors/error.js';
import { sizeOf } from '../ir/tensor.js';
import { permute } from './codebook-layout.js';
import type { Encoding, QuantizedTensor } from './encoding.js';
import { checkEncoding, codebookShape, logLevelCount } from './encoding-check.js';
import { forEachParamRun } from './param-runs.js';
import { codebookGroupOf, logChannelMinExponents } from './quantize.js';

type Codes = ArrayLike<number>;

/**
 * The reference dequantizer for every encoding kind, in float32 — what exporters and simulators are checked against.
 * Affine is ONNX DequantizeLinear (`(q − zp) · scale`, one float32 rounding); log `±2^(minExponent + (|c|−1)·step)`;
 * ternary `code · scale`; codebook the centroid (plus the residual centroid) of each index, scattered back through the
 * layout. Throws `QF_INVALID_ARGUMENT` without codes or when codes do not fit the encoding.
 *
 * @example
 * ```ts
 * const approx = dequantize(scheme.quantizeWeight(w, options, info));
 * sqnr(w.data as Float32Array, approx);
 * ```
 */
export function dequantize(q: QuantizedTensor): Float32Array {
  const { encoding: e, dims, codes } = q;
  if (codes === undefined) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `a ${e.kind} quantized tensor without codes cannot be dequantized`, {
      details: { kind: e.kind, dims },
      hint: 'Activations carry only an encoding; dequantize codes produced by quantizeWith or a scheme',
    });
  }
  checkEncoding(e, dims);
  const n = sizeOf(dims);
  const c = codes.data as Codes;
  const expected = e.kind === 'codebook' ? (e.residual === undefined ? 1 : 2) * (n / e.layout.rowLength) * codebookShape(e, n).perRow : n;
  if (c.length !== expected || typeof c[0] === 'bigint' || Array.isArray(c)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `${e.kind} codes: expected ${expected} numeric codes, got ${c.length}`, {
      details: { kind: e.kind, expected, got: c.length, dtype: codes.dtype },
    });
  }
  return dequantizeCodes(e, c, dims);
}

function codeError(kind: string, index: number, code: number): never {
  throw new QuantforgeError('QF_INVALID_ARGUMENT', `${kind} code ${code} at ${index} is out of range`, { details: { kind, index, code } });
}

function dequantizeCodes(e: Encoding, c: Codes, dims: readonly number[]): Float32Array {
  const n = sizeOf(dims);
  const out = new Float32Array(n);
  switch (e.kind) {
    case 'affine':
      forEachParamRun(dims, e.axis, e.blockSize, (start, length, p0, stride) => {
        for (let j = 0; j < length; j++) {
          const p = p0 + j * stride;
          out[start + j] = (c[start + j]! - e.zeroPoint[p]!) * e.scale[p]!;
        }
      });
      return out;
    case 'log': {
      const levels = logLevelCount(e);
      const mins = logChannelMinExponents(e);
      const table = new Float32Array(levels + 1);
      forEachParamRun(dims, e.axis, undefined, (start, length, p) => {
        for (let j = 1; j <= levels; j++) table[j] = 2 ** (mins[p]! + (j - 1) * e.step);
        for (let i = start; i < start + length; i++) {
          const code = c[i]!;
          const m = code < 0 ? -code : code;
          if (m > levels || (code < 0 && !e.signed) || (code === 0 && !e.zeroCode)) codeError('log', i, code);
          out[i] = code < 0 ? -table[m]! : table[m]!;
        }
      });
      return out;
    }
    case 'ternary':
      forEachParamRun(dims, e.axis, undefined, (start, length, p) => {
        const pos = e.scale[p]!;
        const neg = e.negativeScale?.[p] ?? pos;
        for (let i = start; i < start + length; i++) {
          const code = c[i]!;
          if (code !== 0 && code !== 1 && code !== -1) codeError('ternary', i, code);
          out[i] = code === 1 ? pos : code === -1 ? -neg : 0;
        }
      });
      return out;
    case 'codebook': {
      const { rows, perRow } = codebookShape(e, n);
      const d = e.subvectorLength;
      const count = rows * perRow;
      const { rowLength } = e.layout;
      const flat = new Float32Array(n);
      for (let r = 0; r < rows; r++) {
        for (let t = 0; t < perRow; t++) {
          const s = r * perRow + t;
          // Padding at the row's end is dropped: only the first `width` coordinates of the last sub-vector are real.
          const at = r * rowLength + t * d;
          const width = Math.min(d, rowLength - t * d);
          const g = codebookGroupOf(e, rows, r, t);
          const i1 = c[s]!;
          if (!(i1 >= 0 && i1 < e.k)) codeError('codebook', s, i1);
          const c1 = (g * e.k + i1) * d;
          if (e.residual === undefined) {
            for (let u = 0; u < width; u++) flat[at + u] = e.centroids[c1 + u]!;
          } else {
            const i2 = c[count + s]!;
            if (!(i2 >= 0 && i2 < e.residual.k)) codeError('codebook residual', s, i2);
            const c2 = (g * e.residual.k + i2) * d;
            for (let u = 0; u < width; u++) flat[at + u] = e.centroids[c1 + u]! + e.residual.centroids[c2 + u]!;
          }
        }
      }
      if (e.layout.perm === undefined) return flat;
      return permute(flat, dims, e.layout.perm, true);
    }
  }
}
