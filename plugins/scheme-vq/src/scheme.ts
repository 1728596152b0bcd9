import type { TSchema } from '@sinclair/typebox';
import { QuantforgeError, defineScheme, type QuantizedTensor, type SchemeDefinition } from '@quantforge/core';
import {
  DEFAULT_KMEANS_OPTIONS, DEFAULT_PQ_OPTIONS, KmeansOptionsSchema, PqOptionsSchema, resolveVqOptions, type VqOptions,
} from './options.js';
import { quantizeKmeans } from './quantize-kmeans.js';
import { quantizePq } from './quantize-pq.js';

function vqScheme(name: 'kmeans' | 'pq', optionsSchema: TSchema, defaults: VqOptions): SchemeDefinition<VqOptions> {
  return defineScheme<VqOptions>({
    name,
    optionsSchema,
    defaults,
    supports: { roles: ['weight'], encodings: ['codebook'] },
    // Weights are read directly: no calibration statistics.
    statsFor: () => null,
    quantizeWeight(tensor, options, info): QuantizedTensor {
      if (info.role !== 'weight') {
        throw new QuantforgeError('QF_QUANTIZE', `the ${name} scheme quantizes weights only, not ${info.role} tensors (${info.name})`, {
          details: { tensor: info.name, role: info.role, roles: ['weight'] },
        });
      }
      // Worker tasks carry plain JSON, possibly partial: resolve again. The method, not the scheme, decides, because
      // both schemes share one worker module and a task does not name its scheme.
      const o = resolveVqOptions(Object.assign({ method: name }, options));
      return o.method === 'pq' ? quantizePq(tensor, o, info) : quantizeKmeans(tensor, o, info);
    },
  });
}

/**
 * Scalar k-means weight sharing (Han et al.'s "Deep Compression" codebooks) as a core scheme: weights only, no
 * statistics, one codebook per tensor or per channel, codebook encoding with `subvectorLength: 1`.
 *
 * @example
 * ```ts
 * const q = await kmeansScheme.quantizeWeight!(weight, { ...DEFAULT_KMEANS_OPTIONS, bits: 3 }, info);
 * ```
 */
export const kmeansScheme: SchemeDefinition<VqOptions> = vqScheme('kmeans', KmeansOptionsSchema, DEFAULT_KMEANS_OPTIONS);

/**
 * Product quantization (Jégou et al.) as a core scheme: weights only, one codebook per sub-space
 * (`grouping: 'subspace'`), optional residual stage.
 *
 * @example
 * ```ts
 * const q = await pqScheme.quantizeWeight!(weight, { ...DEFAULT_PQ_OPTIONS, pqDim: 8 }, info);
 * ```
 */
export const pqScheme: SchemeDefinition<VqOptions> = vqScheme('pq', PqOptionsSchema, DEFAULT_PQ_OPTIONS);
