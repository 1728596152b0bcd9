import { QuantforgeError } from '@quantforge/core';
import { rdbpotUnchecked, srdhmUnchecked } from './fixed-point.js';
import { INT32_MAX, assertInt32, assertIntRange, mulShiftRoundUp } from './int32.js';
import { reduceMultiplier, type RoundingMode } from './multiplier.js';

const TWO_POW_47 = 140737488355328;
const TWO_POW_52 = 4503599627370496;

/** A requantization function `(x, multiplier, shift) → int32` of one build, with its arguments already checked. */
export type Requantizer = (x: number, multiplier: number, shift: number) => number;

/** Double-rounding MBQM on checked int32 arguments: `RDBPOT(SRDHM(x·2^left, M), right)`; `x·2^left` wraps like C. */
export function mbqmDoubleUnchecked(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return rdbpotUnchecked(srdhmUnchecked((x * 2 ** left) | 0, multiplier), right);
}

/** Single-rounding MBQM on checked arguments: `(x·M + 2^(30−shift)) >> (31 − shift)` on the exact product. */
export function mbqmSingleUnchecked(x: number, multiplier: number, shift: number): number {
  return mulShiftRoundUp(x, multiplier, 31 - shift) | 0;
}

/** The unchecked requantizer of a build, for kernel loops whose multipliers and shifts were validated once. */
export function requantizerFor(rounding: RoundingMode): Requantizer {
  return rounding === 'single' ? mbqmSingleUnchecked : mbqmDoubleUnchecked;
}

/**
 * Throws `QF_INVALID_ARGUMENT` unless `(multiplier, shift)` is valid for the build: int32 multiplier and
 * `−31 ≤ shift ≤ 31` for double rounding; `multiplier ≥ 0` and `−31 ≤ shift ≤ 30` for single rounding (TFLite's DCHECKs).
 */
export function assertMultiplier(multiplier: number, shift: number, rounding: RoundingMode): void {
  if (rounding === 'single') {
    assertIntRange('multiplier', multiplier, 0, INT32_MAX);
    assertIntRange('shift', shift, -31, 30);
  } else {
    assertInt32('multiplier', multiplier);
    assertIntRange('shift', shift, -31, 31);
  }
}

/**
 * TFLite `MultiplyByQuantizedMultiplier(int32 x, int32 M, int shift)` = CMSIS-NN `arm_nn_requantize`, in either
 * build: `'double'` (default, TFLM) or `'single'` (`TFLITE_SINGLE_ROUNDING`, `CMSIS_NN_USE_SINGLE_ROUNDING`).
 *
 * @example
 * ```ts
 * multiplyByQuantizedMultiplier(-2, 2 ** 30, -1, 'double'); // -1  (−0.5 rounds away from zero)
 * multiplyByQuantizedMultiplier(-2, 2 ** 30, -1, 'single'); // 0   (−0.5 rounds toward +∞)
 * ```
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number, rounding: RoundingMode = 'double'): number {
  assertInt32('x', x);
  assertMultiplier(multiplier, shift, rounding);
  return rounding === 'single' ? mbqmSingleUnchecked(x, multiplier, shift) : mbqmDoubleUnchecked(x, multiplier, shift);
}

/**
 * TFLite `MultiplyByQuantizedMultiplierSmallerThanOneExp` (`shift ≤ 0`, used by ADD). In the double build it is
 * `RDBPOT(SRDHM(x, M), −shift)`; the single build forwards to single-rounding MBQM.
 *
 * @example
 * ```ts
 * multiplyByQuantizedMultiplierSmallerThanOneExp(12345, 1518500250, -7); // 68
 * ```
 */
export function multiplyByQuantizedMultiplierSmallerThanOneExp(
  x: number,
  multiplier: number,
  shift: number,
  rounding: RoundingMode = 'double',
): number {
  assertIntRange('shift', shift, -31, 0);
  return multiplyByQuantizedMultiplier(x, multiplier, shift, rounding);
}

/**
 * TFLite `MultiplyByQuantizedMultiplierGreaterThanOne` (`shift ≥ 0`, used by softmax): `SRDHM(x·2^shift, M)` in the
 * double build; the single build forwards to single-rounding MBQM (the same value unless `x·2^shift` wraps).
 *
 * @example
 * ```ts
 * multiplyByQuantizedMultiplierGreaterThanOne(-3, 1610612736, 2); // -9
 * ```
 */
export function multiplyByQuantizedMultiplierGreaterThanOne(
  x: number,
  multiplier: number,
  shift: number,
  rounding: RoundingMode = 'double',
): number {
  assertIntRange('shift', shift, 0, rounding === 'single' ? 30 : 31);
  return multiplyByQuantizedMultiplier(x, multiplier, shift, rounding);
}

/**
 * TFLite's int64 `MultiplyByQuantizedMultiplier(int64 x, int32 M, int shift)` (int16x8 path, same in both builds)
 * = CMSIS-NN `arm_nn_requantize_s64(x, REDUCE_MULTIPLIER(M), shift)`: the multiplier is reduced to 16 bits, then
 * `(x·rm + 2^(14−shift)) >> (15 − shift)`, cast to int32. Needs `−2^47 ≤ x < 2^47` and `−31 ≤ shift < 8`.
 *
 * @example
 * ```ts
 * multiplyByQuantizedMultiplierInt64(1000n, 1073741824, 0); // 500
 * ```
 */
export function multiplyByQuantizedMultiplierInt64(x: number | bigint, multiplier: number, shift: number): number {
  assertInt32('multiplier', multiplier);
  assertIntRange('shift', shift, -31, 7);
  const inRange = typeof x === 'bigint' ? x >= -(2n ** 47n) && x < 2n ** 47n : Number.isInteger(x) && x >= -TWO_POW_47 && x < TWO_POW_47;
  if (!inRange) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `x must be an integer in [−2^47, 2^47) (got ${String(x)})`, {
      details: { x: String(x) },
    });
  }
  const rm = reduceMultiplier(multiplier);
  const total = 15 - shift;
  if (typeof x === 'number') {
    const p = x * rm;
    if (p < TWO_POW_52 && p > -TWO_POW_52) return Math.floor((p + 2 ** (total - 1)) / 2 ** total) | 0;
  }
  const r = (BigInt(x) * BigInt(rm) + (1n << BigInt(total - 1))) >> BigInt(total);
  return Number(BigInt.asIntN(32, r));
}

/**
 * Per-channel MBQM over a buffer whose innermost dimension is the channel (NHWC): element `i` uses
 * `multipliers[i % C]`, `shifts[i % C]`.
 *
 * @example
 * ```ts
 * multiplyByQuantizedMultiplierPerChannel(Int32Array.of(10, 10), Int32Array.of(2 ** 30, 2 ** 30), Int32Array.of(0, 1));
 * // Int32Array [5, 10]
 * ```
 */
export function multiplyByQuantizedMultiplierPerChannel(
  values: Int32Array,
  multipliers: Int32Array,
  shifts: Int32Array,
  rounding: RoundingMode = 'double',
): Int32Array {
  const channels = multipliers.length;
  if (channels === 0 || shifts.length !== channels || values.length % channels !== 0) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', 'per-channel requantization needs equal, non-empty multiplier and shift arrays dividing the values', {
      details: { values: values.length, multipliers: channels, shifts: shifts.length },
    });
  }
  for (let c = 0; c < channels; c++) assertMultiplier(multipliers[c] as number, shifts[c] as number, rounding);
  const rq = requantizerFor(rounding);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = i % channels;
    out[i] = rq(values[i] as number, multipliers[c] as number, shifts[c] as number);
  }
  return out;
}
