import { QuantforgeError } from '../errors/error.js';
import { allocate } from '../ir/dtype.js';
import { sizeOf, tensor, type Tensor } from '../ir/tensor.js';
import { quantRange } from './affine.js';
import { permute } from './codebook-layout.js';
import type { AffineEncoding, CodebookEncoding, Encoding, LogEncoding, QuantizedTensor, TernaryEncoding } from './encoding.js';
import { checkEncoding, codebookShape, logLevelCount } from './encoding-check.js';
import { forEachParamRun } from './param-runs.js';
import { roundHalfAway, roundHalfEven } from './rounding.js';

/**
 * Quantizes float values with an encoding whose quantizer is fully determined by its parameters: affine (ONNX
 * QuantizeLinear: float32 `x / scale`, round half to even, add zp, saturate; NaN → zp), log (log-domain rounding, see
 * {@link LogEncoding}), ternary (threshold) and codebook (nearest centroid by squared distance, first on ties;
 * a residual stage quantizes what the first stage left). Returns codes of the dtypes listed on {@link QuantizedTensor}.
 *
 * @example
 * ```ts
 * const q = quantizeWith(affineEncoding({ min: -1, max: 1 }, { bits: 8, signed: true, symmetric: true }), values, [values.length]);
 * ```
 */
export function quantizeWith(encoding: Encoding, values: Float32Array, dims: readonly number[]): QuantizedTensor {
  if (sizeOf(dims) !== values.length) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `dims [${dims.join(', ')}] do not match ${values.length} values`, {
      details: { dims: [...dims], length: values.length },
    });
  }
  checkEncoding(encoding, dims);
  let codes: Tensor;
  switch (encoding.kind) {
    case 'affine': codes = quantizeAffine(encoding, values, dims); break;
    case 'log': codes = quantizeLog(encoding, values, dims); break;
    case 'ternary': codes = quantizeTernary(encoding, values, dims); break;
    case 'codebook': codes = quantizeCodebook(encoding, values, dims); break;
  }
  return { encoding, dims: [...dims], codes };
}

function quantizeAffine(e: AffineEncoding, x: Float32Array, dims: readonly number[]): Tensor {
  const out = allocate(e.storage, x.length) as Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;
  const [qmin, qmax] = quantRange(e.bits, e.signed, e.narrowRange);
  const { scale, zeroPoint } = e;
  forEachParamRun(dims, e.axis, e.blockSize, (start, length, p0, stride) => {
    for (let j = 0; j < length; j++) {
      const p = p0 + j * stride;
      const zp = zeroPoint[p]!;
      // Division of two float32 values in double, then fround, equals the float32 division ONNX specifies.
      const v = Math.fround(x[start + j]! / scale[p]!);
      let q = v !== v ? zp : roundHalfEven(v) + zp;
      if (q < qmin) q = qmin;
      else if (q > qmax) q = qmax;
      out[start + j] = q;
    }
  });
  return tensor(e.storage, dims, out as never);
}

/**
 * Smallest-level exponent (log2) of each channel of a log encoding; one entry when per-tensor.
 *
 * @example
 * ```ts
 * logChannelMinExponents({ kind: 'log', bits: 4, signed: true, step: 1, fsr: 0, minExponent: -7, zeroCode: true,
 *   channelFsr: new Float32Array([0, 2]), axis: 0 }); // [-7, -5]
 * ```
 */
export function logChannelMinExponents(e: LogEncoding): Float64Array {
  if (e.channelFsr === undefined) return Float64Array.of(e.minExponent);
  return Float64Array.from(e.channelFsr, (f) => e.minExponent + (f - e.fsr));
}

function quantizeLog(e: LogEncoding, x: Float32Array, dims: readonly number[]): Tensor {
  const levels = logLevelCount(e);
  const mins = logChannelMinExponents(e);
  // Sign-magnitude level numbers reach ±levels, which an 8-bit unsigned ladder without a zero code exceeds in int8.
  const dtype = levels <= 127 ? 'int8' : 'int16';
  const out = allocate(dtype, x.length);
  const underflow = e.zeroCode ? 0 : 1;
  forEachParamRun(dims, e.axis, undefined, (start, length, p) => {
    const minE = mins[p]!;
    for (let j = start; j < start + length; j++) {
      const v = x[j]!;
      const a = Math.abs(v);
      let code: number;
      // Unsigned log codes have no negative levels: like ReLU outputs, x ≤ 0 goes to the bottom code.
      if (a === 0 || a !== a || (!e.signed && v < 0)) code = underflow;
      else {
        const idx = roundHalfAway((Math.log2(a) - minE) / e.step);
        code = idx < 0 ? underflow : idx >= levels ? levels : idx + 1;
      }
      out[j] = e.signed && v < 0 ? -code : code;
    }
  });
  return tensor(dtype, dims, out);
}

function quantizeTernary(e: TernaryEncoding, x: Float32Array, dims: readonly number[]): Tensor {
  const out = new Int8Array(x.length);
  forEachParamRun(dims, e.axis, undefined, (start, length, p) => {
    const pos = e.threshold?.[p] ?? e.scale[p]! / 2;
    const neg = e.threshold?.[p] ?? (e.negativeScale?.[p] ?? e.scale[p]!) / 2;
    for (let j = start; j < start + length; j++) {
      const v = x[j]!;
      out[j] = v > pos ? 1 : v < -neg ? -1 : 0;
    }
  });
  return tensor('int8', dims, out);
}

/**
 * Index dtype for codebooks of up to `k` centroids.
 *
 * @example
 * ```ts
 * codebookIndexDtype(256); // 'uint8'
 * ```
 */
export function codebookIndexDtype(k: number): 'uint8' | 'uint16' | 'int32' {
  return k <= 256 ? 'uint8' : k <= 65536 ? 'uint16' : 'int32';
}

/**
 * The codebook (group) serving sub-vector `t` of row `r` when the layout has `rows` rows.
 *
 * @example
 * ```ts
 * codebookGroupOf(pq, rows, 0, 3); // 3 for grouping 'subspace'
 * ```
 */
export function codebookGroupOf(e: CodebookEncoding, rows: number, r: number, t: number): number {
  if (e.grouping === 'tensor') return 0;
  if (e.grouping === 'subspace') return t;
  return Math.floor(r / (rows / e.groups));
}

function nearest(centroids: Float32Array, base: number, k: number, d: number, v: Float64Array): number {
  let best = 0;
  let bestDist = Infinity;
  for (let c = 0; c < k; c++) {
    const off = base + c * d;
    let dist = 0;
    for (let t = 0; t < d; t++) {
      const diff = v[t]! - centroids[off + t]!;
      dist += diff * diff;
    }
    if (dist < bestDist) {
      bestDist = dist;
      best = c;
    }
  }
  return best;
}

function quantizeCodebook(e: CodebookEncoding, x: Float32Array, dims: readonly number[]): Tensor {
  const rowsData = permute(x, dims, e.layout.perm);
  const { rows, perRow } = codebookShape(e, x.length);
  const { rowLength } = e.layout;
  const d = e.subvectorLength;
  const stages = e.residual === undefined ? 1 : 2;
  const dtype = codebookIndexDtype(Math.max(e.k, e.residual?.k ?? 0));
  const count = rows * perRow;
  const out = allocate(dtype, stages * count);
  const v = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < perRow; t++) {
      const g = codebookGroupOf(e, rows, r, t);
      // Padded coordinates (past rowLength) read as zero.
      const off = r * rowLength + t * d;
      for (let u = 0; u < d; u++) v[u] = t * d + u < rowLength ? rowsData[off + u]! : 0;
      const i1 = nearest(e.centroids, g * e.k * d, e.k, d, v);
      out[r * perRow + t] = i1;
      if (e.residual !== undefined) {
        const c1 = (g * e.k + i1) * d;
        for (let u = 0; u < d; u++) v[u] = Math.fround(v[u]! - e.centroids[c1 + u]!);
        out[count + r * perRow + t] = nearest(e.residual.centroids, g * e.residual.k * d, e.residual.k, d, v);
      }
    }
  }
  return tensor(dtype, [stages, rows, perRow], out);
}
