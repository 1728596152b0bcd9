import { Type, type Static } from '@sinclair/typebox';
import { QuantforgeError, validateOptions } from '@quantforge/core';

const BitsField = (description: string) => Type.Optional(Type.Integer({ minimum: 1, maximum: 8, description }));

/** The per-layer bit profiles of Park et al. (Table 2): constant, or a shape over the depth of the network. */
export const ProfileSchema = Type.Union([
  Type.Literal('uniform'), Type.Literal('decreasing'), Type.Literal('increasing'), Type.Literal('concave'), Type.Literal('convex'),
], { description: 'uniform: every layer the same; decreasing / increasing: linear over depth; concave: most bits mid-network; convex: fewest bits mid-network' });

/**
 * TypeBox schema of {@link WeightedEntropyOptions} (the scheme's `optionsSchema` and its part of the recipe JSON
 * Schema). Flat on purpose: the pipeline merges options shallowly over the defaults.
 */
export const WeightedEntropyOptionsSchema = Type.Object({
  bits: BitsField("Weight bits: 2^bits levels (1 bit = binary ±r); unset: the plan's"),
  levels: Type.Optional(Type.Integer({ minimum: 2, maximum: 65536, description: 'Number of weight levels, any count (odd counts include an exact 0); overrides bits' })),
  profile: ProfileSchema,
  minBits: BitsField('Fewest weight bits of a non-uniform profile'),
  maxBits: BitsField('Most weight bits of a non-uniform profile'),
  layers: Type.Optional(Type.Array(Type.String({ minLength: 1 }), {
    description: 'Weight tensor names in depth order (see weightLayerOrder) — the position a profile reads, since the plan info carries no depth index',
  })),
  activationBits: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, description: "Activation code bits (2^bits levels including 0; a sign bit more when calibration saw negatives); unset: the plan's" })),
  activationObjective: Type.Union([Type.Literal('entropy'), Type.Literal('error')], {
    description: "entropy: Park's weighted entropy of the log levels (importance = level value); error: least squared error on the histogram",
  }),
  maxSweeps: Type.Integer({ minimum: 1, maximum: 1000000, description: 'Cap on boundary sweeps of the weight clustering (coarse-grid sweeps included)' }),
}, { additionalProperties: false });

/** Options of the weighted-entropy scheme as written. */
export type WeightedEntropyOptions = Partial<Static<typeof WeightedEntropyOptionsSchema>>;
/** The options after defaults. */
export type ResolvedWeightedEntropyOptions = Static<typeof WeightedEntropyOptionsSchema>;
/** `'uniform' | 'decreasing' | 'increasing' | 'concave' | 'convex'`. */
export type BitProfile = Static<typeof ProfileSchema>;

/** Defaults: the plan's bits for every layer, Park's entropy objective for activations. */
export const DEFAULT_WEIGHTED_ENTROPY_OPTIONS: ResolvedWeightedEntropyOptions = { profile: 'uniform', activationObjective: 'entropy', maxSweeps: 100000 };

/**
 * Merges options over {@link DEFAULT_WEIGHTED_ENTROPY_OPTIONS} and validates them, with the cross-field rules: `bits`
 * and `levels` exclude each other; a non-uniform profile needs `minBits ≤ maxBits` and `layers`, and takes neither
 * `bits` nor `levels`. Throws `QF_OPTIONS_INVALID` listing every problem.
 *
 * @example
 * ```ts
 * resolveWeightedEntropyOptions({ profile: 'convex', minBits: 2, maxBits: 6, layers: ['c1.w', 'c2.w', 'fc.w'] });
 * ```
 */
export function resolveWeightedEntropyOptions(input: unknown = {}): ResolvedWeightedEntropyOptions {
  const given = validateOptions(Type.Partial(WeightedEntropyOptionsSchema, { additionalProperties: false }), input, 'weighted-entropy scheme options');
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const o = validateOptions(WeightedEntropyOptionsSchema, { ...DEFAULT_WEIGHTED_ENTROPY_OPTIONS, ...defined }, 'weighted-entropy scheme options');
  const problems: { path: string; message: string }[] = [];
  if (o.bits !== undefined && o.levels !== undefined) problems.push({ path: '/levels', message: 'give bits or levels, not both' });
  if (o.profile === 'uniform') {
    for (const key of ['minBits', 'maxBits', 'layers'] as const) if (o[key] !== undefined) problems.push({ path: `/${key}`, message: `${key} needs a non-uniform profile` });
  } else {
    if (o.minBits === undefined || o.maxBits === undefined) problems.push({ path: '/minBits', message: `profile ${o.profile} needs minBits and maxBits` });
    else if (o.minBits > o.maxBits) problems.push({ path: '/minBits', message: 'minBits exceeds maxBits' });
    if (o.layers === undefined || o.layers.length === 0) problems.push({ path: '/layers', message: `profile ${o.profile} needs the weight names in depth order` });
    if (o.bits !== undefined || o.levels !== undefined) problems.push({ path: o.bits !== undefined ? '/bits' : '/levels', message: 'a profile sets the bits of every layer' });
  }
  if (problems.length > 0) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `invalid weighted-entropy scheme options: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
      details: { owner: 'weighted-entropy scheme options', problems },
      hint: 'Fix the listed fields; weightLayerOrder(plan) gives the layers list for a profile',
    });
  }
  return o;
}
