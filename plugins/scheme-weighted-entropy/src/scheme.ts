import { QuantforgeError, defineScheme, type QuantizedTensor, type SchemeDefinition } from '@quantforge/core';
import { encodeWeightedEntropyActivation, weightedEntropyActivationRequest } from './activations.js';
import { DEFAULT_WEIGHTED_ENTROPY_OPTIONS, WeightedEntropyOptionsSchema, resolveWeightedEntropyOptions, type WeightedEntropyOptions } from './options.js';
import { quantizeWeightedEntropy } from './weights.js';

/**
 * Weighted-entropy quantization (Park, Ahn, Yoo, CVPR 2017) as a core {@link SchemeDefinition}: weights clustered by
 * importance into a scalar codebook of any number of levels, activations on a log ladder whose step and range are
 * searched on the calibration log histogram. Every method resolves its options again, because worker tasks carry
 * plain JSON.
 *
 * @example
 * ```ts
 * const q = await weightedEntropyScheme.quantizeWeight!(weight, { bits: 3 }, info);
 * q.encoding.kind; // 'codebook'
 * ```
 */
export const weightedEntropyScheme: SchemeDefinition<WeightedEntropyOptions> = defineScheme<WeightedEntropyOptions>({
  name: 'weighted-entropy',
  optionsSchema: WeightedEntropyOptionsSchema,
  defaults: DEFAULT_WEIGHTED_ENTROPY_OPTIONS,
  supports: { roles: ['weight', 'activation'], encodings: ['codebook', 'log'] },
  statsFor(role, info, options) {
    if (role !== 'activation') return null;
    return weightedEntropyActivationRequest(resolveWeightedEntropyOptions(options), info);
  },
  encodeActivation(stats, options, info) {
    return encodeWeightedEntropyActivation(stats, resolveWeightedEntropyOptions(options), info);
  },
  quantizeWeight(tensor, options, info): QuantizedTensor {
    const o = resolveWeightedEntropyOptions(options);
    if (info.role === 'weight') return quantizeWeightedEntropy(tensor, o, info);
    throw new QuantforgeError('QF_QUANTIZE', `the weighted-entropy scheme does not quantize ${info.role} tensors (${info.name})`, {
      details: { tensor: info.name, role: info.role, roles: ['weight', 'activation'] },
      hint: 'Keep biases in float or give them to a scheme that quantizes biases (uniform)',
    });
  },
});
