import {
  QuantforgeError, affineEncoding, type ActivationStats, type AffineEncoding, type StatRequest, type TensorPlanInfo,
} from '@quantforge/core';
import { activationFormat } from './formats.js';
import type { ResolvedUniformOptions } from './options.js';

/**
 * What calibration must collect for an activation: the options' observer with its options, finalized for the
 * activation format (so `entropy` / `mse` search thresholds for the real bit width). Weights and biases need none.
 *
 * @example
 * ```ts
 * activationStatRequest(resolveUniformOptions({ calibrator: 'entropy' }), info);
 * // { observer: 'entropy', options: {}, finalize: { bits: 8, signed: false, symmetric: false, narrowRange: false } }
 * ```
 */
export function activationStatRequest(options: ResolvedUniformOptions, info: Pick<TensorPlanInfo, 'name' | 'bits'>): StatRequest {
  const f = activationFormat(options, info);
  return {
    observer: options.calibrator,
    options: structuredClone(options.calibratorOptions),
    finalize: { bits: f.bits, signed: f.signed, symmetric: f.symmetric, narrowRange: f.narrowRange ?? false },
  } as StatRequest;
}

/**
 * The per-tensor encoding of an activation from its finalized calibration range (core's `affineEncoding`: the range
 * widened to contain 0, zero point rounded half to even and clamped). `QF_CALIBRATION` when the range is not finite.
 *
 * @example
 * ```ts
 * encodeActivationStats(stats, options, info).zeroPoint[0]; // e.g. 64 for the range [-1, 3] in uint8
 * ```
 */
export function encodeActivationStats(stats: ActivationStats, options: ResolvedUniformOptions, info: Pick<TensorPlanInfo, 'name' | 'bits'>): AffineEncoding {
  const { min, max } = stats.range;
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new QuantforgeError('QF_CALIBRATION', `activation ${info.name} has no usable calibration range [${min}, ${max}]`, {
      details: { tensor: info.name, min, max },
      hint: 'NaN or infinite values reached calibration; check the model and the calibration data',
    });
  }
  return affineEncoding({ min, max }, activationFormat(options, info));
}
