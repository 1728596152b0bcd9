import { performance } from 'node:perf_hooks';
import { lowerForTarget, planForTarget, type ActiveTarget, type TargetOutcome } from '../backend/pipeline-target.js';
import { QuantforgeError } from '../errors/error.js';
import type { Model } from '../ir/graph.js';
import { prepareGraph } from '../passes/prepare-graph.js';
import type { ProgressListener } from '../progress.js';
import type { QuantizedTensor } from '../quant/encoding.js';
import type { QuantPlan } from '../quant/plan.js';
import { createWorkerPool, type WorkerPool, type WorkerPoolOptions } from '../workers/pool.js';
import { WORKERS_ENV } from '../workers/pool-size.js';
import { planQuantization, type PlannerSchemes } from './plan/plan-quantization.js';
import type { CalibratorName, Recipe } from './recipe.js';
import { buildReport, type Timings } from './report.js';
import { createResult, type QuantizeResult } from './result.js';
import type { DataSource, PipelineServices } from './services.js';
import { serializeCalibrationStats } from '../quant/calibrator.js';
import { collectStatistics, encodeActivations, type CalibrationResult } from './stages/calibrate.js';
import { evaluateModels, type EvaluationResult } from './stages/evaluate.js';
import { quantizeConstants } from './stages/quantize.js';
import { SchemeTasks, type ActiveScheme } from './stages/scheme-tasks.js';

/** Options of `pipeline.calibrate(data, options)`; they override the recipe's `calibration`. */
export interface CalibrateOptions {
  calibrator?: CalibratorName;
  /** Use at most this many samples. */
  samples?: number;
  /** Observer options of the calibrator. */
  options?: Record<string, unknown>;
  /** The samples are synthetic (random / generated): the report warns that ranges may not match real inputs. */
  synthetic?: boolean;
}

/** Options of `pipeline.evaluate(data, options)`. */
export interface EvaluateOptions {
  /** One integer class label per row of the first model output, in sample order; enables top-1 accuracy. */
  labels?: readonly number[];
  /** Use at most this many samples (else the recipe's `evaluation.samples`, else all). */
  samples?: number;
}

/** Options of `pipeline.run()`. */
export interface RunOptions {
  onProgress?: ProgressListener;
  /** Worker threads for scheme work (else the recipe's `workers`, else `QUANTFORGE_WORKERS`, else a small default). */
  workers?: number | string;
  /** Run seed (else the recipe's `seed`, else 0); each tensor derives its own with `tensorSeed`. */
  seed?: number;
  /** A pool to use instead of starting one; the run does not destroy it. */
  pool?: WorkerPool;
  /** Wall time the caller spent loading the model (reported as `timingsMs.load`). */
  loadMs?: number;
  /** Size of the original model file in bytes, as the caller measured it. */
  modelBytes?: number;
  /** Measures a model's serialized size (bytes before, when `modelBytes` is absent, and after). */
  measure?: (model: Model) => number | Promise<number>;
  /** Guard against hung worker tasks of a pool the run starts (`QF_WORKER_TIMEOUT`); default: none. */
  taskTimeoutMs?: number;
}

/** Everything a run needs from the builder. */
export interface RunSpec {
  model: Model;
  services: PipelineServices;
  recipe: Recipe;
  schemes: readonly ActiveScheme[];
  calibration: { data: DataSource; options: CalibrateOptions } | undefined;
  evaluation: { data: DataSource; options: EvaluateOptions } | undefined;
  /** The deployment target, consulted at plan time (constrain + check) and after quantization (lower). */
  target?: ActiveTarget | undefined;
}

function cloneModel(model: Model): Model {
  try {
    return structuredClone(model);
  } catch (cause) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `the model cannot be copied: ${(cause as Error).message}`, {
      details: {}, hint: 'A model is plain data (IR from @quantforge/onnx); remove functions or class instances from `extra`.', cause,
    });
  }
}

function effectiveRecipe(spec: RunSpec): Recipe {
  const o = spec.calibration?.options;
  if (o === undefined || (o.calibrator === undefined && o.options === undefined && o.samples === undefined)) return spec.recipe;
  const calibration = { ...spec.recipe.calibration };
  if (o.calibrator !== undefined) {
    calibration.calibrator = o.calibrator;
    if (o.options === undefined && spec.recipe.calibration?.calibrator !== o.calibrator) delete calibration.options;
  }
  if (o.options !== undefined) calibration.options = o.options;
  if (o.samples !== undefined) calibration.samples = o.samples;
  return { ...spec.recipe, calibration };
}

function poolOptions(options: RunOptions, recipe: Recipe): WorkerPoolOptions {
  const o: WorkerPoolOptions = {};
  const workers = options.workers ?? recipe.workers;
  if (workers !== undefined) o.workers = workers;
  if (options.taskTimeoutMs !== undefined) o.timeoutMs = options.taskTimeoutMs;
  return o;
}

/**
 * Below this many weight elements in all (and at most this many histogram threshold searches), a run that was not told
 * a worker count does its scheme work in-process: starting worker threads and loading the scheme there (0.2–0.5 s on
 * the 2-core machine of docs/benchmarks.md) costs more than the work. Both paths run the same adapter, so the bytes
 * are the same either way.
 */
export const IN_PROCESS_WEIGHT_ELEMENTS = 1 << 18;
export const IN_PROCESS_HISTOGRAM_SEARCHES = 32;

/** True when the run should use worker threads: a pool or a worker count was given, or the work is large. */
function poolPays(model: Model, plan: QuantPlan, options: RunOptions, recipe: Recipe): boolean {
  if (options.pool !== undefined || options.workers !== undefined || recipe.workers !== undefined) return true;
  const env = process.env[WORKERS_ENV];
  if (env !== undefined && env.trim() !== '') return true;
  let elements = 0;
  let searches = 0;
  for (const e of Object.values(plan.tensors)) {
    const init = model.graph.initializers.get(e.tensor);
    if (e.role !== 'activation' && init !== undefined) elements += init.tensor.dims.reduce((a, b) => a * b, 1);
    if (e.role === 'activation' && e.stats !== null && e.stats.observer !== 'minmax') searches++;
  }
  return elements >= IN_PROCESS_WEIGHT_ELEMENTS || searches > IN_PROCESS_HISTOGRAM_SEARCHES;
}

function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `seed must be an integer from 0 to 2^32 − 1 (got ${seed})`, { details: { seed } });
  }
  return seed;
}

function assertExportable(exporter: PipelineServices['exporter'], encodings: Readonly<Record<string, QuantizedTensor>>): void {
  const bad = Object.entries(encodings).filter(([, q]) => !exporter.kinds.includes(q.encoding.kind));
  if (bad.length > 0) {
    const kinds = [...new Set(bad.map(([, q]) => q.encoding.kind))];
    throw new QuantforgeError('QF_ENCODING_UNSUPPORTED', `exporter "${exporter.name}" cannot write ${kinds.join(', ')} encodings (${bad.slice(0, 3).map(([n]) => n).join(', ')}${bad.length > 3 ? ', …' : ''})`, {
      details: { exporter: exporter.name, supported: [...exporter.kinds], kinds, tensors: bad.map(([n]) => n) },
      hint: 'Use an exporter that writes these kinds, or a scheme producing a kind this exporter supports.',
    });
  }
}

/** Executes one run: prepare → plan → calibrate → quantize → export → evaluate → report. */
export async function executeRun(spec: RunSpec, options: RunOptions): Promise<QuantizeResult> {
  const t0 = performance.now();
  const timings: Timings = { load: options.loadMs ?? 0, prepare: 0, calibrate: 0, quantize: 0, export: 0, evaluate: 0, total: 0 };
  const lap = (key: Exclude<keyof Timings, 'total' | 'load'>, start: number) => {
    timings[key] = performance.now() - start;
    return performance.now();
  };
  const warnings: string[] = [];
  const seed = checkSeed(options.seed ?? spec.recipe.seed ?? 0);
  const recipe = effectiveRecipe(spec);

  let t = performance.now();
  const prepared = cloneModel(spec.model);
  prepareGraph(prepared);
  const bindings: Record<string, { definition: ActiveScheme['definition']; options: Record<string, unknown> }> = {};
  for (const s of spec.schemes) bindings[s.name] = { definition: s.definition, options: s.options };
  let plan = planQuantization(prepared, recipe, bindings as PlannerSchemes);
  let diagnostics: TargetOutcome['diagnostics'] = [];
  if (spec.target !== undefined) ({ plan, diagnostics } = await planForTarget(plan, prepared, spec.target));
  t = lap('prepare', t);

  const byName = new Map(spec.schemes.map((s) => [s.name, s]));
  const planned = [...new Set(Object.values(plan.tensors).map((e) => e.scheme))].map((n) => byName.get(n)!);
  const needPool = planned.some((s) => s.workerUrl !== undefined) && poolPays(prepared, plan, options, recipe);
  for (const s of planned) if (s.workerUrl === undefined) warnings.push(`scheme "${s.name}" has no worker module (plugin.workerUrl); it ran on the main thread`);
  const ownPool = needPool && options.pool === undefined ? createWorkerPool(poolOptions(options, spec.recipe)) : undefined;
  const tasks = new SchemeTasks(needPool ? (options.pool ?? ownPool) : undefined);
  // The workers load the scheme modules while this thread calibrates, so the quantize stage waits less for them.
  void ownPool?.warm(planned.flatMap((s) => (s.workerUrl === undefined ? [] : [s.workerUrl])));
  try {
    const samples = recipe.calibration?.samples;
    const collected = await collectStatistics({
      model: prepared, plan, data: spec.calibration?.data, samples, createRunner: spec.services.createRunner, onProgress: options.onProgress,
    });
    let stats: CalibrationResult | null = null;
    const encodings: Record<string, QuantizedTensor> = {};
    if (collected.executor !== null) {
      const { encodings: acts, ranges } = await encodeActivations(plan, collected.stats, byName, tasks, seed);
      Object.assign(encodings, acts);
      stats = { samples: collected.stats.samples, ranges, statistics: serializeCalibrationStats(collected.stats), executor: collected.executor };
      if (spec.calibration?.options.synthetic === true) warnings.push('calibration used synthetic samples: activation ranges may not match real inputs');
      if (samples !== undefined && collected.stats.samples < samples) warnings.push(`calibration asked for ${samples} samples but the data had ${collected.stats.samples}`);
      for (const [name, r] of Object.entries(ranges)) if (r.min === 0 && r.max === 0) warnings.push(`activation ${name} was zero on every calibration sample`);
    }
    t = lap('calibrate', t);

    await quantizeConstants({ model: prepared, plan, schemes: byName, tasks, seed, encodings, onProgress: options.onProgress });
    const ordered: Record<string, QuantizedTensor> = {};
    for (const name of Object.keys(plan.tensors)) if (encodings[name] !== undefined) ordered[name] = encodings[name];
    t = lap('quantize', t);

    const target = spec.target === undefined ? undefined : lowerForTarget(spec.target, { model: prepared, plan, encodings: ordered, diagnostics }, warnings);

    assertExportable(spec.services.exporter, ordered);
    const exported = spec.services.exporter.export({ model: prepared, plan, encodings: ordered, mode: recipe.mode });
    t = lap('export', t);

    let evaluation: EvaluationResult | null = null;
    if (spec.evaluation !== undefined) {
      evaluation = await evaluateModels({
        floatModel: prepared, exported,
        activations: Object.values(plan.tensors).filter((e) => e.role === 'activation').map((e) => e.tensor),
        data: spec.evaluation.data, samples: spec.evaluation.options.samples ?? spec.recipe.evaluation?.samples,
        labels: spec.evaluation.options.labels, createRunner: spec.services.createRunner, onProgress: options.onProgress,
      });
    }
    lap('evaluate', t);

    const bytesBefore = options.modelBytes ?? (options.measure === undefined ? null : await options.measure(spec.model));
    const bytesAfter = options.measure === undefined ? null : await options.measure(exported.model);
    timings.total = timings.load + (performance.now() - t0);
    const report = buildReport({
      mode: recipe.mode,
      schemes: planned.map((s) => ({ name: s.name, plugin: s.plugin.name, pluginVersion: s.plugin.version, options: s.options })),
      exporter: spec.services.exporter.name, floatModel: prepared, plan, encodings: ordered, calibration: stats, evaluation,
      bytesBefore, bytesAfter, timingsMs: timings, warnings,
    });
    const parts = { plan, stats, encodings: ordered, model: exported.model, valueMap: exported.valueMap, report };
    return createResult(target === undefined ? parts : { ...parts, target });
  } finally {
    await ownPool?.destroy();
  }
}
