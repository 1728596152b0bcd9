import { Type, type Static } from '@sinclair/typebox';
import { QuantforgeError } from '../errors/error.js';
import { OBSERVER_OPTION_SCHEMAS } from '../quant/observers/index.js';
import { schemaProblems, type SchemaProblem } from '../quant/options.js';
import { GranularitySchema } from '../quant/plan.js';
import type { QuantMode } from './services.js';

const closed = { additionalProperties: false } as const;
const Options = Type.Record(Type.String(), Type.Unknown(), { description: 'Scheme options; validated against the scheme\'s own schema' });

/** `'static' | 'dynamic' | 'weight-only'` — the same values as {@link QuantMode}. */
export const QuantModeSchema = Type.Union([Type.Literal('static'), Type.Literal('dynamic'), Type.Literal('weight-only')], {
  description: 'static: weights and activations from calibration; dynamic: activation ranges computed at run time; weight-only: only weights',
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Compile-time guard: the recipe schema and services.ts must name the same modes.
const modesAgree: Same<Static<typeof QuantModeSchema>, QuantMode> = true;
void modesAgree;

/** How weights are quantized: bit width and granularity (axis / block size default per operator). */
export const WeightFormatSchema = Type.Object({
  bits: Type.Optional(Type.Integer({ minimum: 2, maximum: 16, description: 'Code width; default 8' })),
  granularity: Type.Optional(GranularitySchema),
  axis: Type.Optional(Type.Integer({ description: 'Channel (per-channel) or block (per-group) axis; default depends on the operator' })),
  blockSize: Type.Optional(Type.Integer({ minimum: 1, description: 'Elements per block for per-group; default 32' })),
}, closed);
export type WeightFormat = Static<typeof WeightFormatSchema>;

/** How activations are quantized. Activations are per tensor. */
export const ActivationFormatSchema = Type.Object({
  bits: Type.Optional(Type.Integer({ minimum: 2, maximum: 16, description: 'Code width; default 8' })),
  granularity: Type.Optional(Type.Literal('per-tensor')),
}, closed);
export type ActivationFormat = Static<typeof ActivationFormatSchema>;

/** Calibrators a recipe may name (observer kinds producing a clipping range). */
export const CalibratorNameSchema = Type.Union([Type.Literal('minmax'), Type.Literal('percentile'), Type.Literal('entropy'), Type.Literal('mse')]);
/** `'minmax' | 'percentile' | 'entropy' | 'mse'`. */
export type CalibratorName = Static<typeof CalibratorNameSchema>;

/** One override: which tensors it applies to and what it changes. */
export const RecipeOverrideSchema = Type.Object({
  match: Type.Object({
    node: Type.Optional(Type.String({ minLength: 1, description: 'Node name: applies to the tensors the node reads and writes' })),
    opType: Type.Optional(Type.String({ minLength: 1, description: 'Operator type, e.g. "Gemm"' })),
    tensor: Type.Optional(Type.String({ minLength: 1, description: 'Tensor name' })),
  }, { ...closed, minProperties: 1 }),
  scheme: Type.Optional(Type.String({ minLength: 1, description: 'Another scheme used by the pipeline' })),
  options: Type.Optional(Options),
  weights: Type.Optional(WeightFormatSchema),
  activations: Type.Optional(ActivationFormatSchema),
}, closed);
export type RecipeOverride = Static<typeof RecipeOverrideSchema>;

/**
 * The recipe schema (TypeBox): the single source of the {@link Recipe} type and of `schema/recipe.schema.json`.
 */
export const RecipeSchema = Type.Object({
  $schema: Type.Optional(Type.String()),
  scheme: Type.Union([
    Type.String({ minLength: 1 }),
    Type.Object({ name: Type.String({ minLength: 1 }), options: Type.Optional(Options) }, closed),
  ], { description: 'The scheme for every tensor (a scheme used by the pipeline), optionally with options' }),
  mode: QuantModeSchema,
  weights: Type.Optional(WeightFormatSchema),
  activations: Type.Optional(ActivationFormatSchema),
  calibration: Type.Optional(Type.Object({
    calibrator: Type.Optional(CalibratorNameSchema),
    samples: Type.Optional(Type.Integer({ minimum: 1, description: 'Use at most this many calibration samples' })),
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Observer options of the calibrator' })),
  }, closed)),
  exclude: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Node names or operator types kept in float' })),
  overrides: Type.Optional(Type.Array(RecipeOverrideSchema, { description: 'Applied in order; later ones win' })),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
  workers: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
  evaluation: Type.Optional(Type.Object({ samples: Type.Optional(Type.Integer({ minimum: 1 })) }, closed)),
}, { ...closed, title: 'Quantforge recipe', description: 'How to quantize a model: scheme, mode, formats, calibration, exclusions and overrides' });

/**
 * A quantization recipe (plain JSON).
 *
 * @example
 * ```ts
 * const recipe: Recipe = { scheme: 'uniform', mode: 'static', weights: { bits: 8, granularity: 'per-channel' },
 *   calibration: { calibrator: 'entropy', samples: 64 }, exclude: ['Softmax'] };
 * ```
 */
export type Recipe = Static<typeof RecipeSchema>;

/** The URL recipes name in `$schema`. */
export const RECIPE_SCHEMA_ID = 'https://quantforge.dev/schema/recipe.schema.json';

/**
 * The recipe JSON Schema (draft 2020-12) as a plain object, generated from {@link RecipeSchema}.
 *
 * @example
 * ```ts
 * writeFileSync('recipe.schema.json', JSON.stringify(recipeJsonSchema(), null, 2) + '\n');
 * ```
 */
export function recipeJsonSchema(): Record<string, unknown> {
  const body = JSON.parse(JSON.stringify(RecipeSchema)) as Record<string, unknown>;
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: RECIPE_SCHEMA_ID, ...body };
}

function formatProblems(f: WeightFormat | undefined, at: string, out: SchemaProblem[]): void {
  if (f === undefined) return;
  if (f.granularity === 'per-tensor' && (f.axis !== undefined || f.blockSize !== undefined)) out.push({ path: at, message: 'per-tensor takes no axis or blockSize' });
  if (f.granularity !== 'per-group' && f.granularity !== undefined && f.blockSize !== undefined) out.push({ path: `${at}/blockSize`, message: 'blockSize needs granularity per-group' });
}

/**
 * Checks a recipe (from JSON or code) against {@link RecipeSchema} and its own consistency (calibrator options
 * against the observer's schema, granularity vs axis/blockSize). Throws `QF_RECIPE_INVALID` whose message and
 * `details.problems` list every problem with its JSON path.
 *
 * @example
 * ```ts
 * const recipe = validateRecipe(JSON.parse(readFileSync('recipe.json', 'utf8')));
 * ```
 */
export function validateRecipe(json: unknown): Recipe {
  const problems = schemaProblems(RecipeSchema, json);
  if (problems.length === 0) {
    const r = json as Recipe;
    const cal = r.calibration;
    if (cal?.options !== undefined) {
      const kind = cal.calibrator ?? 'minmax';
      for (const p of schemaProblems(OBSERVER_OPTION_SCHEMAS[kind], cal.options)) problems.push({ path: `/calibration/options${p.path}`, message: p.message });
    }
    formatProblems(r.weights, '/weights', problems);
    r.overrides?.forEach((o, i) => formatProblems(o.weights, `/overrides/${i}/weights`, problems));
  }
  if (problems.length > 0) {
    throw new QuantforgeError('QF_RECIPE_INVALID', `invalid recipe: ${problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.message}`).join('; ')}`, {
      details: { problems },
      hint: 'Fix the listed fields; packages/core/schema/recipe.schema.json describes the recipe',
    });
  }
  return json as Recipe;
}

/**
 * The scheme name a recipe selects.
 *
 * @example
 * ```ts
 * recipeSchemeName({ scheme: { name: 'uniform', options: { bits: 4 } }, mode: 'static' }); // 'uniform'
 * ```
 */
export function recipeSchemeName(recipe: Recipe): string {
  return typeof recipe.scheme === 'string' ? recipe.scheme : recipe.scheme.name;
}

/**
 * The scheme options a recipe sets (may be empty).
 *
 * @example
 * ```ts
 * recipeSchemeOptions({ scheme: 'uniform', mode: 'static' }); // {}
 * ```
 */
export function recipeSchemeOptions(recipe: Recipe): Record<string, unknown> {
  return typeof recipe.scheme === 'string' ? {} : (recipe.scheme.options ?? {});
}
