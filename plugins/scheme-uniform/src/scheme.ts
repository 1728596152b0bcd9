import { QuantforgeError, defineScheme, type QuantizedTensor, type SchemeDefinition } from '@quantforge/core';
import { activationStatRequest, encodeActivationStats } from './activations.js';
import { quantizeBias } from './bias.js';
import { DEFAULT_UNIFORM_OPTIONS, UniformOptionsSchema, resolveUniformOptions, type UniformOptions } from './options.js';
import { quantizeWeightTensor } from './weights.js';

/**
 * The uniform (affine) scheme as a core {@link SchemeDefinition}: weights from their own range (min/max, MSE or
 * percentile clipping; per-tensor, per-channel on any axis or per-group), activations from the calibration range the
 * options' observer produces (per-tensor), biases in int32 with `scale = s_in · s_w`. Every method resolves its
 * options again ({@link resolveUniformOptions}), because worker tasks carry plain JSON that may be partial.
 *
 * Modes: static uses all three methods; dynamic and weight-only only `quantizeWeight` for weights (activation
 * parameters come at run time from `activationFormat`, biases stay float).
 *
 * @example
 * ```ts
 * const q = await uniformScheme.quantizeWeight!(weight, {}, info); // int8 symmetric per-channel by default
 * ```
 */
export const uniformScheme: SchemeDefinition<UniformOptions> = defineScheme<UniformOptions>({
  name: 'uniform',
  optionsSchema: UniformOptionsSchema,
  defaults: DEFAULT_UNIFORM_OPTIONS,
  supports: { roles: ['weight', 'activation', 'bias'], encodings: ['affine'] },
  statsFor(role, info, options) {
    if (role !== 'activation') return null;
    return activationStatRequest(resolveUniformOptions(options), info);
  },
  encodeActivation(stats, options, info) {
    return encodeActivationStats(stats, resolveUniformOptions(options), info);
  },
  quantizeWeight(tensor, options, info): QuantizedTensor {
    const o = resolveUniformOptions(options);
    if (info.role === 'bias') return quantizeBias(tensor, info.dependencies, info.name);
    if (info.role === 'weight') return quantizeWeightTensor(tensor, o.weights, info);
    throw new QuantforgeError('QF_QUANTIZE', `the uniform scheme does not quantize ${info.role} tensors (${info.name})`, {
      details: { tensor: info.name, role: info.role, roles: ['weight', 'activation', 'bias'] },
    });
  },
});
