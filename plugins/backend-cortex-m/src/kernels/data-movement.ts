import type { RoundingMode } from '../arith/multiplier.js';
import { assertMultiplier, requantizerFor } from '../arith/requantize.js';
import { checkLength, checkOffsets, invalid, outputBuffer } from './types.js';

/**
 * RESHAPE / SQUEEZE / EXPAND_DIMS on int8 data: the bytes are unchanged (TFLM aliases or copies them); this checks
 * the element counts agree and returns a copy, or writes into `output`.
 *
 * @example
 * ```ts
 * reshapeS8(Int8Array.of(1, 2, 3, 4), [1, 2, 2], [4]); // Int8Array [1, 2, 3, 4]
 * ```
 */
export function reshapeS8(input: Int8Array, fromDims: readonly number[], toDims: readonly number[], output?: Int8Array): Int8Array {
  const count = (d: readonly number[]): number => d.reduce((p, x) => p * x, 1);
  if ([...fromDims, ...toDims].some((x) => !Number.isInteger(x) || x < 1) || count(fromDims) !== count(toDims)) {
    throw invalid(`cannot reshape [${fromDims.join(', ')}] to [${toDims.join(', ')}]`, { fromDims, toDims });
  }
  checkLength('input', input, count(fromDims));
  const out = outputBuffer(output, input.length);
  out.set(input);
  return out;
}

/** Arguments of {@link requantizeS8}. */
export interface RequantizeS8Params {
  inputZeroPoint: number;
  outputZeroPoint: number;
  /** From `quantizeMultiplier(in_scale / out_scale)`. */
  multiplier: number;
  shift: number;
}

/**
 * int8 → int8 QUANTIZE (requantize), TFLite `reference_ops::Requantize`: `clamp(MBQM(q − zp_in, M, shift) + zp_out)`.
 *
 * @example
 * ```ts
 * requantizeS8(Int8Array.of(10), { inputZeroPoint: 0, outputZeroPoint: 1, multiplier: 1 << 30, shift: 0 }); // Int8Array [6]
 * ```
 */
export function requantizeS8(input: Int8Array, p: RequantizeS8Params, rounding: RoundingMode = 'double', output?: Int8Array): Int8Array {
  checkOffsets(-p.inputZeroPoint, p.outputZeroPoint, 'inputZeroPoint');
  assertMultiplier(p.multiplier, p.shift, rounding);
  const rq = requantizerFor(rounding);
  const out = outputBuffer(output, input.length);
  for (let i = 0; i < input.length; i++) {
    const v = rq((input[i] as number) - p.inputZeroPoint, p.multiplier, p.shift) + p.outputZeroPoint;
    out[i] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
  return out;
}
