import type { TranscendentalS8Params } from '../arith/op-params.js';
import type { RoundingMode } from '../arith/multiplier.js';
import { rdbpotUnchecked } from '../arith/fixed-point.js';
import { assertIntRange } from '../arith/int32.js';
import { assertMultiplier, requantizerFor } from '../arith/requantize.js';
import { logisticUnchecked, tanhUnchecked } from '../arith/transcendental.js';
import { outputBuffer } from './types.js';

const INPUT_INTEGER_BITS = 4;

function checkParams(p: TranscendentalS8Params, rounding: RoundingMode): void {
  assertIntRange('inputZeroPoint', p.inputZeroPoint, -128, 127);
  assertMultiplier(p.inputMultiplier, p.inputLeftShift, rounding);
  assertIntRange('inputRangeRadius', p.inputRangeRadius, 0, 2147483647);
}

/**
 * int8 LOGISTIC, bit-exact with TFLite `reference_integer_ops::Logistic`: `in = x − zp`; `in ≤ −radius` → −128,
 * `in ≥ radius` → 127, otherwise gemmlowp `logistic` on `MBQM(in, M, leftShift)` as Q4.27, then
 * `RoundingDivideByPOT(·, 23) − 128`, clamped. Output scale 1/256, zero point −128.
 *
 * @example
 * ```ts
 * logisticS8(Int8Array.of(0), logisticTanhParams(1 / 16, 0)); // Int8Array [0] (0.5)
 * ```
 */
export function logisticS8(input: Int8Array, params: TranscendentalS8Params, rounding: RoundingMode = 'double', output?: Int8Array): Int8Array {
  checkParams(params, rounding);
  const rq = requantizerFor(rounding);
  const { inputZeroPoint, inputMultiplier, inputLeftShift, inputRangeRadius } = params;
  const out = outputBuffer(output, input.length);
  for (let i = 0; i < input.length; i++) {
    const v = (input[i] as number) - inputZeroPoint;
    if (v <= -inputRangeRadius) out[i] = -128;
    else if (v >= inputRangeRadius) out[i] = 127;
    else {
      const q = logisticUnchecked(rq(v, inputMultiplier, inputLeftShift), INPUT_INTEGER_BITS);
      const r = rdbpotUnchecked(q, 31 - 8) - 128;
      out[i] = r < -128 ? -128 : r > 127 ? 127 : r;
    }
  }
  return out;
}

/**
 * int8 TANH, bit-exact with TFLite `reference_integer_ops::Tanh`: as {@link logisticS8} but with gemmlowp `tanh`,
 * `RoundingDivideByPOT(·, 24)` and no output offset. Output scale 1/128, zero point 0.
 *
 * @example
 * ```ts
 * tanhS8(Int8Array.of(0, 127), logisticTanhParams(1 / 16, 0)); // Int8Array [0, 127]
 * ```
 */
export function tanhS8(input: Int8Array, params: TranscendentalS8Params, rounding: RoundingMode = 'double', output?: Int8Array): Int8Array {
  checkParams(params, rounding);
  const rq = requantizerFor(rounding);
  const { inputZeroPoint, inputMultiplier, inputLeftShift, inputRangeRadius } = params;
  const out = outputBuffer(output, input.length);
  for (let i = 0; i < input.length; i++) {
    const v = (input[i] as number) - inputZeroPoint;
    if (v <= -inputRangeRadius) out[i] = -128;
    else if (v >= inputRangeRadius) out[i] = 127;
    else {
      const q = tanhUnchecked(rq(v, inputMultiplier, inputLeftShift), INPUT_INTEGER_BITS);
      const r = rdbpotUnchecked(q, 31 - 7);
      out[i] = r < -128 ? -128 : r > 127 ? 127 : r;
    }
  }
  return out;
}
