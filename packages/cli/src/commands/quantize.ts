import { readFile } from 'node:fs/promises';
import { QuantforgeError, type Recipe, type SchemeUse } from '@quantforge/core';
import type { ImageRecipe } from '@quantforge/runtime';
import type { ExporterChoice, SchemeFlags } from '../api/schemes.js';
import { usageError } from '../args.js';
import { flagOption, stringOption, stringsOption, type CommandSpec, type CommandContext, type OptionValues } from '../command.js';
import { requireFile, requireWritableTarget } from '../files.js';
import { applyTarget, finishTarget, TARGET_OPTIONS, targetRequest } from './quantize-target.js';

const MODES = ['static', 'dynamic', 'weight-only'] as const;
const CALIBRATORS = ['minmax', 'percentile', 'entropy', 'mse'] as const;
/** Schemes the CLI knows by name (kept equal to `SCHEME_NAMES` of api/schemes.ts, which is loaded only when used). */
const SCHEMES = ['uniform', 'logquant', 'weighted-entropy', 'kmeans', 'pq'] as const;
/** Flags of every scheme (`schemeFromFlags`); without them, uniform takes the `--weights` / `--activations` specs. */
const SCHEME_FLAGS = ['weight-bits', 'activation-bits', 'granularity', 'pq-dim', 'pq-centroids', 'scheme-options', 'compress'] as const;

/** Reads a positive integer flag; a usage error names the flag otherwise. */
export function positiveIntOption(values: OptionValues, name: string, command: string, min = 1): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw.trim()) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw usageError(`--${name} must be an integer ≥ ${min}, got "${raw}"`, command, { flag: `--${name}`, value: raw });
  }
  return Number(raw);
}

/** Reads a JSON file or inline JSON (a value starting with `{`) for a flag; `code` is the error for bad JSON. */
export async function readJsonFlag(ctx: CommandContext, flag: string, value: string, code: 'QF_RECIPE_INVALID' | 'QF_INVALID_ARGUMENT'): Promise<unknown> {
  let text = value;
  let where = `--${flag}`;
  if (!value.trimStart().startsWith('{')) {
    const path = ctx.path(value);
    await requireFile(path, flag.replace(/-/g, ' '));
    text = await readFile(path, 'utf8');
    where = path;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new QuantforgeError(code, `${where} is not valid JSON: ${(error as Error).message}`, {
      details: { flag: `--${flag}`, source: where },
      hint: code === 'QF_RECIPE_INVALID' ? 'A recipe is a JSON object; packages/core/schema/recipe.schema.json describes it' : 'Write a JSON object, in a file or inline',
    });
  }
}

/** Image preprocessing for image-folder data (`--image-recipe`), e.g. `{"resize":[48,192],"mean":[0.5],"std":[0.5]}`. */
export async function imageRecipeOption(ctx: CommandContext, command: string): Promise<ImageRecipe | undefined> {
  const raw = stringOption(ctx.options, 'image-recipe');
  if (raw === undefined) return undefined;
  const json = await readJsonFlag(ctx, 'image-recipe', raw, 'QF_INVALID_ARGUMENT');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw usageError('--image-recipe must be a JSON object', command);
  return json as ImageRecipe;
}

type FormatFields = Record<string, unknown>;

/** Splits a parsed format spec into what the recipe holds (layout) and what the scheme options hold (the rest). */
function splitFormat(spec: FormatFields, layoutKeys: readonly string[]): { layout: FormatFields; rest: FormatFields } {
  const layout: FormatFields = {};
  const rest: FormatFields = {};
  for (const [k, v] of Object.entries(spec)) (layoutKeys.includes(k) ? layout : rest)[k] = v;
  return { layout, rest };
}

function objectOf(v: unknown): FormatFields {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as FormatFields) : {};
}

/** What a run uses: the recipe (file or defaults, flags applied), the scheme use and a non-default exporter. */
export interface QuantizeSetup {
  recipe: Recipe;
  use: SchemeUse;
  /** Set for schemes whose encodings QDQ cannot hold (`simulated` or, with `--compress`, `codebook`). */
  exporter?: ExporterChoice;
}

function schemeNameOf(recipe: Recipe | undefined): string {
  if (recipe === undefined) return 'uniform';
  return typeof recipe.scheme === 'string' ? recipe.scheme : recipe.scheme.name;
}

/** Uniform through its format specs: bits and layout into the recipe, the number format into the scheme options. */
async function uniformSetup(o: OptionValues, base: Recipe | undefined, schemeOptions: Record<string, unknown>): Promise<QuantizeSetup> {
  const { parseFormatSpec, uniform } = await import('@quantforge/scheme-uniform');
  const recipe: Recipe = structuredClone(base ?? { scheme: 'uniform', mode: 'static' });
  recipe.scheme = 'uniform';
  const mode = stringOption(o, 'mode');
  if (mode !== undefined) {
    if (!(MODES as readonly string[]).includes(mode)) throw usageError(`--mode must be one of ${MODES.join(', ')}, got "${mode}"`, 'quantize', { mode });
    recipe.mode = mode as Recipe['mode'];
  }
  const weights = stringOption(o, 'weights');
  if (weights !== undefined) {
    const { layout, rest } = splitFormat(parseFormatSpec(weights, 'weights') as FormatFields, ['bits', 'granularity', 'axis', 'blockSize']);
    // A new granularity drops the axis / block size that belonged to the old one.
    const kept = layout.granularity === undefined ? objectOf(recipe.weights) : {};
    recipe.weights = { ...kept, ...layout } as Recipe['weights'];
    const w = objectOf(schemeOptions.weights);
    for (const k of ['bits', 'granularity', 'axis', 'blockSize']) delete w[k];
    schemeOptions.weights = { ...w, ...rest };
  }
  const activations = stringOption(o, 'activations');
  if (activations !== undefined) {
    const { layout, rest } = splitFormat(parseFormatSpec(activations, 'activations') as FormatFields, ['bits']);
    recipe.activations = { ...objectOf(recipe.activations), ...layout } as Recipe['activations'];
    const a = objectOf(schemeOptions.activations);
    delete a.bits;
    schemeOptions.activations = { ...a, ...rest };
  }
  return { recipe, use: uniform(schemeOptions) };
}

/** Any scheme through the generic flags (`schemeFromFlags`), over the recipe file's other fields. */
async function flagsSetup(o: OptionValues, name: string, base: Recipe | undefined, baseOptions: Record<string, unknown>): Promise<QuantizeSetup> {
  if (stringOption(o, 'weights') !== undefined || stringOption(o, 'activations') !== undefined) {
    throw usageError('--weights / --activations SPEC are the uniform scheme\'s shorthand and cannot be combined with --scheme other than uniform or the flags --weight-bits, --activation-bits, --granularity, --scheme-options, --pq-*, --compress', 'quantize', { scheme: name });
  }
  const { schemeFromFlags } = await import('../api/schemes.js');
  const sameScheme = base !== undefined && schemeNameOf(base) === name;
  const flags: SchemeFlags = { compress: flagOption(o, 'compress') };
  const pick = (flag: string): string | undefined => stringOption(o, flag);
  const fields: [keyof SchemeFlags, string | undefined][] = [
    ['weightBits', pick('weight-bits')], ['activationBits', pick('activation-bits')], ['granularity', pick('granularity')],
    ['pqDim', pick('pq-dim')], ['pqCentroids', pick('pq-centroids')], ['mode', pick('mode') ?? (sameScheme ? base.mode : undefined)],
  ];
  for (const [k, v] of fields) if (v !== undefined) (flags as Record<string, unknown>)[k] = v;
  const options = pick('scheme-options');
  if (options !== undefined) flags.schemeOptions = options;
  else if (Object.keys(baseOptions).length > 0) flags.schemeOptions = baseOptions;
  const sel = schemeFromFlags(name, flags);
  const recipe: Recipe = { ...structuredClone(base ?? sel.recipe), scheme: name, mode: sel.recipe.mode };
  if (sel.recipe.weights !== undefined) recipe.weights = { ...(sameScheme ? recipe.weights : {}), ...sel.recipe.weights };
  else if (!sameScheme) delete recipe.weights;
  if (sel.recipe.activations !== undefined) recipe.activations = { ...(sameScheme ? recipe.activations : {}), ...sel.recipe.activations };
  else if (!sameScheme) delete recipe.activations;
  return { recipe, use: sel.use, exporter: sel.exporter };
}

/**
 * Applies the flags over the recipe. The scheme comes from `--scheme` (else the recipe, else uniform). Uniform
 * without the generic scheme flags takes `--weights` / `--activations` specs: bit width and layout go to the recipe,
 * the number format (signedness, symmetry, range, clipping) to the scheme options, replacing the same fields of the
 * recipe. Otherwise `--weight-bits`, `--activation-bits`, `--granularity`, `--pq-dim`, `--pq-centroids`,
 * `--scheme-options` and `--compress` pick the plugin's options and the exporter (`schemeFromFlags`). Then `--mode`,
 * `--calibrator`, `--calib-samples`, `--eval-samples`, `--exclude` and `--seed` replace the recipe's values.
 * `--workers` is not part of it: it goes to the run, over the recipe's `workers`.
 */
export async function quantizeSetup(ctx: CommandContext, base: Recipe | undefined): Promise<QuantizeSetup> {
  const o = ctx.options;
  const baseName = schemeNameOf(base);
  const name = stringOption(o, 'scheme') ?? baseName;
  if (!(SCHEMES as readonly string[]).includes(name)) {
    throw usageError(`unknown scheme "${name}" (known: ${SCHEMES.join(', ')})`, 'quantize', { scheme: name });
  }
  const baseOptions: Record<string, unknown> = name === baseName && base !== undefined && typeof base.scheme === 'object' ? structuredClone(base.scheme.options ?? {}) : {};
  const generic = SCHEME_FLAGS.some((f) => o[f] !== undefined && o[f] !== false);
  const setup = name === 'uniform' && !generic ? await uniformSetup(o, base, baseOptions) : await flagsSetup(o, name, base, baseOptions);
  const recipe = setup.recipe;
  const calibrator = stringOption(o, 'calibrator');
  const calibSamples = positiveIntOption(o, 'calib-samples', 'quantize');
  if (calibrator !== undefined || calibSamples !== undefined) {
    const cal = { ...recipe.calibration };
    if (calibrator !== undefined) {
      if (!(CALIBRATORS as readonly string[]).includes(calibrator)) {
        throw usageError(`--calibrator must be one of ${CALIBRATORS.join(', ')}, got "${calibrator}"`, 'quantize', { calibrator });
      }
      // Observer options belong to one calibrator; switching drops them.
      if (cal.calibrator !== calibrator) delete cal.options;
      cal.calibrator = calibrator as NonNullable<Recipe['calibration']>['calibrator'];
    }
    if (calibSamples !== undefined) cal.samples = calibSamples;
    recipe.calibration = cal;
  }
  const evalSamples = positiveIntOption(o, 'eval-samples', 'quantize');
  if (evalSamples !== undefined) recipe.evaluation = { ...recipe.evaluation, samples: evalSamples };
  const exclude = stringsOption(o, 'exclude').flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (stringsOption(o, 'exclude').length > 0) recipe.exclude = exclude;
  const seed = positiveIntOption(o, 'seed', 'quantize', 0);
  if (seed !== undefined) recipe.seed = seed;
  return setup;
}

function loudWarning(ctx: CommandContext, spec: string): void {
  const bar = '!'.repeat(72);
  ctx.io.stderr.write(
    `${bar}\nWARNING: calibrating on synthetic data (${spec}).\n` +
      'Activation ranges from random samples do not reflect real inputs: the quantized model is a smoke test only,\n' +
      'its accuracy means nothing. Pass a folder of real samples with --calib for a usable model.\n' +
      `${bar}\n`,
  );
}

/**
 * `quantforge quantize <model.onnx> -o <out.onnx> [--recipe r.json] [--weights ...] [--calib ...] ...`, and for a
 * deployment target `quantforge quantize <model.onnx> --target cortex-m4 --calib ... --eval ... --emit c --out DIR [--verify]`.
 */
export const quantizeCommand: CommandSpec = {
  name: 'quantize',
  summary: 'Quantize a model after training (uniform, logquant, weighted-entropy, kmeans, pq) to ONNX.',
  description:
    'Quantize an ONNX model. The uniform scheme writes a QDQ ONNX model that onnxruntime runs; the other schemes\n' +
    'write dequantized weights and fake-quantized activations (simulated), or with --compress indices + tables\n' +
    '(codebook). Settings come from a recipe file\n' +
    '(--recipe, validated against packages/core/schema/recipe.schema.json) and from flags, which override it.\n' +
    'Static mode calibrates activation ranges on --calib samples; dynamic mode computes them at run time;\n' +
    'weight-only quantizes weights only. With --eval the float and quantized models are compared on held-out\n' +
    'samples (onnxruntime without QDQ fusion; the summary names the level). Output and report are written atomically.\n' +
    'With --target the deployment backend shapes the plan and maps every node to a kernel; the report gets a target\n' +
    'section (per-node mapping, flash, peak RAM and, with --eval, the lowered integer program run on the bit-exact\n' +
    'simulator against the float model). --emit c --out DIR writes a C project; --verify builds it on the host and on\n' +
    'QEMU (when arm-none-eabi-gcc, picolibc and qemu-system-arm are installed) and checks its outputs bit for bit.\n' +
    'Data: a folder of .npy/.pb tensors (one <input>.npy stacked along axis 0, or one file per sample), a stacked\n' +
    '.npy/.pb file, a folder of PNG/JPEG images (see --image-recipe), a .js/.mjs module, or random:N (smoke test).',
  positionals: [{ name: 'model.onnx', description: 'the float model to quantize' }],
  options: {
    output: { type: 'string', short: 'o', valueName: 'OUT.onnx', description: 'Where to write the quantized model. Required unless --emit is given.' },
    recipe: { type: 'string', valueName: 'FILE', description: 'Recipe JSON (scheme, mode, formats, calibration, exclude, overrides).' },
    scheme: { type: 'string', valueName: 'NAME', description: `Quantization scheme: ${SCHEMES.join(', ')} (default uniform).` },
    weights: { type: 'string', valueName: 'SPEC', description: 'Weight format, e.g. int8,per-channel,sym or int4,per-group:32,asym (default int8 per-channel symmetric).' },
    activations: { type: 'string', valueName: 'SPEC', description: 'Activation format, e.g. uint8,per-tensor,asym (the default).' },
    'weight-bits': { type: 'string', valueName: 'B', description: 'Weight code width, any scheme but pq (instead of --weights).' },
    'activation-bits': { type: 'string', valueName: 'B', description: 'Activation code width (static mode; uniform, logquant, weighted-entropy).' },
    granularity: { type: 'string', valueName: 'G', description: 'per-tensor or per-channel weights (uniform, logquant, kmeans).' },
    'pq-dim': { type: 'string', valueName: 'D', description: 'pq: sub-vector length.' },
    'pq-centroids': { type: 'string', valueName: 'K', description: 'pq: centroids per sub-space.' },
    'scheme-options': { type: 'string', valueName: 'JSON', description: "The scheme's own options as a JSON object (e.g. logquant '{\"base\":\"sqrt2\"}')." },
    compress: { type: 'boolean', description: 'Non-affine schemes: write indices + tables (codebook exporter) instead of dequantized floats.' },
    mode: { type: 'string', valueName: 'MODE', description: 'static (default), dynamic or weight-only (default for kmeans and pq).' },
    calib: { type: 'string', valueName: 'PATH', description: 'Calibration data (required in static mode).' },
    calibrator: { type: 'string', valueName: 'NAME', description: 'Activation range estimator: minmax (default), percentile, entropy or mse.' },
    'calib-samples': { type: 'string', valueName: 'N', description: 'Use at most N calibration samples.' },
    eval: { type: 'string', valueName: 'PATH', description: 'Held-out data: compare float and quantized outputs (SQNR, cosine, argmax agreement).' },
    labels: { type: 'string', valueName: 'FILE', description: 'Class labels of the --eval samples (.npy, .txt or .csv) for top-1 accuracy.' },
    'eval-samples': { type: 'string', valueName: 'N', description: 'Use at most N evaluation samples.' },
    exclude: { type: 'string', multiple: true, valueName: 'NAMES', description: 'Node names or op types to keep in float, comma-separated.' },
    'image-recipe': { type: 'string', valueName: 'JSON|FILE', description: 'Preprocessing of image folders: resize, scale, mean, std, channelOrder, layout, grayscale.' },
    report: { type: 'string', valueName: 'FILE', description: 'Write the JSON report (plan summary, ranges, SQNRs, timings, warnings).' },
    seed: { type: 'string', valueName: 'N', description: 'Seed (default 0); the same seed gives the same bytes on any worker count.' },
    'input-shape': { type: 'string', multiple: true, valueName: 'NAME:D,D,..', description: 'Fix the symbolic dims of an input (bare D,D,.. for a one-input model); the output model keeps them.' },
    ...TARGET_OPTIONS,
  },
  json: true,
  examples: [
    'quantforge quantize model.onnx -o model.int8.onnx --calib data/calib',
    'quantforge quantize model.onnx -o q.onnx --calib data/calib --eval data/eval --labels data/eval/labels.npy --report report.json',
    'quantforge quantize model.onnx -o q.onnx --mode weight-only --weights int4,per-group:32,sym',
    'quantforge quantize model.onnx -o q.onnx --recipe recipe.json --calibrator entropy --workers 2',
    'quantforge quantize model.onnx -o q.onnx --scheme kmeans --weight-bits 4 --granularity per-channel --compress',
    'quantforge quantize model.onnx --target cortex-m4 --calib data/calib --eval data/eval --labels data/eval/labels.npy --emit c --out fashion-m4 --report r.json --verify',
  ],
  async run(ctx) {
    const o = ctx.options;
    const calib = stringOption(o, 'calib');
    const evalData = stringOption(o, 'eval');
    const labels = stringOption(o, 'labels');
    if (evalData === undefined && labels !== undefined) throw usageError('--labels needs --eval PATH', 'quantize', { flag: '--labels' });
    if (evalData === undefined && stringOption(o, 'eval-samples') !== undefined) throw usageError('--eval-samples needs --eval PATH', 'quantize', { flag: '--eval-samples' });
    // Deployment flags first: their combination errors are more specific than a missing -o.
    const target = await targetRequest(ctx, evalData !== undefined);
    const outText = stringOption(o, 'output');
    if (outText === undefined && target?.emit === undefined) throw usageError('missing flag -o/--output OUT.onnx (or --target NAME --emit c --out DIR)', 'quantize', { flag: '--output' });

    const modelPath = ctx.path(ctx.positionals[0]!);
    const output = outText === undefined ? undefined : ctx.path(outText);
    const reportText = stringOption(o, 'report');
    const reportPath = reportText === undefined ? undefined : ctx.path(reportText);
    if (reportPath !== undefined && reportPath === output) throw usageError('--report and --output name the same file', 'quantize', { path: output });
    await requireFile(modelPath, 'model');
    if (output !== undefined) await requireWritableTarget(output, 'model');
    if (reportPath !== undefined) await requireWritableTarget(reportPath, 'report');

    const { validateRecipe } = await import('@quantforge/core');
    const recipeText = stringOption(o, 'recipe');
    const base = recipeText === undefined ? undefined : validateRecipe(await readJsonFlag(ctx, 'recipe', recipeText, 'QF_RECIPE_INVALID'));
    const setup = await quantizeSetup(ctx, base);
    const recipe = validateRecipe(setup.recipe);
    if (recipe.mode === 'static' && calib === undefined) {
      throw usageError('static mode needs calibration data: --calib PATH (or random:N for a smoke test only)', 'quantize', { mode: 'static' });
    }
    const image = await imageRecipeOption(ctx, 'quantize');

    const { quantforge, writeResult, reportJson, formatSummary } = await import('../api/index.js');
    const exporter = setup.exporter === undefined ? undefined : (await import('../api/schemes.js')).createExporter(setup.exporter);
    const inputShapes = stringsOption(o, 'input-shape');
    const apiOptions = { cwd: ctx.io.cwd, ...(exporter === undefined ? {} : { services: { exporter } }), ...(inputShapes.length === 0 ? {} : { inputShapes }) };
    const pipeline = quantforge(modelPath, apiOptions).use(setup.use).recipe(recipe);
    if (calib !== undefined && recipe.mode === 'static') {
      if (/^random:/.test(calib)) loudWarning(ctx, calib);
      pipeline.calibrate(calib, image === undefined ? {} : { image });
    } else if (calib !== undefined) {
      ctx.io.stderr.write(`warning: --calib is not used in ${recipe.mode} mode (activation ranges are ${recipe.mode === 'dynamic' ? 'computed at run time' : 'not quantized'})\n`);
    }
    if (evalData !== undefined) pipeline.evaluate(evalData, { ...(labels === undefined ? {} : { labels: ctx.path(labels) }), ...(image === undefined ? {} : { image }) });
    if (target !== undefined) applyTarget(pipeline, target);
    const progress = ctx.progress();
    const runOptions: { onProgress: typeof progress.listener; seed: number; workers?: number } = { onProgress: progress.listener, seed: recipe.seed ?? 0 };
    const workers = ctx.global.workers ?? recipe.workers;
    if (workers !== undefined) runOptions.workers = workers;
    const result = await pipeline.run(runOptions);
    progress.done();
    const mismatch = target === undefined ? undefined : await finishTarget(ctx, result, target, evalData === undefined ? undefined : {
      modelPath, data: evalData, seed: runOptions.seed, ...(labels === undefined ? {} : { labels }),
      ...(recipe.evaluation?.samples === undefined ? {} : { samples: recipe.evaluation.samples }), ...(image === undefined ? {} : { image }),
    });
    await writeResult(result, { ...(output === undefined ? {} : { model: output }), ...(reportPath === undefined ? {} : { report: reportPath }) });

    for (const w of result.report.warnings) ctx.io.stderr.write(`warning: ${w}\n`);
    if (ctx.global.json) ctx.io.stdout.write(reportJson(result.report));
    else if (!ctx.global.quiet) ctx.io.stdout.write(formatSummary(result.report, { model: modelPath, ...(output === undefined ? {} : { output }), ...(reportPath === undefined ? {} : { reportPath }) }));
    if (mismatch !== undefined) throw mismatch;
    return 0;
  },
};
