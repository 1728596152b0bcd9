import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { QuantforgeError, validateOptions } from '@quantforge/core';

const Method = Type.Union([Type.Literal('kmeans'), Type.Literal('pq')], { description: 'scalar k-means (weight sharing) or product quantization' });

function fields<M extends TSchema>(method: M) {
  return Type.Object(
    {
      method,
      bits: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, description: 'k-means: k = 2^bits centroids; absent, the plan\'s bit width' })),
      perChannel: Type.Optional(Type.Boolean({ description: 'k-means: one codebook per output channel; absent, per-channel when the plan asks for it' })),
      init: Type.Union([Type.Literal('linear'), Type.Literal('kmeans++')], { description: 'centroid initialisation (seeded by the tensor seed)' }),
      importance: Type.Union([Type.Literal('none'), Type.Literal('square'), Type.Literal('magnitude')], {
        description: 'k-means: weight each value by w² or |w| when clustering',
      }),
      maxIterations: Type.Integer({ minimum: 1, maximum: 10_000, description: 'Lloyd iterations at most (stops earlier on convergence)' }),
      pqDim: Type.Integer({ minimum: 1, maximum: 256, description: 'pq: sub-vector length d' }),
      pqCentroids: Type.Integer({ minimum: 2, maximum: 65_536, description: 'pq: centroids K per sub-space' }),
      residual: Type.Boolean({ description: 'add a second codebook stage trained on what the first stage left' }),
      perm: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }), { description: 'pq: transpose applied before the weight is cut into rows (ONNX Transpose perm)' })),
    },
    { additionalProperties: false },
  );
}

/**
 * Options of the `kmeans` scheme (`method: 'kmeans'`): the TypeBox schema the pipeline validates against.
 *
 * @example
 * ```ts
 * Value.Check(KmeansOptionsSchema, { ...DEFAULT_KMEANS_OPTIONS, bits: 3 }); // true
 * ```
 */
export const KmeansOptionsSchema = fields(Type.Literal('kmeans'));
/**
 * Options of the `pq` scheme (`method: 'pq'`).
 *
 * @example
 * ```ts
 * Value.Check(PqOptionsSchema, { ...DEFAULT_PQ_OPTIONS, pqDim: 8 }); // true
 * ```
 */
export const PqOptionsSchema = fields(Type.Literal('pq'));
/**
 * Options of either scheme; the worker dispatches on `method`.
 *
 * @example
 * ```ts
 * validateOptions(VqOptionsSchema, resolveVqOptions({ method: 'pq' }));
 * ```
 */
export const VqOptionsSchema = fields(Method);

/** Options of the plugin's schemes, fully resolved. */
export type VqOptions = Static<typeof VqOptionsSchema>;
/** Options as users write them: any subset over the scheme's defaults. */
export type VqOptionsInput = Partial<VqOptions>;

/**
 * Defaults of the `kmeans` scheme: linear init (Han et al.'s best for weight sharing), no weighting, up to 1000 Lloyd
 * iterations (each is O(k log n) on sorted data). `bits` and `perChannel` are absent so the plan's bit width and
 * granularity apply.
 *
 * @example
 * ```ts
 * resolveVqOptions({ bits: 3 }); // { ...DEFAULT_KMEANS_OPTIONS, bits: 3 }
 * ```
 */
export const DEFAULT_KMEANS_OPTIONS: VqOptions = {
  method: 'kmeans', init: 'linear', importance: 'none', maxIterations: 1000, pqDim: 4, pqCentroids: 256, residual: false,
};

/**
 * Defaults of the `pq` scheme: sub-vectors of 4, 256 centroids per sub-space, k-means++ init, 25 Lloyd iterations.
 *
 * @example
 * ```ts
 * pqScheme.defaults === DEFAULT_PQ_OPTIONS; // true
 * ```
 */
export const DEFAULT_PQ_OPTIONS: VqOptions = {
  method: 'pq', init: 'kmeans++', importance: 'none', maxIterations: 25, pqDim: 4, pqCentroids: 256, residual: false,
};

function invalid(message: string, details: Record<string, unknown>, hint: string): never {
  throw new QuantforgeError('QF_OPTIONS_INVALID', message, { details, hint });
}

/**
 * Merges options over the defaults of their method (`kmeans` unless `method: 'pq'`), validates them against
 * {@link VqOptionsSchema} and checks the combinations the schema cannot express. Throws `QF_OPTIONS_INVALID`.
 *
 * @example
 * ```ts
 * resolveVqOptions({ method: 'pq', pqDim: 8 }); // { method: 'pq', pqDim: 8, pqCentroids: 256, init: 'kmeans++', … }
 * ```
 */
export function resolveVqOptions(options: unknown = {}): VqOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return validateOptions(VqOptionsSchema, options, 'vq scheme options');
  }
  const method = (options as { method?: unknown }).method;
  const defaults = method === 'pq' ? DEFAULT_PQ_OPTIONS : DEFAULT_KMEANS_OPTIONS;
  const o = validateOptions(VqOptionsSchema, { ...defaults, ...options }, `${method === 'pq' ? 'pq' : 'kmeans'} scheme options`);
  if (o.method === 'pq') {
    if (o.init !== 'kmeans++') invalid('pq needs init "kmeans++" (linear spacing is defined for scalars only)', { init: o.init }, 'Drop init or set it to "kmeans++"');
    if (o.importance !== 'none') invalid('importance weighting applies to scalar k-means only', { importance: o.importance }, 'Use method "kmeans" or importance "none"');
    if (o.bits !== undefined || o.perChannel !== undefined) {
      invalid('pq takes pqDim and pqCentroids, not bits or perChannel', { bits: o.bits, perChannel: o.perChannel }, 'Set pqCentroids (K) instead of bits');
    }
  } else if (o.perm !== undefined) {
    invalid('perm applies to pq only (k-means channels follow the plan\'s axis)', { perm: o.perm }, 'Drop perm or use method "pq"');
  }
  return o;
}
