import { Type, type Static } from '@sinclair/typebox';
import { OBSERVER_OPTION_SCHEMAS, QuantforgeError, validateOptions } from '@quantforge/core';

const closed = { additionalProperties: false } as const;

const Bits = Type.Optional(Type.Integer({ minimum: 2, maximum: 16, description: "Code width in bits (2–16); unset: the plan's (recipe / backend, 8 by default)" }));
const Signed = Type.Boolean({ description: 'Signed codes (int) or unsigned (uint)' });
const Symmetric = Type.Boolean({ description: 'Zero point fixed at 0 (signed) or the mid code (unsigned); range [−max|x|, max|x|]' });
const NarrowRange = Type.Boolean({ description: 'Drop the lowest code (int8 → [−127, 127])' });
const PowerOfTwo = Type.Boolean({ description: 'Round every scale up to a power of two (shift-only requantization)' });

/** How weight ranges are chosen: the exact extremes, or a clipped range minimizing error / cutting outliers. */
export const WeightClippingSchema = Type.Union([Type.Literal('minmax'), Type.Literal('mse'), Type.Literal('percentile')], {
  description: 'minmax: exact range; mse: the clipping of the range that minimizes the squared quantization error; percentile: clip at a percentile',
});

/** Schema of the weight format of the uniform scheme. */
export const WeightOptionsSchema = Type.Object({
  bits: Bits,
  signed: Signed,
  symmetric: Symmetric,
  narrowRange: NarrowRange,
  granularity: Type.Optional(Type.Union([Type.Literal('per-tensor'), Type.Literal('per-channel'), Type.Literal('per-group')], {
    description: "Parameter sets per weight; unset: the plan's (per-channel by default, per-tensor for Add/Mul constants)",
  })),
  axis: Type.Optional(Type.Integer({ description: 'Channel axis (per-channel) or block axis (per-group); default from the plan or the consuming op' })),
  blockSize: Type.Optional(Type.Integer({ minimum: 1, description: 'Elements per block along the axis (per-group); default from the plan, else 32' })),
  powerOfTwo: PowerOfTwo,
  clipping: WeightClippingSchema,
  percentile: Type.Optional(Type.Number({ exclusiveMinimum: 50, maximum: 100, description: 'Percentile for clipping "percentile" (default 99.99)' })),
}, closed);

/** Schema of the activation format of the uniform scheme (activations are per-tensor). */
export const ActivationOptionsSchema = Type.Object({
  bits: Bits,
  signed: Signed,
  symmetric: Symmetric,
  narrowRange: NarrowRange,
  powerOfTwo: PowerOfTwo,
}, closed);

/** The observer kinds the uniform scheme can ask calibration for. */
export const CalibratorSchema = Type.Union([Type.Literal('minmax'), Type.Literal('percentile'), Type.Literal('entropy'), Type.Literal('mse')]);

/** Schema of {@link ResolvedUniformOptions}: every option the scheme reads, after defaults. */
export const ResolvedUniformOptionsSchema = Type.Object({
  weights: WeightOptionsSchema,
  activations: ActivationOptionsSchema,
  calibrator: CalibratorSchema,
  calibratorOptions: Type.Record(Type.String(), Type.Unknown(), { description: "Options of the calibrator's observer (see core's observer option schemas)" }),
}, closed);

/**
 * TypeBox schema of {@link UniformOptions}, the scheme's `optionsSchema` (and its part of the recipe JSON Schema):
 * every field optional, nested groups too, so options merged shallowly over the defaults (as the pipeline does) or
 * written partially in a recipe still validate; {@link resolveUniformOptions} fills in the rest.
 */
export const UniformOptionsSchema = Type.Object({
  weights: Type.Optional(Type.Partial(WeightOptionsSchema, closed)),
  activations: Type.Optional(Type.Partial(ActivationOptionsSchema, closed)),
  calibrator: Type.Optional(CalibratorSchema),
  calibratorOptions: Type.Optional(ResolvedUniformOptionsSchema.properties.calibratorOptions),
}, closed);

/** Options of the uniform scheme as written: any subset, nested groups merged field by field over the defaults. */
export type UniformOptions = Static<typeof UniformOptionsSchema>;
/** The options with every default applied (bit widths and granularity may still be left to the plan). */
export type ResolvedUniformOptions = Static<typeof ResolvedUniformOptionsSchema>;
/** The weight part of {@link ResolvedUniformOptions}. */
export type WeightOptions = Static<typeof WeightOptionsSchema>;
/** The activation part of {@link ResolvedUniformOptions}. */
export type ActivationOptions = Static<typeof ActivationOptionsSchema>;
/** `'minmax' | 'percentile' | 'entropy' | 'mse'`. */
export type CalibratorKind = Static<typeof CalibratorSchema>;

/**
 * Defaults: signed symmetric narrow-range weights from their exact range, unsigned asymmetric per-tensor activations,
 * min/max calibration. Bit widths and weight granularity are left to the plan, whose defaults (8 bits, per-channel
 * weights) give int8 per-channel weights and uint8 activations; set them here to override the plan.
 */
export const DEFAULT_UNIFORM_OPTIONS: ResolvedUniformOptions = {
  weights: { signed: true, symmetric: true, narrowRange: true, powerOfTwo: false, clipping: 'minmax' },
  activations: { signed: false, symmetric: false, narrowRange: false, powerOfTwo: false },
  calibrator: 'minmax',
  calibratorOptions: {},
};

/** `{ a: undefined }` written in code must not erase a default. */
function dropUndefined<T extends object>(o: T | undefined): Partial<T> {
  if (o === undefined) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Merges options over {@link DEFAULT_UNIFORM_OPTIONS} (`weights` and `activations` field by field) and validates
 * them, also the calibrator options against the chosen observer's schema. Throws `QF_OPTIONS_INVALID` listing every
 * problem with its JSON path.
 *
 * @example
 * ```ts
 * const o = resolveUniformOptions({ weights: { bits: 4, granularity: 'per-group', blockSize: 32 } });
 * o.weights.symmetric; // true (default kept)
 * ```
 */
export function resolveUniformOptions(input: unknown = {}): ResolvedUniformOptions {
  const given = validateOptions(UniformOptionsSchema, input, 'uniform scheme options');
  const d = DEFAULT_UNIFORM_OPTIONS;
  const merged: ResolvedUniformOptions = {
    weights: { ...d.weights, ...dropUndefined(given.weights) },
    activations: { ...d.activations, ...dropUndefined(given.activations) },
    calibrator: given.calibrator ?? d.calibrator,
    calibratorOptions: given.calibratorOptions ?? d.calibratorOptions,
  };
  const options = validateOptions(ResolvedUniformOptionsSchema, merged, 'uniform scheme options');
  checkConsistency(options);
  return structuredClone(options);
}

/**
 * Cross-field checks the schema cannot express: the calibrator options against that observer's own schema, and
 * layout fields that only mean something for one granularity or clipping method. Throws `QF_OPTIONS_INVALID`.
 *
 * @example
 * ```ts
 * checkConsistency({ ...DEFAULT_UNIFORM_OPTIONS, calibrator: 'percentile', calibratorOptions: { percentile: 99.9 } });
 * ```
 */
export function checkConsistency(options: ResolvedUniformOptions): void {
  const problems: { path: string; message: string }[] = [];
  try {
    validateOptions(OBSERVER_OPTION_SCHEMAS[options.calibrator], options.calibratorOptions, `${options.calibrator} calibrator options`);
  } catch (e) {
    const inner = ((e as QuantforgeError).details?.problems ?? []) as { path: string; message: string }[];
    for (const p of inner) problems.push({ path: `/calibratorOptions${p.path}`, message: p.message });
  }
  const w = options.weights;
  if (w.granularity === 'per-tensor' && w.axis !== undefined) {
    problems.push({ path: '/weights/axis', message: 'per-tensor weights take no axis' });
  }
  if ((w.granularity === 'per-channel' || w.granularity === 'per-tensor') && w.blockSize !== undefined) {
    problems.push({ path: '/weights/blockSize', message: 'blockSize needs granularity "per-group"' });
  }
  if (w.percentile !== undefined && w.clipping !== 'percentile') {
    problems.push({ path: '/weights/percentile', message: 'percentile needs clipping "percentile"' });
  }
  if (problems.length > 0) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `invalid uniform scheme options: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
      details: { owner: 'uniform scheme options', problems },
      hint: 'Fix the listed fields; the JSON Schema of the options shows what is allowed',
    });
  }
}
