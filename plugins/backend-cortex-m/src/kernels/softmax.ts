import type { SoftmaxS8Params } from '../arith/op-params.js';
import type { RoundingMode } from '../arith/multiplier.js';
import { rdbpotUnchecked, srdhmUnchecked } from '../arith/fixed-point.js';
import { assertIntRange } from '../arith/int32.js';
import { requantizerFor } from '../arith/requantize.js';
import { expOnNegativeValuesUnchecked, oneOverOnePlusXUnchecked } from '../arith/transcendental.js';
import { checkLength, invalid, outputBuffer } from './types.js';

const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

/** Arguments of {@link softmaxS8} (CMSIS-NN `arm_softmax_s8`). */
export interface SoftmaxS8Args {
  input: Int8Array;
  numRows: number;
  rowSize: number;
  /** From `softmaxParams(beta, inputScale)`. */
  params: SoftmaxS8Params;
  rounding?: RoundingMode;
  output?: Int8Array;
}

/**
 * int8 → int8 softmax over rows, bit-exact with TFLite's reference `Softmax` and CMSIS-NN `arm_softmax_s8`; the
 * output has scale 1/256 and zero point −128. Per row: `diff = x − max`; entries with `diff < diffMin` give −128;
 * the others are scaled by `MBQM_GreaterThanOne(diff, M, leftShift)` into Q5.26, exponentiated with gemmlowp
 * `exp_on_negative_values`, summed in Q12.19, and normalized by `GetReciprocal`.
 *
 * @example
 * ```ts
 * softmaxS8({ input: Int8Array.of(0, 0), numRows: 1, rowSize: 2, params: softmaxParams(1, 1 / 16) });
 * // Int8Array [0, 0]  (0.5 each: 128/256 − 128 = 0)
 * ```
 */
export function softmaxS8(a: SoftmaxS8Args): Int8Array {
  const rounding = a.rounding ?? 'double';
  const { numRows, rowSize, input } = a;
  if (!Number.isInteger(numRows) || !Number.isInteger(rowSize) || numRows < 1 || rowSize < 1) {
    throw invalid(`numRows and rowSize must be positive integers (got ${numRows}, ${rowSize})`, { numRows, rowSize });
  }
  checkLength('input', input, numRows * rowSize);
  const { inputMultiplier, inputLeftShift, diffMin } = a.params;
  assertIntRange('inputMultiplier', inputMultiplier, 0, 2147483647);
  assertIntRange('inputLeftShift', inputLeftShift, 0, rounding === 'single' ? 30 : 31);
  assertIntRange('diffMin', diffMin, -2147483648, 0);
  const rq = requantizerFor(rounding);
  const out = outputBuffer(a.output, numRows * rowSize);
  for (let r = 0; r < numRows; r++) {
    const base = r * rowSize;
    let maxIn = -128;
    for (let c = 0; c < rowSize; c++) maxIn = Math.max(maxIn, input[base + c] as number);
    let sumOfExps = 0;
    for (let c = 0; c < rowSize; c++) {
      const diff = (input[base + c] as number) - maxIn;
      if (diff >= diffMin) {
        const scaled = rq(diff, inputMultiplier, inputLeftShift);
        const e = expOnNegativeValuesUnchecked(scaled, SCALED_DIFF_INTEGER_BITS);
        // Rescale<12> of a Q0.31 value: rounding right shift by 12; FixedPoint `+` wraps.
        sumOfExps = (sumOfExps + rdbpotUnchecked(e, ACCUMULATION_INTEGER_BITS)) | 0;
      }
    }
    // GetReciprocal(sum, 12): normalize the sum into [1, 2), take 1/x, remember the exponent.
    const headroomPlusOne = Math.clz32(sumOfExps);
    const bitsOverUnit = ACCUMULATION_INTEGER_BITS - headroomPlusOne;
    const shiftedSumMinusOne = (((sumOfExps * 2 ** headroomPlusOne) | 0) + 2147483648) | 0;
    const shiftedScale = oneOverOnePlusXUnchecked(shiftedSumMinusOne);
    const exponent = bitsOverUnit + 31 - 8;
    for (let c = 0; c < rowSize; c++) {
      const diff = (input[base + c] as number) - maxIn;
      if (diff >= diffMin) {
        const scaled = rq(diff, inputMultiplier, inputLeftShift);
        const e = expOnNegativeValuesUnchecked(scaled, SCALED_DIFF_INTEGER_BITS);
        // Rows summing to ≥ 2^8 give exponents of 32–34, past RoundingDivideByPOT's documented 0..31 (C UB).
        // The product is below 2^31, so the exact quotient is < 1/2 and rounds to 0.
        const unsat = exponent > 31 ? 0 : rdbpotUnchecked(srdhmUnchecked(shiftedScale, e), exponent);
        let v = unsat - 128;
        v = v < -128 ? -128 : v > 127 ? 127 : v;
        out[base + c] = v;
      } else {
        out[base + c] = -128;
      }
    }
  }
  return out;
}
