import { QuantforgeError } from '@quantforge/core';

/** Smallest int32, −2^31. */
export const INT32_MIN = -2147483648;
/** Largest int32, 2^31 − 1. */
export const INT32_MAX = 2147483647;

const TWO_POW_16 = 65536;
const TWO_POW_52 = 4503599627370496;

/** Throws `QF_INVALID_ARGUMENT` unless `v` is an integer in `[lo, hi]`. */
export function assertIntRange(name: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `${name} must be an integer in [${lo}, ${hi}] (got ${v})`, {
      details: { name, value: v, min: lo, max: hi },
    });
  }
}

/** Throws `QF_INVALID_ARGUMENT` unless `v` is an int32. */
export function assertInt32(name: string, v: number): void {
  assertIntRange(name, v, INT32_MIN, INT32_MAX);
}

/**
 * `std::round`: ties away from zero. Exact for every double (no `floor(v + 0.5)` misrounding of values just below ½).
 *
 * @example
 * ```ts
 * roundHalfAway(-2.5); // -3 (Math.round gives -2)
 * ```
 */
export function roundHalfAway(v: number): number {
  const t = Math.trunc(v);
  if (Math.abs(v - t) >= 0.5) return t + Math.sign(v);
  return t;
}

/**
 * Round half to even (`rint` in the default FP mode, Python `round`).
 *
 * @example
 * ```ts
 * roundHalfEven(2.5); // 2
 * ```
 */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * C `frexp` for finite doubles: `v = fraction · 2^exponent` with `0.5 ≤ |fraction| < 1` (both 0 for v = 0).
 * Reads the IEEE-754 exponent bits, so it is exact also for subnormals.
 *
 * @example
 * ```ts
 * frexp(0.75); // { fraction: 0.75, exponent: 0 }
 * frexp(1);    // { fraction: 0.5, exponent: 1 }
 * ```
 */
export function frexp(v: number): { fraction: number; exponent: number } {
  if (!Number.isFinite(v)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `frexp needs a finite number (got ${v})`, { details: { value: v } });
  }
  if (v === 0) return { fraction: 0, exponent: 0 };
  const view = new DataView(new ArrayBuffer(8));
  let scaled = v;
  let bias = 0;
  view.setFloat64(0, scaled);
  if (((view.getUint16(0) >>> 4) & 0x7ff) === 0) {
    // Subnormal: bring it into the normal range first so the exponent field is meaningful.
    scaled = v * 2 ** 64;
    bias = -64;
    view.setFloat64(0, scaled);
  }
  const biasedExp = (view.getUint16(0) >>> 4) & 0x7ff;
  const exponent = biasedExp - 1022;
  // Set the exponent field to 1022 so the value becomes the fraction in [0.5, 1).
  const hi = view.getUint16(0);
  view.setUint16(0, (hi & 0x800f) | (1022 << 4));
  return { fraction: view.getFloat64(0), exponent: exponent + bias };
}

/**
 * Exact `floor((a·b + 2^(t−1)) / 2^t)` for int32 `a`, `b` and `1 ≤ t ≤ 62`: a 32×32→64 multiply followed by a
 * rounding (half up) arithmetic right shift, as C does it with int64, then the cast to int32 (wraps). Doubles are
 * exact below 2^53; larger products fall back to BigInt.
 */
export function mulShiftRoundUp(a: number, b: number, t: number): number {
  const p = a * b;
  if (p < TWO_POW_52 && p > -TWO_POW_52 && t <= 51) {
    // |p + 2^(t−1)| < 2^53: the sum, the power-of-two division and the floor are all exact.
    return Math.floor((p + 2 ** (t - 1)) / 2 ** t) | 0;
  }
  if (t === 31) return mulShift31(a, b);
  const r = (BigInt(a) * BigInt(b) + (1n << BigInt(t - 1))) >> BigInt(t);
  return Number(BigInt.asIntN(32, r));
}

/** `floor((a·b + 2^30) / 2^31)` without BigInt: split `a` into 16-bit limbs so each partial product stays below 2^48. */
function mulShift31(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = (a - aLo) / TWO_POW_16;
  const pHi = aHi * b; // |pHi| ≤ 2^46
  const pLo = aLo * b; // |pLo| < 2^47
  // a·b = pHi·2^16 + pLo; write pHi = q·2^15 + r with 0 ≤ r < 2^15, so pHi·2^16 = q·2^31 + r·2^16.
  const q = Math.floor(pHi / 32768);
  const r = pHi - q * 32768;
  return (q + Math.floor((r * TWO_POW_16 + pLo + 1073741824) / 2147483648)) | 0;
}
