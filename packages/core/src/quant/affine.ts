import { QuantforgeError } from '../errors/error.js';
import type { AffineEncoding, AffineStorage } from './encoding.js';
import { roundHalfEven } from './rounding.js';

/** The number format of an affine quantizer. */
export interface AffineFormat {
  /** 2–16, or 32 (signed only, for int32 biases). */
  bits: number;
  signed: boolean;
  /** zp = 0 (signed) or the mid code 2^(bits−1) (unsigned); the range becomes [−max|x|, max|x|]. */
  symmetric: boolean;
  narrowRange?: boolean;
  /** Round every scale up to a power of two (so the range still fits). */
  powerOfTwo?: boolean;
}

/** A clipping range. `min ≤ max`; the affine math widens it to contain 0. */
export interface Range {
  min: number;
  max: number;
}

/** Scale and zero point of one channel. */
export interface AffineParams {
  scale: number;
  zeroPoint: number;
}

/**
 * Smallest scale ever produced: the smallest normal float32. A range so small that its scale would underflow gets
 * this instead, so `x / scale` and requantization multipliers stay finite.
 */
export const MIN_SCALE = 2 ** -126;

/**
 * Checks an affine format (bits 2–16 or signed 32), throwing `QF_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * checkAffineFormat({ bits: 8, signed: true, symmetric: true });
 * ```
 */
export function checkAffineFormat(f: AffineFormat): void {
  const okBits = Number.isInteger(f.bits) && ((f.bits >= 2 && f.bits <= 16) || f.bits === 32);
  if (!okBits) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `affine bits must be 2–16 or 32, got ${f.bits}`, { details: { bits: f.bits } });
  }
  if (f.bits === 32 && !f.signed) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', '32-bit affine codes must be signed (int32)', { details: { bits: 32, signed: false } });
  }
}

/**
 * Integer range [qmin, qmax] of a code. Narrow range drops the lowest code.
 *
 * @example
 * ```ts
 * quantRange(8, true, true); // [-127, 127]
 * quantRange(4, false, false); // [0, 15]
 * ```
 */
export function quantRange(bits: number, signed: boolean, narrowRange = false): [number, number] {
  const lo = signed ? -(2 ** (bits - 1)) : 0;
  const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return [narrowRange ? lo + 1 : lo, hi];
}

/**
 * The ONNX storage type of a code: the smallest of int4/int8/int16/int32 (or the unsigned twins) that holds `bits`.
 *
 * @example
 * ```ts
 * affineStorage(3, true); // 'int4'
 * affineStorage(12, false); // 'uint16'
 * ```
 */
export function affineStorage(bits: number, signed: boolean): AffineStorage {
  checkAffineFormat({ bits, signed, symmetric: false });
  if (bits <= 4) return signed ? 'int4' : 'uint4';
  if (bits <= 8) return signed ? 'int8' : 'uint8';
  if (bits <= 16) return signed ? 'int16' : 'uint16';
  return 'int32';
}

/**
 * Smallest power of two ≥ s (s > 0), computed exactly.
 *
 * @example
 * ```ts
 * ceilPowerOfTwo(0.3); // 0.5
 * ```
 */
export function ceilPowerOfTwo(s: number): number {
  let p = 2 ** Math.ceil(Math.log2(s));
  // log2 can be off by one ulp around exact powers; correct both ways.
  if (p < s) p *= 2;
  if (p / 2 >= s) p /= 2;
  return p;
}

/**
 * Scale and zero point for a range, as ONNX QuantizeLinear consumes them.
 *
 * - The range is widened to contain 0 (`min ≤ 0 ≤ max`), so 0 is always exactly representable (zp is an integer).
 * - Symmetric: `amax = max(|min|, |max|)`; signed → `scale = amax / qmax`, zp 0; unsigned → zp = 2^(bits−1),
 *   `scale = amax / (qmax − zp)`.
 * - Asymmetric: `scale = (max − min) / (qmax − qmin)`, `zp = qmin − rint(min / scale)` clamped to [qmin, qmax].
 * - Degenerate range (all zeros): scale 1 — any scale represents 0 exactly, and 1 keeps multipliers well scaled;
 *   zp is 0 (signed or symmetric mid code for unsigned symmetric) or qmin.
 * - Scales are float32 (ONNX stores them so); a scale that would underflow becomes {@link MIN_SCALE}.
 *
 * @example
 * ```ts
 * computeAffineParams({ min: -1, max: 3 }, { bits: 8, signed: false, symmetric: false }); // { scale: 4/255, zeroPoint: 64 }
 * ```
 */
export function computeAffineParams(range: Range, format: AffineFormat): AffineParams {
  checkAffineFormat(format);
  const { min: rawMin, max: rawMax } = range;
  if (!Number.isFinite(rawMin) || !Number.isFinite(rawMax) || rawMin > rawMax) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `affine range must be finite with min ≤ max, got [${rawMin}, ${rawMax}]`, {
      details: { min: rawMin, max: rawMax },
      hint: 'NaN or infinite values reached calibration; check the model and the data',
    });
  }
  const [qmin, qmax] = quantRange(format.bits, format.signed, format.narrowRange ?? false);
  const min = Math.min(rawMin, 0);
  const max = Math.max(rawMax, 0);
  const midZp = format.signed ? 0 : 2 ** (format.bits - 1);
  if (min === 0 && max === 0) {
    return { scale: 1, zeroPoint: format.symmetric ? midZp : Math.min(Math.max(0, qmin), qmax) };
  }
  let scale: number;
  if (format.symmetric) {
    const amax = Math.max(-min, max);
    scale = amax / (qmax - midZp);
  } else {
    scale = (max - min) / (qmax - qmin);
  }
  scale = Math.fround(scale);
  if (!(scale >= MIN_SCALE)) scale = MIN_SCALE;
  if (!Number.isFinite(scale)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `affine range [${rawMin}, ${rawMax}] overflows a float32 scale`, { details: { min: rawMin, max: rawMax } });
  }
  if (format.powerOfTwo) scale = ceilPowerOfTwo(scale);
  if (format.symmetric) return { scale, zeroPoint: midZp };
  const zp = qmin - roundHalfEven(min / scale);
  return { scale, zeroPoint: Math.min(Math.max(zp, qmin), qmax) };
}

/**
 * Per-channel (or per-group) parameters for parallel arrays of range bounds.
 *
 * @example
 * ```ts
 * const { scale, zeroPoint } = computeAffineParamsPerChannel(new Float32Array([-1, -2]), new Float32Array([1, 2]),
 *   { bits: 8, signed: true, symmetric: true, narrowRange: true });
 * ```
 */
export function computeAffineParamsPerChannel(
  mins: ArrayLike<number>,
  maxs: ArrayLike<number>,
  format: AffineFormat,
): { scale: Float32Array; zeroPoint: Int32Array } {
  if (mins.length !== maxs.length) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `per-channel ranges need as many mins as maxs (${mins.length} vs ${maxs.length})`, {
      details: { mins: mins.length, maxs: maxs.length },
    });
  }
  const scale = new Float32Array(mins.length);
  const zeroPoint = new Int32Array(mins.length);
  for (let c = 0; c < mins.length; c++) {
    const p = computeAffineParams({ min: mins[c]!, max: maxs[c]! }, format);
    scale[c] = p.scale;
    zeroPoint[c] = p.zeroPoint;
  }
  return { scale, zeroPoint };
}

/**
 * Builds a complete {@link AffineEncoding} from a range (per-tensor) or from per-channel / per-group range arrays
 * (as {@link reduceRanges} returns them, with the same `axis` / `blockSize`).
 *
 * @example
 * ```ts
 * const w = reduceRanges(weights, [64, 3, 3, 3], 0);
 * const e = affineEncoding(w, { bits: 8, signed: true, symmetric: true, narrowRange: true }, { axis: 0 });
 * ```
 */
export function affineEncoding(
  ranges: Range | { min: ArrayLike<number>; max: ArrayLike<number> },
  format: AffineFormat,
  layout: { axis?: number; blockSize?: number } = {},
): AffineEncoding {
  const perTensor = typeof ranges.min === 'number';
  if (perTensor !== (layout.axis === undefined)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', 'a single range is per-tensor (no axis); range arrays need an axis', {
      details: { perTensor, axis: layout.axis },
    });
  }
  let params: { scale: Float32Array; zeroPoint: Int32Array };
  if (perTensor) {
    const p = computeAffineParams(ranges as Range, format);
    params = { scale: Float32Array.of(p.scale), zeroPoint: Int32Array.of(p.zeroPoint) };
  } else {
    const r = ranges as { min: ArrayLike<number>; max: ArrayLike<number> };
    params = computeAffineParamsPerChannel(r.min, r.max, format);
  }
  const e: AffineEncoding = {
    kind: 'affine',
    bits: format.bits,
    signed: format.signed,
    narrowRange: format.narrowRange ?? false,
    symmetric: format.symmetric,
    powerOfTwo: format.powerOfTwo ?? false,
    scale: params.scale,
    zeroPoint: params.zeroPoint,
    storage: affineStorage(format.bits, format.signed),
  };
  if (layout.axis !== undefined) e.axis = layout.axis;
  if (layout.blockSize !== undefined) e.blockSize = layout.blockSize;
  return e;
}

/**
 * The int32 bias encoding of a conv / matmul (TFLite, ONNX QLinearConv): `scale[c] = s_in · s_w[c]` as a float32
 * product, zero point 0, per-channel along axis 0 when the weight is per-channel. The input must be per-tensor.
 *
 * @example
 * ```ts
 * const b = biasEncoding(inputEncoding, weightEncoding);
 * const qb = quantizeWith(b, bias.data as Float32Array, bias.dims);
 * ```
 */
export function biasEncoding(input: AffineEncoding, weight: AffineEncoding): AffineEncoding {
  if (input.scale.length !== 1 || input.axis !== undefined) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', 'a bias scale needs a per-tensor input encoding', { details: { inputScales: input.scale.length } });
  }
  if (weight.blockSize !== undefined) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', 'per-group weights have no int32 bias scale', { details: { blockSize: weight.blockSize } });
  }
  const s = input.scale[0]!;
  const scale = Float32Array.from(weight.scale, (w) => Math.fround(s * w));
  const e: AffineEncoding = {
    kind: 'affine', bits: 32, signed: true, narrowRange: false, symmetric: true, powerOfTwo: input.powerOfTwo && weight.powerOfTwo,
    scale, zeroPoint: new Int32Array(scale.length), storage: 'int32',
  };
  if (weight.axis !== undefined) e.axis = 0;
  return e;
}
