import { rdbpotUnchecked, roundingHalfSum, srdhmUnchecked, srmbpotUnchecked } from './fixed-point.js';
import { INT32_MAX, assertInt32, assertIntRange } from './int32.js';

// gemmlowp FixedPoint<int32, I> is carried as its raw int32; `*` is SRDHM on raws, `+`/`−` wrap, Rescale is a
// saturating/rounding power-of-two multiply. Every step below follows gemmlowp's order, which bit-exactness needs.

const EXP_MINUS_ONE_EIGHTH = 1895147668; // exp(−1/8), Q0.31
const ONE_THIRD = 715827883; // 1/3, Q0.31
const C48_OVER_17 = 1515870810; // 48/17, Q2.29
const CNEG32_OVER_17 = -1010580540; // −32/17, Q2.29
const ONE_Q2 = 1 << 29;
// Barrel shifter: [exponent k, exp(−2^k) in Q0.31].
const BARREL: ReadonlyArray<readonly [number, number]> = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/** exp(a) for a ∈ [−1/4, 0), a in Q0.31 (gemmlowp `exp_on_interval_between_negative_one_quarter_and_0_excl`). */
function expOnQuarterInterval(a: number): number {
  const x = (a + (1 << 28)) | 0; // Taylor expansion around −1/8
  const x2 = srdhmUnchecked(x, x);
  const x3 = srdhmUnchecked(x2, x);
  const x4 = srdhmUnchecked(x2, x2);
  const x4Over4 = rdbpotUnchecked(x4, 2);
  const poly = rdbpotUnchecked((srdhmUnchecked((x4Over4 + x3) | 0, ONE_THIRD) + x2) | 0, 1);
  return (EXP_MINUS_ONE_EIGHTH + srdhmUnchecked(EXP_MINUS_ONE_EIGHTH, (x + poly) | 0)) | 0;
}

/**
 * gemmlowp `exp_on_negative_values`: `exp(a)` for `a ≤ 0` given as the raw int32 of a fixed-point number with
 * `integerBits` integer bits; returns Q0.31 raw (`exp(0)` → `INT32_MAX`).
 *
 * @example
 * ```ts
 * expOnNegativeValues(0, 5);        // 2147483647 (1.0 in Q0.31)
 * expOnNegativeValues(-(1 << 26), 5); // 790015308 (≈ exp(−1)·2^31)
 * ```
 */
export function expOnNegativeValues(a: number, integerBits: number): number {
  assertInt32('a', a);
  assertIntRange('integerBits', integerBits, 0, 31);
  return expOnNegativeValuesUnchecked(a, integerBits);
}

/** {@link expOnNegativeValues} without argument checks. */
export function expOnNegativeValuesUnchecked(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  // Constants gemmlowp cannot represent in this format (1/4 needs ≥ 2 fractional bits) are never reached for I ≤ 29.
  const oneQuarter = fractionalBits >= 2 ? 1 << (fractionalBits - 2) : 0;
  const mask = (oneQuarter - 1) | 0;
  const aModQuarterMinusQuarter = ((a & mask) - oneQuarter) | 0;
  let result = expOnQuarterInterval(srmbpotUnchecked(aModQuarterMinusQuarter, integerBits));
  const remainder = (aModQuarterMinusQuarter - a) | 0;
  for (const [k, multiplier] of BARREL) {
    if (integerBits > k) {
      // fractionalBits + k ≤ 30 whenever integerBits > k.
      if ((remainder & (1 << (fractionalBits + k))) !== 0) result = srdhmUnchecked(result, multiplier);
    }
  }
  if (integerBits > 5) {
    const clamp = -(2 ** (36 - integerBits)) | 0; // −32.0 in this format
    if (a < clamp) result = 0;
  }
  if (a === 0) result = INT32_MAX;
  return result;
}

/** Newton–Raphson iterations shared by the two division helpers; `a` in Q0.31, returns x ≈ 1/half_denominator in Q2.29. */
function newtonReciprocal(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  let x = (C48_OVER_17 + srdhmUnchecked(halfDenominator, CNEG32_OVER_17)) | 0;
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = srdhmUnchecked(halfDenominator, x);
    const oneMinus = (ONE_Q2 - halfDenominatorTimesX) | 0;
    x = (x + srmbpotUnchecked(srdhmUnchecked(x, oneMinus), 2)) | 0;
  }
  return x;
}

/**
 * gemmlowp `one_over_one_plus_x_for_x_in_0_1`: `1 / (1 + a)` for `a ∈ [0, 1)`, raw Q0.31 in and out.
 *
 * @example
 * ```ts
 * oneOverOnePlusX(0);       // 2147483647 (1.0)
 * oneOverOnePlusX(1 << 30); // 1431655762 (≈ 2/3)
 * ```
 */
export function oneOverOnePlusX(a: number): number {
  assertInt32('a', a);
  return oneOverOnePlusXUnchecked(a);
}

/** {@link oneOverOnePlusX} without argument checks. */
export function oneOverOnePlusXUnchecked(a: number): number {
  // ExactMulByPot<−1> keeps the raw and turns Q2.29 into Q1.30; Rescale<0> then doubles it with saturation.
  return srmbpotUnchecked(newtonReciprocal(a), 1);
}

/**
 * gemmlowp `one_minus_x_over_one_plus_x_for_x_in_0_1`: `(1 − a) / (1 + a)` for `a ∈ [0, 1)`, raw Q0.31.
 *
 * @example
 * ```ts
 * oneMinusXOverOnePlusX(1 << 30); // 715827876 (≈ 1/3)
 * ```
 */
export function oneMinusXOverOnePlusX(a: number): number {
  assertInt32('a', a);
  return oneMinusXOverOnePlusXUnchecked(a);
}

/** {@link oneMinusXOverOnePlusX} without argument checks. */
export function oneMinusXOverOnePlusXUnchecked(a: number): number {
  // Rescale<0> of a Q2.29 value: saturating left shift by 2.
  return srmbpotUnchecked((newtonReciprocal(a) - ONE_Q2) | 0, 2);
}

/**
 * gemmlowp `logistic`: `1 / (1 + exp(−a))` for a raw fixed-point `a` with `integerBits` integer bits; Q0.31 out.
 *
 * @example
 * ```ts
 * logisticFixedPoint(0, 4); // 1073741824 (0.5)
 * ```
 */
export function logisticFixedPoint(a: number, integerBits: number): number {
  assertInt32('a', a);
  assertIntRange('integerBits', integerBits, 0, 31);
  return logisticUnchecked(a, integerBits);
}

/** {@link logisticFixedPoint} without argument checks. */
export function logisticUnchecked(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30;
  const positive = a > 0;
  const absInput = positive ? a : -a | 0;
  const resultIfPositive = oneOverOnePlusXUnchecked(expOnNegativeValuesUnchecked(-absInput | 0, integerBits));
  return positive ? resultIfPositive : (INT32_MAX - resultIfPositive) | 0;
}

/**
 * gemmlowp `tanh` for a raw fixed-point `a` with `integerBits` integer bits; Q0.31 out.
 *
 * @example
 * ```ts
 * tanhFixedPoint(0, 4); // 0
 * ```
 */
export function tanhFixedPoint(a: number, integerBits: number): number {
  assertInt32('a', a);
  assertIntRange('integerBits', integerBits, 0, 30);
  return tanhUnchecked(a, integerBits);
}

/** {@link tanhFixedPoint} without argument checks. */
export function tanhUnchecked(a: number, integerBits: number): number {
  if (a === 0) return 0;
  const negative = a < 0;
  const n = negative ? a : -a | 0;
  // ExactMulByPot<1>: same raw, one more integer bit, i.e. exp(2n).
  const t = oneMinusXOverOnePlusXUnchecked(expOnNegativeValuesUnchecked(n, integerBits + 1));
  return negative ? -t | 0 : t;
}

/**
 * TFLite `GetReciprocal(x, x_integer_digits)`: for a positive sum `x` in Q(x_integer_digits), returns the Q0.31
 * raw of `1 / (x normalized to [1, 2))` and `bitsOverUnit` (softmax's normalization exponent).
 *
 * @example
 * ```ts
 * getReciprocal(1 << 19, 12); // 1.0 in Q12.19: { reciprocal: 2147483647, bitsOverUnit: 0 }
 * ```
 */
export function getReciprocal(x: number, xIntegerDigits: number): { reciprocal: number; bitsOverUnit: number } {
  assertIntRange('x', x, 1, INT32_MAX);
  assertIntRange('xIntegerDigits', xIntegerDigits, 0, 31);
  const headroomPlusOne = Math.clz32(x);
  const bitsOverUnit = xIntegerDigits - headroomPlusOne;
  const shiftedSumMinusOne = ((x * 2 ** headroomPlusOne) | 0) - -2147483648 | 0;
  return { reciprocal: oneOverOnePlusXUnchecked(shiftedSumMinusOne), bitsOverUnit };
}
