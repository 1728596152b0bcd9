import { QuantforgeError } from '@quantforge/core';
import { roundHalfAway } from './int32.js';

/** One int8 encoding (scale, zero point) as TFLM holds it. */
export interface LutEncoding {
  scale: number;
  zeroPoint: number;
}

/**
 * The 256-entry int8 → int8 table of an elementwise function, as TFLite's `LUTPopulate<int8_t>` builds it: for every
 * code `q`, `x = s_in · (q − zp_in)`, `y = f(x)`, `round(y · (1 / s_out)) + zp_out` clamped to int8, in float32
 * arithmetic (ties away from zero, `TfLiteRound`). Entry `i` holds the result for the code whose byte is `i`
 * (`(uint8_t)q`), so a kernel indexes the table with the raw input byte. `f` receives and returns float32 values.
 *
 * @example
 * ```ts
 * const lut = lutPopulateS8((x) => Math.min(1, Math.max(0, x / 6 + 0.5)), { scale: 0.05, zeroPoint: 0 }, { scale: 1 / 256, zeroPoint: -128 });
 * lut[0]; // 0 (f(0) = 0.5 → code 0)
 * ```
 */
export function lutPopulateS8(f: (x: number) => number, input: LutEncoding, output: LutEncoding): Int8Array {
  for (const [name, e] of [['input', input], ['output', output]] as const) {
    if (!(e.scale > 0) || !Number.isFinite(e.scale) || !Number.isInteger(e.zeroPoint) || e.zeroPoint < -128 || e.zeroPoint > 127) {
      throw new QuantforgeError('QF_INVALID_ARGUMENT', `the ${name} encoding of a lookup table needs a positive finite scale and an int8 zero point`, { details: { [name]: e } });
    }
  }
  const sIn = Math.fround(input.scale);
  const inverse = Math.fround(1 / Math.fround(output.scale));
  const lut = new Int8Array(256);
  for (let q = -128; q <= 127; q++) {
    const x = Math.fround(sIn * (q - input.zeroPoint));
    const y = Math.fround(f(x));
    if (Number.isNaN(y)) throw new QuantforgeError('QF_INVALID_ARGUMENT', `the lookup-table function is NaN at ${x}`, { details: { code: q, x } });
    const r = roundHalfAway(Math.fround(y * inverse));
    const v = r + output.zeroPoint;
    lut[q & 0xff] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
  return lut;
}

/**
 * ONNX HardSigmoid in float32: `max(0, min(1, alpha · x + beta))`.
 *
 * @example
 * ```ts
 * hardSigmoidF32(0.2, 0.5)(1); // 0.7 (as float32)
 * ```
 */
export function hardSigmoidF32(alpha: number, beta: number): (x: number) => number {
  const a = Math.fround(alpha);
  const b = Math.fround(beta);
  return (x) => Math.max(0, Math.min(1, Math.fround(Math.fround(a * x) + b)));
}

/**
 * ONNX Div by a constant divisor in float32: `x / d`.
 *
 * @example
 * ```ts
 * divideByF32(6)(3); // 0.5
 * ```
 */
export function divideByF32(divisor: number): (x: number) => number {
  const d = Math.fround(divisor);
  if (d === 0 || !Number.isFinite(d)) throw new QuantforgeError('QF_INVALID_ARGUMENT', `a lookup-table divisor must be finite and non-zero (got ${divisor})`, { details: { divisor } });
  return (x) => Math.fround(x / d);
}
