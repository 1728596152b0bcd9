import { isTargetUsable, resolveTarget, type ActiveTarget, type TargetOptions } from '../backend/pipeline-target.js';
import { QuantforgeError } from '../errors/error.js';
import type { Model } from '../ir/graph.js';
import { validateRecipe, type Recipe } from './recipe.js';
import type { QuantizeResult } from './result.js';
import { executeRun, type CalibrateOptions, type EvaluateOptions, type RunOptions } from './run.js';
import type { Usable } from './scheme-use.js';
import type { DataSource, PipelineServices } from './services.js';
import { SchemeUses } from './uses.js';

/**
 * A quantization pipeline under construction (unified / ESLint style). Every method but `run` returns the pipeline;
 * the first `run` freezes it, after which changes fail with `QF_PIPELINE_FROZEN`.
 */
export interface QuantforgePipeline {
  /** True once `run` was called. */
  readonly frozen: boolean;
  /**
   * Adds schemes: a scheme use, a scheme plugin, `[plugin, options]`, a preset, a list, or a falsy value. A backend
   * target, backend plugin or `[backendPlugin, TargetOptions]` sets the target instead (see `target`).
   */
  use(item: Usable | readonly Usable[]): QuantforgePipeline;
  /**
   * Sets the deployment target: a backend target or a backend plugin (with `{ target }` when it provides several).
   * The backend shapes the plan and checks every node at plan time; after quantization it lowers the program. The
   * result's `target` carries the diagnostics and the program.
   */
  target(target: unknown, options?: TargetOptions): QuantforgePipeline;
  /** Sets the recipe (validated: `QF_RECIPE_INVALID`). */
  recipe(recipe: Recipe | unknown): QuantforgePipeline;
  /** Sets calibration samples and, optionally, the calibrator and sample count. */
  calibrate(data: DataSource, options?: CalibrateOptions): QuantforgePipeline;
  /** Sets held-out samples for float-vs-quantized evaluation. */
  evaluate(data: DataSource, options?: EvaluateOptions): QuantforgePipeline;
  /** Runs every stage and returns the result. */
  run(options?: RunOptions): Promise<QuantizeResult>;
}

class Pipeline implements QuantforgePipeline {
  readonly #model: Model;
  readonly #services: PipelineServices;
  readonly #uses = new SchemeUses();
  #recipe: Recipe | undefined;
  #calibration: { data: DataSource; options: CalibrateOptions } | undefined;
  #evaluation: { data: DataSource; options: EvaluateOptions } | undefined;
  #target: ActiveTarget | undefined;
  #frozen = false;

  constructor(model: Model, services: PipelineServices) {
    if (typeof model !== 'object' || model === null || typeof model.graph !== 'object' || model.graph === null) {
      throw new QuantforgeError('QF_INVALID_ARGUMENT', 'quantforge(model, services) needs a model (IR) with a graph', { details: {} });
    }
    if (typeof services?.createRunner !== 'function' || typeof services.exporter?.export !== 'function') {
      throw new QuantforgeError('QF_INVALID_ARGUMENT', 'quantforge(model, services) needs services { createRunner, exporter }', {
        details: {}, hint: 'The quantforge package wires the default runner and exporter; in core pass your own PipelineServices.',
      });
    }
    this.#model = model;
    this.#services = services;
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  #assertOpen(method: string): void {
    if (this.#frozen) {
      throw new QuantforgeError('QF_PIPELINE_FROZEN', `pipeline.${method}() after run(): the pipeline is frozen`, {
        details: { method },
        hint: 'Create a new pipeline with quantforge(model, services) to change schemes, recipe or data.',
      });
    }
  }

  use(item: Usable | readonly Usable[]): QuantforgePipeline {
    this.#assertOpen('use');
    if (isTargetUsable(item)) return this.target(item);
    if (Array.isArray(item)) {
      const targets = (item as readonly unknown[]).filter(isTargetUsable);
      for (const t of targets) this.target(t);
      this.#uses.add(targets.length === 0 ? item : (item as readonly Usable[]).filter((x) => !isTargetUsable(x)));
      return this;
    }
    this.#uses.add(item);
    return this;
  }

  target(target: unknown, options: TargetOptions = {}): QuantforgePipeline {
    this.#assertOpen('target');
    this.#target = resolveTarget(target, options);
    return this;
  }

  recipe(recipe: Recipe | unknown): QuantforgePipeline {
    this.#assertOpen('recipe');
    this.#recipe = validateRecipe(recipe);
    return this;
  }

  calibrate(data: DataSource, options: CalibrateOptions = {}): QuantforgePipeline {
    this.#assertOpen('calibrate');
    this.#calibration = { data: checkSource(data, 'calibrate'), options: { ...options } };
    return this;
  }

  evaluate(data: DataSource, options: EvaluateOptions = {}): QuantforgePipeline {
    this.#assertOpen('evaluate');
    if (options.labels !== undefined && !(Array.isArray(options.labels) && options.labels.every((l) => Number.isInteger(l)))) {
      throw new QuantforgeError('QF_INVALID_ARGUMENT', 'evaluate labels must be an array of integers', { details: {} });
    }
    this.#evaluation = { data: checkSource(data, 'evaluate'), options: { ...options } };
    return this;
  }

  async run(options: RunOptions = {}): Promise<QuantizeResult> {
    this.#frozen = true;
    const names = this.#uses.names();
    let recipe = this.#recipe ?? this.#uses.presetRecipe;
    if (recipe === undefined) {
      if (names.length !== 1) {
        throw new QuantforgeError('QF_PIPELINE_INVALID', names.length === 0 ? 'the pipeline uses no scheme' : `the pipeline uses ${names.length} schemes (${names.join(', ')}) and no recipe says which one applies`, {
          details: { schemes: names },
          hint: names.length === 0 ? 'Add a scheme with pipeline.use(scheme(...)).' : 'Set a recipe: pipeline.recipe({ scheme: "<name>", mode: "static" }).',
        });
      }
      recipe = { scheme: names[0]!, mode: 'static' };
    } else {
      recipe = validateRecipe(recipe);
    }
    return executeRun({
      model: this.#model, services: this.#services, recipe, schemes: this.#uses.all(), calibration: this.#calibration, evaluation: this.#evaluation,
      target: this.#target,
    }, options);
  }
}

function checkSource(data: DataSource, method: string): DataSource {
  const ok = data !== null && typeof data === 'object' && (Symbol.iterator in data || Symbol.asyncIterator in data);
  if (!ok) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `pipeline.${method}(data) needs an iterable or async iterable of feeds`, { details: { method } });
  }
  return data;
}

/**
 * Starts a pipeline for a model with the given services (runner factory and exporter).
 *
 * @example
 * ```ts
 * const result = await quantforge(model, services)
 *   .use(uniform({ bits: 8 }))
 *   .recipe({ scheme: 'uniform', mode: 'static', calibration: { calibrator: 'entropy' } })
 *   .calibrate(calibrationFeeds, { samples: 64 })
 *   .evaluate(heldOutFeeds, { labels })
 *   .run({ onProgress: (e) => console.log(e.stage, e.done, e.total), workers: 2, seed: 42 });
 * console.log(result.report.evaluation?.sqnrDb);
 * ```
 */
export function quantforge(model: Model, services: PipelineServices): QuantforgePipeline {
  return new Pipeline(model, services);
}
