import { INT32_MAX, INT32_MIN, assertInt32, assertIntRange, mulShiftRoundUp } from './int32.js';

/**
 * gemmlowp `SaturatingRoundingDoublingHighMul` (= CMSIS-NN `arm_nn_doubling_high_mult`, ARM `VQRDMULH`):
 * `floor((a·b + 2^30) / 2^31)` on the exact 64-bit product, ties toward +∞; `INT32_MIN·INT32_MIN` saturates to
 * `INT32_MAX`. This is the raw product of two gemmlowp fixed-point numbers.
 *
 * @example
 * ```ts
 * saturatingRoundingDoublingHighMul(2 ** 30, 2 ** 30); // 536870912
 * saturatingRoundingDoublingHighMul(-(2 ** 30), 1);    // 0  (−0.5 rounds up)
 * ```
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  assertInt32('a', a);
  assertInt32('b', b);
  return srdhmUnchecked(a, b);
}

/** {@link saturatingRoundingDoublingHighMul} without argument checks, for kernel inner loops on known int32 values. */
export function srdhmUnchecked(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  return mulShiftRoundUp(a, b, 31);
}

/**
 * gemmlowp `RoundingDivideByPOT` (= CMSIS-NN `arm_nn_divide_by_power_of_two`): `x / 2^exponent` rounded half away
 * from zero, for int32 `x` and `0 ≤ exponent ≤ 31`.
 *
 * @example
 * ```ts
 * roundingDivideByPOT(5, 1);  // 3
 * roundingDivideByPOT(-5, 1); // -3
 * ```
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  assertInt32('x', x);
  assertIntRange('exponent', exponent, 0, 31);
  return rdbpotUnchecked(x, exponent);
}

/** {@link roundingDivideByPOT} without argument checks. */
export function rdbpotUnchecked(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = 0xffffffff >>> (32 - exponent) | 0;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * gemmlowp `SaturatingRoundingMultiplyByPOT<exponent>` on an int32 raw value: a positive exponent is a left shift that
 * saturates to the int32 range, a negative one is {@link roundingDivideByPOT}. `Rescale<dst>` of a fixed-point number
 * with `src` integer bits is this with `exponent = src − dst`.
 *
 * @example
 * ```ts
 * saturatingRoundingMultiplyByPOT(2 ** 29, 2);  // 2147483647 (saturated)
 * saturatingRoundingMultiplyByPOT(-6, -2);      // -2
 * ```
 */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  assertInt32('x', x);
  assertIntRange('exponent', exponent, -31, 31);
  return srmbpotUnchecked(x, exponent);
}

/** {@link saturatingRoundingMultiplyByPOT} without argument checks. */
export function srmbpotUnchecked(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return rdbpotUnchecked(x, -exponent);
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (x * 2 ** exponent) | 0;
}

/**
 * gemmlowp `RoundingHalfSum` for int32: `(a + b ± 1) / 2` with C truncating division, sign taken from `a + b`.
 *
 * @example
 * ```ts
 * roundingHalfSum(3, 4);   // 4
 * roundingHalfSum(-3, -4); // -4
 * ```
 */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b;
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/** C's `(int32)` of an integer-valued double: wraps modulo 2^32, as int32 `+`, `−` and `<<` do in practice. */
export function wrapInt32(v: number): number {
  return v | 0;
}
