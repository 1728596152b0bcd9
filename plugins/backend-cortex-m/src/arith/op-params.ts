import { QuantforgeError } from '@quantforge/core';
import { frexp, roundHalfAway } from './int32.js';
import {
  quantizeMultiplier,
  quantizeMultiplierArray,
  quantizeMultiplierGreaterThanOne,
  quantizeMultiplierSmallerThanOneExp,
  type QuantizedMultiplier,
  type RoundingMode,
} from './multiplier.js';

// Scales are float32 in the flatbuffer. Every function here first rounds its scales to float32 (a no-op for values
// that already are float32) and then follows TFLM's float32-vs-double steps one by one.
const f32 = Math.fround;

function positiveScale(name: string, v: number): number {
  const s = f32(v);
  if (!(s > 0) || !Number.isFinite(s)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `${name} must be a positive finite float32 (got ${v})`, { details: { name, value: v } });
  }
  return s;
}

/**
 * Per-channel multipliers for CONV_2D, DEPTHWISE_CONV_2D and per-channel FULLY_CONNECTED
 * (`PopulateConvolutionQuantizationParams`): `eff[c] = (double)in_s · (double)w_s[c] / (double)out_s`. Pass one
 * weight scale and `channels` to broadcast a per-tensor filter scale.
 *
 * @example
 * ```ts
 * convPerChannelMultipliers(0.02, [0.005], 0.05); // { multipliers: Int32Array [1099511562], shifts: Int32Array [-8] }
 * ```
 */
export function convPerChannelMultipliers(
  inputScale: number,
  weightScales: ArrayLike<number>,
  outputScale: number,
  options: { channels?: number; rounding?: RoundingMode } = {},
): { multipliers: Int32Array; shifts: Int32Array } {
  const sIn = positiveScale('inputScale', inputScale);
  const sOut = positiveScale('outputScale', outputScale);
  const channels = options.channels ?? weightScales.length;
  if (weightScales.length !== channels && weightScales.length !== 1) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `expected 1 or ${channels} weight scales (got ${weightScales.length})`, {
      details: { channels, weightScales: weightScales.length },
    });
  }
  const eff = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const sW = positiveScale('weightScale', weightScales[weightScales.length === 1 ? 0 : c] as number);
    eff[c] = (sIn * sW) / sOut;
  }
  return quantizeMultiplierArray(eff, options.rounding);
}

/**
 * Per-tensor FULLY_CONNECTED multiplier (`GetQuantizedConvolutionMultipler`): the scale product is taken in float32
 * before the cast to double, then divided by the output scale in double.
 *
 * @example
 * ```ts
 * fullyConnectedMultiplier(0.5, 0.5, 0.125); // { multiplier: 1073741824, shift: 2 }
 * ```
 */
export function fullyConnectedMultiplier(inputScale: number, weightScale: number, outputScale: number, rounding: RoundingMode = 'double'): QuantizedMultiplier {
  const product = f32(positiveScale('inputScale', inputScale) * positiveScale('weightScale', weightScale));
  return quantizeMultiplier(product / positiveScale('outputScale', outputScale), rounding);
}

/**
 * MUL int8 parameters (`mul_common.cc`): `real = (double)s1 · (double)s2 / (double)so`.
 *
 * @example
 * ```ts
 * mulMultiplier(0.5, 0.5, 0.25); // { multiplier: 1073741824, shift: 1 }
 * ```
 */
export function mulMultiplier(scale1: number, scale2: number, outputScale: number, rounding: RoundingMode = 'double'): QuantizedMultiplier {
  const real = (positiveScale('scale1', scale1) * positiveScale('scale2', scale2)) / positiveScale('outputScale', outputScale);
  return quantizeMultiplier(real, rounding);
}

/** ADD/SUB int8 parameters in the TFLM/CMSIS-NN convention (offsets: input −zp, output +zp). */
export interface AddParams {
  leftShift: number;
  input1Offset: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Offset: number;
  input2Multiplier: number;
  input2Shift: number;
  outputOffset: number;
  outputMultiplier: number;
  outputShift: number;
}

/**
 * ADD int8 parameters (`add_common.cc`): `left_shift = 20` (15 for int16), `twice_max = 2·max(s1, s2)` in double,
 * `m1 = s1/twice_max`, `m2 = s2/twice_max`, `mo = twice_max / (2^left_shift · so)`, each through
 * {@link quantizeMultiplierSmallerThanOneExp}.
 *
 * @example
 * ```ts
 * addParams({ scale: 0.1, zeroPoint: 3 }, { scale: 0.2, zeroPoint: -5 }, { scale: 0.25, zeroPoint: 10 });
 * // { leftShift: 20, input1Multiplier: 1073741824, input1Shift: -1, input2Shift: 0, outputMultiplier: 1717986944, outputShift: -19, ... }
 * ```
 */
export function addParams(
  input1: { scale: number; zeroPoint: number },
  input2: { scale: number; zeroPoint: number },
  output: { scale: number; zeroPoint: number },
  options: { leftShift?: number; rounding?: RoundingMode } = {},
): AddParams {
  const leftShift = options.leftShift ?? 20;
  const s1 = positiveScale('input1.scale', input1.scale);
  const s2 = positiveScale('input2.scale', input2.scale);
  const so = positiveScale('output.scale', output.scale);
  const twiceMax = 2 * Math.max(s1, s2);
  const m1 = quantizeMultiplierSmallerThanOneExp(s1 / twiceMax, options.rounding);
  const m2 = quantizeMultiplierSmallerThanOneExp(s2 / twiceMax, options.rounding);
  const mo = quantizeMultiplierSmallerThanOneExp(twiceMax / (2 ** leftShift * so), options.rounding);
  return {
    leftShift,
    input1Offset: -input1.zeroPoint,
    input1Multiplier: m1.multiplier,
    input1Shift: m1.shift,
    input2Offset: -input2.zeroPoint,
    input2Multiplier: m2.multiplier,
    input2Shift: m2.shift,
    outputOffset: output.zeroPoint,
    outputMultiplier: mo.multiplier,
    outputShift: mo.shift,
  };
}

/** A fused activation as TFLite names them. */
export type FusedActivation = 'none' | 'relu' | 'relu6' | 'relu_n1_to_1';

/**
 * `CalculateActivationRangeQuantized`: `Q(f) = zp + (int32)std::round(f / scale)` with a float32 division, intersected
 * with the type range `[qmin, qmax]` (int8 by default).
 *
 * @example
 * ```ts
 * activationRange('relu6', 0.05, -128); // { min: -128, max: -8 }
 * ```
 */
export function activationRange(
  activation: FusedActivation,
  scale: number,
  zeroPoint: number,
  qmin = -128,
  qmax = 127,
): { min: number; max: number } {
  const s = positiveScale('scale', scale);
  const q = (f: number): number => zeroPoint + roundHalfAway(f32(f / s));
  switch (activation) {
    case 'none':
      return { min: qmin, max: qmax };
    case 'relu':
      return { min: Math.max(qmin, q(0)), max: qmax };
    case 'relu6':
      return { min: Math.max(qmin, q(0)), max: Math.min(qmax, q(6)) };
    case 'relu_n1_to_1':
      return { min: Math.max(qmin, q(-1)), max: Math.min(qmax, q(1)) };
    default:
      throw new QuantforgeError('QF_INVALID_ARGUMENT', `unknown fused activation ${String(activation)}`, { details: { activation } });
  }
}

/**
 * TFLite `CalculateInputRadius`: `floor((2^I − 1) · 2^(T − I) / 2^leftShift)`, the largest input magnitude that the
 * fixed-point transcendental kernels treat as in range.
 *
 * @example
 * ```ts
 * calculateInputRadius(4, 27); // 15
 * ```
 */
export function calculateInputRadius(inputIntegerBits: number, inputLeftShift: number, totalSignedBits = 31): number {
  return Math.floor(((2 ** inputIntegerBits - 1) * 2 ** (totalSignedBits - inputIntegerBits)) / 2 ** inputLeftShift);
}

/** Integer parameters of int8 softmax (`SoftmaxParams`). */
export interface SoftmaxS8Params {
  inputMultiplier: number;
  inputLeftShift: number;
  diffMin: number;
}

/**
 * int8 softmax parameters (`PreprocessSoftmaxScaling` with kScaledDiffIntegerBits = 5, then `diff_min`):
 * `real = min(beta · in_s · 2^26, cap)` in double (`cap = 2^31 − 1`, or `2^30 − 1` in the single-rounding build),
 * {@link quantizeMultiplierGreaterThanOne}, `diff_min = −CalculateInputRadius(5, left_shift)`.
 *
 * @example
 * ```ts
 * softmaxParams(1, 1 / 16); // { inputMultiplier: 1073741824, inputLeftShift: 23, diffMin: -248 }
 * ```
 */
export function softmaxParams(beta: number, inputScale: number, rounding: RoundingMode = 'double'): SoftmaxS8Params {
  const b = positiveScale('beta', beta);
  const cap = rounding === 'single' ? 2 ** 30 - 1 : 2 ** 31 - 1;
  const real = Math.min(b * positiveScale('inputScale', inputScale) * 2 ** 26, cap);
  const q = quantizeMultiplierGreaterThanOne(real, rounding);
  return { inputMultiplier: q.multiplier, inputLeftShift: q.shift, diffMin: 0 - calculateInputRadius(5, q.shift) };
}

/** Integer parameters of int8 logistic and tanh. */
export interface TranscendentalS8Params {
  inputZeroPoint: number;
  inputMultiplier: number;
  inputLeftShift: number;
  inputRangeRadius: number;
}

/**
 * int8 LOGISTIC and TANH parameters (`logistic_common.cc`, `tanh.cc`, 4 input integer bits): `real = in_s · 2^27`,
 * `(q, left_shift) = frexp(real)`, `M = std::round(q · 2^31)` (no 2^31 fix-up; with a float32 scale `q·2^31` is
 * an exact integer below 2^31), radius = `CalculateInputRadius(4, left_shift)`.
 *
 * @example
 * ```ts
 * logisticTanhParams(1 / 16, 0); // { inputZeroPoint: 0, inputMultiplier: 1073741824, inputLeftShift: 24, inputRangeRadius: 120 }
 * ```
 */
export function logisticTanhParams(inputScale: number, inputZeroPoint: number): TranscendentalS8Params {
  const { fraction, exponent } = frexp(positiveScale('inputScale', inputScale) * 2 ** 27);
  return {
    inputZeroPoint,
    inputMultiplier: roundHalfAway(fraction * 2 ** 31),
    inputLeftShift: exponent,
    inputRangeRadius: calculateInputRadius(4, exponent),
  };
}
