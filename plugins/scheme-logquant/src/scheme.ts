import { QuantforgeError, defineScheme, type QuantizedTensor, type SchemeDefinition } from '@quantforge/core';
import { encodeLogActivation, logActivationRequest } from './activations.js';
import { DEFAULT_LOGQUANT_OPTIONS, LogQuantOptionsSchema, resolveLogQuantOptions, type LogQuantOptions } from './options.js';
import { quantizeLogWeight } from './weights.js';

/**
 * LogQuant (Miyashita, Lee, Murmann 2016) as a core {@link SchemeDefinition}: weights and activations on a ladder of
 * powers of 2 (or √2) with an exact zero; weights from their own magnitudes (per tensor or per channel), activations
 * from calibration (min/max or the log histogram). Every method resolves its options again, because worker tasks
 * carry plain JSON.
 *
 * @example
 * ```ts
 * const q = await logQuantScheme.quantizeWeight!(weight, { bits: 4 }, info);
 * q.encoding.kind; // 'log'
 * ```
 */
export const logQuantScheme: SchemeDefinition<LogQuantOptions> = defineScheme<LogQuantOptions>({
  name: 'logquant',
  optionsSchema: LogQuantOptionsSchema,
  defaults: DEFAULT_LOGQUANT_OPTIONS,
  supports: { roles: ['weight', 'activation'], encodings: ['log'] },
  statsFor(role, info, options) {
    if (role !== 'activation') return null;
    return logActivationRequest(resolveLogQuantOptions(options), info);
  },
  encodeActivation(stats, options, info) {
    return encodeLogActivation(stats, resolveLogQuantOptions(options), info);
  },
  quantizeWeight(tensor, options, info): QuantizedTensor {
    const o = resolveLogQuantOptions(options);
    if (info.role === 'weight') return quantizeLogWeight(tensor, o, info);
    throw new QuantforgeError('QF_QUANTIZE', `the logquant scheme does not quantize ${info.role} tensors (${info.name})`, {
      details: { tensor: info.name, role: info.role, roles: ['weight', 'activation'] },
      hint: 'Keep biases in float or give them to a scheme that quantizes biases (uniform)',
    });
  },
});
