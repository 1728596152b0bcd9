import { Type, type Static } from '@sinclair/typebox';
import { QuantforgeError } from '../errors/error.js';
import { SerializedEncodingSchema } from './encoding-json.js';
import { OBSERVER_OPTION_SCHEMAS } from './observers/index.js';
import { assertSchema } from './options.js';

/** What a tensor is to the model; schemes say which roles they quantize. */
export const TensorRoleSchema = Type.Union([Type.Literal('weight'), Type.Literal('activation'), Type.Literal('bias'), Type.Literal('gradient')]);
/** `'weight' | 'activation' | 'bias' | 'gradient'`. */
export type TensorRole = Static<typeof TensorRoleSchema>;
/** Every role, in a stable order. */
export const TENSOR_ROLES: readonly TensorRole[] = ['weight', 'activation', 'bias', 'gradient'];

/** How many parameter sets a tensor's encoding has. */
export const GranularitySchema = Type.Union([Type.Literal('per-tensor'), Type.Literal('per-channel'), Type.Literal('per-group')]);
export type Granularity = Static<typeof GranularitySchema>;

/** Schema of {@link FinalizeRequest}. */
export const FinalizeRequestSchema = Type.Object({
  bits: Type.Integer({ minimum: 1, maximum: 32 }),
  signed: Type.Boolean(),
  symmetric: Type.Boolean(),
  narrowRange: Type.Optional(Type.Boolean()),
});

/**
 * The statistics a scheme needs for one tensor: an observer kind, its options, and the format the range is for.
 * Plain JSON; the calibrator creates the observer from it.
 */
export const StatRequestSchema = Type.Union([
  Type.Object({ observer: Type.Literal('minmax'), options: OBSERVER_OPTION_SCHEMAS.minmax, finalize: FinalizeRequestSchema }),
  Type.Object({ observer: Type.Literal('percentile'), options: OBSERVER_OPTION_SCHEMAS.percentile, finalize: FinalizeRequestSchema }),
  Type.Object({ observer: Type.Literal('entropy'), options: OBSERVER_OPTION_SCHEMAS.entropy, finalize: FinalizeRequestSchema }),
  Type.Object({ observer: Type.Literal('mse'), options: OBSERVER_OPTION_SCHEMAS.mse, finalize: FinalizeRequestSchema }),
  Type.Object({ observer: Type.Literal('log-histogram'), options: OBSERVER_OPTION_SCHEMAS['log-histogram'], finalize: FinalizeRequestSchema }),
]);

/**
 * A statistics request, e.g. `{ observer: 'entropy', options: {}, finalize: { bits: 8, signed: true, symmetric: true } }`.
 */
export type StatRequest = Static<typeof StatRequestSchema>;

/** A node that reads a tensor, and at which input. */
export const ConsumerRefSchema = Type.Object({ node: Type.String(), opType: Type.String(), input: Type.Integer({ minimum: 0 }) });
export type ConsumerRef = Static<typeof ConsumerRefSchema>;

/** Schema of one {@link PlanEntry}. */
export const PlanEntrySchema = Type.Object({
  tensor: Type.String({ minLength: 1 }),
  role: TensorRoleSchema,
  scheme: Type.String({ minLength: 1 }),
  /** The scheme's resolved options (defaults applied, validated against its schema). */
  options: Type.Record(Type.String(), Type.Unknown()),
  consumers: Type.Array(ConsumerRefSchema),
  /** The node writing the tensor; absent for initializers and graph inputs. */
  producer: Type.Optional(Type.String()),
  bits: Type.Integer({ minimum: 1, maximum: 32 }),
  granularity: GranularitySchema,
  axis: Type.Optional(Type.Integer()),
  blockSize: Type.Optional(Type.Integer({ minimum: 1 })),
  /** What calibration must collect; null for tensors that need no statistics (weights, biases). */
  stats: Type.Union([StatRequestSchema, Type.Null()]),
  /** Tensors whose encodings this one is derived from (a bias: the consumer's `input` activation and `weight`). */
  dependsOn: Type.Optional(Type.Record(Type.String(), Type.String())),
  /** Tensors in one tie group must end with identical encodings (Concat / pooling inputs and outputs on TFLite). */
  tieGroup: Type.Optional(Type.String()),
  /** An encoding the target imposes (TFLite softmax output: scale 1/256, zp −128); the scheme is not asked. */
  fixed: Type.Optional(SerializedEncodingSchema),
  dims: Type.Optional(Type.Array(Type.Union([Type.Integer(), Type.String(), Type.Null()]))),
  dtype: Type.Optional(Type.String()),
});
/** How one tensor is quantized. */
export type PlanEntry = Static<typeof PlanEntrySchema>;

/** A node left in float, and why (a stable code when one applies). */
export const ExcludedNodeSchema = Type.Object({
  node: Type.String(),
  opType: Type.String(),
  reason: Type.String(),
  code: Type.Optional(Type.String()),
});
export type ExcludedNode = Static<typeof ExcludedNodeSchema>;

/** Schema of a {@link QuantPlan}. */
export const QuantPlanSchema = Type.Object({
  version: Type.Literal(1),
  /** Backend target profile the plan was shaped for, if any. */
  target: Type.Optional(Type.String()),
  tensors: Type.Record(Type.String(), PlanEntrySchema),
  excluded: Type.Array(ExcludedNodeSchema),
});

/**
 * The plan: for every quantized tensor (by name) its role, scheme and options, consumers, granularity, bits and the
 * statistics calibration must collect; plus the nodes left in float with reasons. Plain JSON.
 *
 * @example
 * ```ts
 * const plan: QuantPlan = { version: 1, tensors: {}, excluded: [{ node: 'Softmax_7', opType: 'Softmax', reason: 'kept in float by recipe' }] };
 * ```
 */
export type QuantPlan = Static<typeof QuantPlanSchema>;

/**
 * Checks a plan (loaded from JSON or built in code): its shape against {@link QuantPlanSchema} and its consistency —
 * keys equal entry names, per-channel has an axis, per-group an axis and block size, per-tensor neither, and
 * `dependsOn`/ties point at tensors of the plan. Throws `QF_PIPELINE_INVALID` listing the problems.
 *
 * @example
 * ```ts
 * const plan = validatePlan(JSON.parse(text));
 * ```
 */
export function validatePlan(value: unknown): QuantPlan {
  const plan = assertSchema(QuantPlanSchema, value, 'QF_PIPELINE_INVALID', 'quantization plan');
  const problems: { path: string; message: string }[] = [];
  for (const [name, e] of Object.entries(plan.tensors)) {
    const at = `/tensors/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (e.tensor !== name) problems.push({ path: `${at}/tensor`, message: `entry is keyed ${name} but names ${e.tensor}` });
    if (e.granularity === 'per-tensor' && (e.axis !== undefined || e.blockSize !== undefined)) problems.push({ path: at, message: 'per-tensor takes no axis or blockSize' });
    if (e.granularity === 'per-channel' && (e.axis === undefined || e.blockSize !== undefined)) problems.push({ path: at, message: 'per-channel needs an axis and no blockSize' });
    if (e.granularity === 'per-group' && (e.axis === undefined || e.blockSize === undefined)) problems.push({ path: at, message: 'per-group needs an axis and a blockSize' });
    for (const [key, dep] of Object.entries(e.dependsOn ?? {})) {
      if (plan.tensors[dep] === undefined) problems.push({ path: `${at}/dependsOn/${key}`, message: `${dep} is not in the plan` });
    }
  }
  if (problems.length > 0) {
    throw new QuantforgeError('QF_PIPELINE_INVALID', `inconsistent quantization plan: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
      details: { problems },
    });
  }
  return plan;
}

/**
 * A canonical string for a statistics request (keys sorted), so equal requests are recognised.
 *
 * @example
 * ```ts
 * statRequestKey({ observer: 'minmax', options: {}, finalize: { bits: 8, signed: true, symmetric: true } });
 * ```
 */
export function statRequestKey(request: StatRequest): string {
  return canonicalJson(request);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
