import type { Tensor } from '../ir/tensor.js';

/**
 * What a scheme produces for one tensor: a discriminated union by `kind`. Every kind is dequantized by the reference
 * {@link dequantize} in core; exporters and backends say which kinds they can write and raise
 * `QF_ENCODING_UNSUPPORTED` for the rest. Typed arrays keep encodings cheap to move to workers; use
 * {@link serializeEncoding} for JSON.
 *
 * @example
 * ```ts
 * const e: Encoding = { kind: 'ternary', scale: new Float32Array([0.05]) };
 * ```
 */
export type Encoding = AffineEncoding | LogEncoding | CodebookEncoding | TernaryEncoding;

/** The `kind` tags of {@link Encoding}. */
export type EncodingKind = Encoding['kind'];

/** Every encoding kind, in a stable order. */
export const ENCODING_KINDS: readonly EncodingKind[] = ['affine', 'log', 'codebook', 'ternary'];

/** ONNX element types an affine encoding is stored as (the QuantizeLinear output / DequantizeLinear input type). */
export type AffineStorage = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int4' | 'uint4' | 'int32';

/**
 * Uniform (affine) quantization, exactly ONNX QuantizeLinear/DequantizeLinear: `q = saturate(rint(x / scale) + zp)`,
 * `x' = (q − zp) · scale`.
 *
 * Granularity follows from the fields:
 * - per-tensor: `axis` absent, one scale;
 * - per-channel: `axis` set, `blockSize` absent, `dims[axis]` scales;
 * - per-group (ONNX blocked quantization): `axis` and `blockSize` set; the scale has the tensor's shape with
 *   `dims[axis]` replaced by `ceil(dims[axis] / blockSize)`, row-major (for a 2-D `[C, K]` weight blocked along axis 1
 *   that is C × blocks).
 *
 * The integer range is set by `bits`, not by the storage type: a 3-bit code lives in an `int4` container with range
 * [−4, 3] (see {@link quantRange}). `narrowRange` drops the lowest code: signed [−2^(b−1)+1, 2^(b−1)−1], unsigned
 * [1, 2^b−1].
 *
 * @example
 * ```ts
 * const e: AffineEncoding = {
 *   kind: 'affine', bits: 8, signed: true, narrowRange: true, symmetric: true, powerOfTwo: false,
 *   scale: new Float32Array([1 / 127]), zeroPoint: new Int32Array([0]), storage: 'int8',
 * };
 * ```
 */
export interface AffineEncoding {
  kind: 'affine';
  /** Code width: 2–16, or 32 for int32 biases. */
  bits: number;
  signed: boolean;
  narrowRange: boolean;
  /** Informational for consumers that need it (TensorRT wants zp = 0); the numbers are in `scale`/`zeroPoint`. */
  symmetric: boolean;
  /** Every scale is a power of two (fixed-point targets: shifts instead of multipliers). */
  powerOfTwo: boolean;
  scale: Float32Array;
  zeroPoint: Int32Array;
  axis?: number;
  blockSize?: number;
  storage: AffineStorage;
}

/**
 * Logarithmic quantization (LogQuant, Miyashita et al. 2016; the activation quantizer of weighted-entropy
 * quantization, Park et al. 2017). Magnitudes are powers of the base `2^step`:
 *
 * - non-zero levels `2^(minExponent + j·step)` for `j = 0 … L−1` with `L = (fsr − minExponent) / step`, so the top
 *   level is `2^(fsr − step)` (Miyashita's clip of `x̃ ≥ FSR` to `FSR − 1`);
 * - rounding happens in the log domain: `j = roundHalfAway((log2|x| − minExponent) / step)`, clipped to `L − 1`;
 *   with `zeroCode`, `j < 0` (and x = 0) gives exact zero, otherwise it gives the smallest level.
 * - `step` is log2 of the base: 1 for base 2, 0.5 for base √2, k/8 for Park's search grid. Exponents are in octaves
 *   (log2 units), so √2 and fractional steps need no other field.
 *
 * Codes are sign-magnitude level numbers: `0` is zero, `±(j+1)` is `±2^(minExponent + j·step)`. `bits` counts the
 * sign bit when `signed`; a code needs `L ≤ 2^(bits − signed) − (zeroCode ? 1 : 0)`.
 *
 * Per-channel: `channelFsr` (length `dims[axis]`) shifts the whole ladder of channel c by `channelFsr[c] − fsr`.
 *
 * @example
 * ```ts
 * // Miyashita 3-bit unsigned, FSR = 0: levels 2^-7 … 2^-1 and zero
 * const e: LogEncoding = { kind: 'log', bits: 3, signed: false, step: 1, fsr: 0, minExponent: -7, zeroCode: true };
 * ```
 */
export interface LogEncoding {
  kind: 'log';
  bits: number;
  signed: boolean;
  step: number;
  fsr: number;
  minExponent: number;
  zeroCode: boolean;
  channelFsr?: Float32Array;
  axis?: number;
}

/**
 * How a weight is laid out as rows of sub-vectors for a codebook: transpose by `perm` (ONNX Transpose semantics,
 * identity when absent), then view the row-major result as `[N / rowLength, rowLength]`; each row, followed by `pad`
 * zeros (0 ≤ pad < d, absent = 0), is split into `(rowLength + pad) / d` consecutive sub-vectors. Padding lets a row
 * length that d does not divide (a 3 × 3 Conv row of 9) keep one row per output channel; the padded coordinates are
 * zero in every point, so they never move a distance, and dequantization drops them.
 *
 * @example
 * ```ts
 * // Conv weight [O, I, kh, kw], sub-vectors of 4 input channels at one tap: perm [0, 2, 3, 1], rowLength I
 * const layout: CodebookLayout = { perm: [0, 2, 3, 1], rowLength: 64 };
 * ```
 */
export interface CodebookLayout {
  perm?: number[];
  rowLength: number;
  pad?: number;
}

/** One codebook stage: `groups × k` centroids of length d, row-major `[groups][k][d]`. */
export interface CodebookStage {
  centroids: Float32Array;
  k: number;
}

/**
 * Vector / scalar codebook quantization (k-means, product quantization, residual VQ).
 *
 * - `subvectorLength` d = 1 is scalar k-means; d > 1 is vector quantization.
 * - `grouping` picks which codebook a sub-vector uses: `'tensor'` one codebook; `'channel'` the rows are split into
 *   `groups` equal consecutive blocks (put the channel axis first with `perm`; `axis` records which original axis it
 *   was); `'subspace'` product quantization, codebook g serves the g-th sub-vector of every row
 *   (`groups = rowLength / d`).
 * - `residual`: a second stage with the same groups and d; the value is `stage1 + stage2` (float32).
 *
 * Codes: one index per stage and sub-vector, dims `[stages, rows, (rowLength + pad) / d]`, dtype uint8 (k ≤ 256), uint16
 * (k ≤ 65536) or int32.
 *
 * @example
 * ```ts
 * // 16 scalar centroids shared by a whole [64, 128] weight
 * const e: CodebookEncoding = { kind: 'codebook', centroids: new Float32Array(16), k: 16, groups: 1,
 *   subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 128 } };
 * ```
 */
export interface CodebookEncoding extends CodebookStage {
  kind: 'codebook';
  groups: number;
  subvectorLength: number;
  grouping: 'tensor' | 'channel' | 'subspace';
  axis?: number;
  layout: CodebookLayout;
  residual?: CodebookStage;
}

/**
 * Ternary quantization (TWN, TTQ, TernGrad): codes in {−1, 0, +1} (int8), value `code · scale` and
 * `−negativeScale` for −1 when the two sides have their own scale (TTQ). `scale` has length 1 (per-tensor) or
 * `dims[axis]` (per-channel). `threshold` (same length) is where {@link quantizeWith} switches from 0 to ±1; absent, it
 * is half the scale (nearest level). Stochastic ternarization (TernGrad) happens in the scheme, not here.
 *
 * @example
 * ```ts
 * const e: TernaryEncoding = { kind: 'ternary', scale: new Float32Array([0.1]), threshold: new Float32Array([0.07]) };
 * ```
 */
export interface TernaryEncoding {
  kind: 'ternary';
  scale: Float32Array;
  negativeScale?: Float32Array;
  threshold?: Float32Array;
  axis?: number;
}

/**
 * A quantized tensor: its encoding, the float tensor's dims and, for weights, the integer codes or indices
 * (activations carry only the encoding). Codes dtypes: affine → the encoding's `storage` (int4/uint4 unpacked, one per
 * byte, as in the IR); log → int8 (int16 when the ladder has more than 127 levels); ternary → int8; codebook → see
 * {@link CodebookEncoding}.
 *
 * @example
 * ```ts
 * const q = quantizeWith(encoding, new Float32Array([0.5, -1]), [2]);
 * const back = dequantize(q);
 * ```
 */
export interface QuantizedTensor {
  encoding: Encoding;
  dims: number[];
  codes?: Tensor;
}
