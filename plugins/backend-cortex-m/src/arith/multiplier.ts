import { QuantforgeError } from '@quantforge/core';
import { frexp, roundHalfAway } from './int32.js';

/**
 * Which requantization build to emulate: `'double'` is TFLite/TFLM's default (SRDHM then a rounding shift);
 * `'single'` is `TFLITE_SINGLE_ROUNDING` / `CMSIS_NN_USE_SINGLE_ROUNDING` (one 64-bit product and one rounding shift).
 */
export type RoundingMode = 'double' | 'single';

/** A quantized multiplier: the real multiplier is `multiplier · 2^(shift − 31)`; a positive shift is a left shift. */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

const TWO_POW_31 = 2147483648;

function invalid(message: string, details: Record<string, unknown>): QuantforgeError {
  return new QuantforgeError('QF_INVALID_ARGUMENT', message, { details });
}

/**
 * TFLite `QuantizeMultiplier(double)`: `frexp`, `std::round(q·2^31)`, the 2^31 → 2^30 fix-up, the flush of
 * multipliers below 2^−32 to zero, and (single-rounding build only) the clamp of shifts above 30.
 *
 * @example
 * ```ts
 * quantizeMultiplier(0.75);       // { multiplier: 1610612736, shift: 0 }
 * quantizeMultiplier(1.9999999999); // { multiplier: 1073741824, shift: 2 }
 * ```
 */
export function quantizeMultiplier(m: number, rounding: RoundingMode = 'double'): QuantizedMultiplier {
  if (!Number.isFinite(m)) throw invalid(`a multiplier must be finite (got ${m})`, { multiplier: m });
  if (m === 0) return { multiplier: 0, shift: 0 };
  const { fraction, exponent } = frexp(m);
  let qFixed = roundHalfAway(fraction * TWO_POW_31);
  let shift = exponent;
  // Only +2^31 overflows int32; C leaves a −2^31 result (m just above −1·2^k) as INT32_MIN.
  if (qFixed === TWO_POW_31) {
    qFixed /= 2;
    shift += 1;
  }
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  if (rounding === 'single' && shift > 30) {
    shift = 30;
    qFixed = TWO_POW_31 - 1;
  }
  return { multiplier: qFixed, shift };
}

/**
 * TFLite `QuantizeMultiplierSmallerThanOneExp`: {@link quantizeMultiplier} for `0 < m < 1`, so `shift ≤ 0`.
 *
 * @example
 * ```ts
 * quantizeMultiplierSmallerThanOneExp(0.25); // { multiplier: 1073741824, shift: -1 }
 * ```
 */
export function quantizeMultiplierSmallerThanOneExp(m: number, rounding: RoundingMode = 'double'): QuantizedMultiplier {
  if (!(m > 0 && m < 1)) throw invalid(`the multiplier must be in (0, 1) (got ${m})`, { multiplier: m });
  const q = quantizeMultiplier(m, rounding);
  if (q.shift > 0) throw invalid(`multiplier ${m} rounds to a shift above 0`, { multiplier: m, shift: q.shift });
  return q;
}

/**
 * TFLite `QuantizeMultiplierGreaterThanOne`: {@link quantizeMultiplier} for `m > 1`, so `shift ≥ 0` (used by softmax).
 *
 * @example
 * ```ts
 * quantizeMultiplierGreaterThanOne(3); // { multiplier: 1610612736, shift: 2 }
 * ```
 */
export function quantizeMultiplierGreaterThanOne(m: number, rounding: RoundingMode = 'double'): QuantizedMultiplier {
  if (!(m > 1) || !Number.isFinite(m)) throw invalid(`the multiplier must be finite and above 1 (got ${m})`, { multiplier: m });
  const q = quantizeMultiplier(m, rounding);
  if (q.shift < 0) throw invalid(`multiplier ${m} rounds to a negative shift`, { multiplier: m, shift: q.shift });
  return q;
}

/**
 * Per-channel {@link quantizeMultiplier} (TFLite `QuantizeMultiplierArray`), in the layout CMSIS-NN's
 * `cmsis_nn_per_channel_quant_params` uses.
 *
 * @example
 * ```ts
 * quantizeMultiplierArray([0.5, -0.5]); // { multipliers: Int32Array [1073741824, -1073741824], shifts: Int32Array [0, 0] }
 * ```
 */
export function quantizeMultiplierArray(
  ms: ArrayLike<number>,
  rounding: RoundingMode = 'double',
): { multipliers: Int32Array; shifts: Int32Array } {
  const multipliers = new Int32Array(ms.length);
  const shifts = new Int32Array(ms.length);
  for (let i = 0; i < ms.length; i++) {
    const q = quantizeMultiplier(ms[i] as number, rounding);
    multipliers[i] = q.multiplier;
    shifts[i] = q.shift;
  }
  return { multipliers, shifts };
}

/**
 * CMSIS-NN `REDUCE_MULTIPLIER` / TFLite's int64-overload reduction of a Q31 multiplier to 16 bits (round, saturate at
 * 0x7FFF).
 *
 * @example
 * ```ts
 * reduceMultiplier(1073741824); // 16384
 * ```
 */
export function reduceMultiplier(multiplier: number): number {
  return multiplier < 0x7fff0000 ? (multiplier + 32768) >> 16 : 0x7fff;
}
