import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  QuantforgeError, fixInputShapes, parseInputShapes, quantforge as corePipeline, validateRecipe, type InputShapes,
  type CalibrateOptions, type EvaluateOptions, type Model, type QuantizeResult, type Recipe, type RunOptions, type TargetOptions, type Usable,
} from '@quantforge/core';
import { encodeModel, loadModel } from '@quantforge/onnx';
import type { ImageRecipe } from '@quantforge/runtime';
import { openData, openLabels, type DataInput, type LabelsInput } from './data.js';
import { defaultServices, type ServiceOptions } from './services.js';

/** A model in memory (IR), or the path of an `.onnx` file (loaded when the pipeline runs). */
export type ModelInput = Model | string;

/** Options of {@link quantforge}. */
export interface QuantforgeOptions extends ServiceOptions {
  /** Base for relative model, data and label paths (default `process.cwd()`). */
  cwd?: string;
  /**
   * Fixed sizes for inputs with symbolic dims (`{ x: [1, 3, 48, 192] }`, or `NAME:D,D,...` strings, or bare `D,D,...`
   * for a single-input model), applied right after loading; the quantized model keeps them. Targets that plan memory
   * ahead (Cortex-M) need them.
   */
  inputShapes?: InputShapes | readonly string[];
}

/** `pipeline.calibrate` options: core's, plus the preprocessing of an image folder. */
export interface ApiCalibrateOptions extends CalibrateOptions {
  image?: ImageRecipe;
}

/** `pipeline.evaluate` options: core's, with labels also as a typed array or a labels file. */
export interface ApiEvaluateOptions extends Omit<EvaluateOptions, 'labels'> {
  labels?: LabelsInput;
  image?: ImageRecipe;
}

/** The pipeline of the `quantforge` package: core's builder, taking paths and data specs as well as values. */
export interface Pipeline {
  /** True once `run` was called. */
  readonly frozen: boolean;
  /** Adds schemes (a scheme use such as `uniform({...})`, a plugin, `[plugin, options]`, a preset or a list). */
  use(item: Usable | readonly Usable[]): Pipeline;
  /**
   * Sets the deployment target: a backend target or a backend plugin with `{ target }` (e.g. the Cortex-M plugin and
   * `{ target: 'cortex-m4', allowFallback }`). The backend shapes the plan, checks every node and lowers the program
   * (`result.target`, and the report's `target` section).
   */
  target(target: unknown, options?: TargetOptions): Pipeline;
  /** Sets the recipe; validated now against the recipe schema (`QF_RECIPE_INVALID`). */
  recipe(recipe: Recipe | unknown): Pipeline;
  /** Calibration samples: an iterable of feeds or a data spec (`data/calib`, `calib.npy`, `data.mjs`, `random:N`). */
  calibrate(data: DataInput, options?: ApiCalibrateOptions): Pipeline;
  /** Held-out samples for float-vs-quantized metrics, with optional labels for top-1. */
  evaluate(data: DataInput, options?: ApiEvaluateOptions): Pipeline;
  /** Loads what was given by path, runs every stage and returns the result (the model is not written). */
  run(options?: RunOptions): Promise<QuantizeResult>;
}

type Step =
  | { kind: 'use'; item: Usable | readonly Usable[] }
  | { kind: 'recipe'; recipe: Recipe }
  | { kind: 'target'; target: unknown; options: TargetOptions };

class ApiPipeline implements Pipeline {
  readonly #model: ModelInput;
  readonly #options: QuantforgeOptions;
  readonly #steps: Step[] = [];
  #calibration: { data: DataInput; options: ApiCalibrateOptions } | undefined;
  #evaluation: { data: DataInput; options: ApiEvaluateOptions } | undefined;
  #frozen = false;

  constructor(model: ModelInput, options: QuantforgeOptions) {
    if (typeof model !== 'string' && (typeof model !== 'object' || model === null || typeof model.graph !== 'object')) {
      throw new QuantforgeError('QF_INVALID_ARGUMENT', 'quantforge(model) takes a model (IR) or the path of an .onnx file', { details: { type: typeof model } });
    }
    this.#model = model;
    this.#options = options;
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  #open(method: string): void {
    if (this.#frozen) {
      throw new QuantforgeError('QF_PIPELINE_FROZEN', `pipeline.${method}() after run(): the pipeline is frozen`, {
        details: { method },
        hint: 'Start a new pipeline with quantforge(model) to change schemes, recipe or data.',
      });
    }
  }

  use(item: Usable | readonly Usable[]): Pipeline {
    this.#open('use');
    this.#steps.push({ kind: 'use', item });
    return this;
  }

  target(target: unknown, options: TargetOptions = {}): Pipeline {
    this.#open('target');
    this.#steps.push({ kind: 'target', target, options: { ...options } });
    return this;
  }

  recipe(recipe: Recipe | unknown): Pipeline {
    this.#open('recipe');
    this.#steps.push({ kind: 'recipe', recipe: validateRecipe(recipe) });
    return this;
  }

  calibrate(data: DataInput, options: ApiCalibrateOptions = {}): Pipeline {
    this.#open('calibrate');
    this.#calibration = { data, options: { ...options } };
    return this;
  }

  evaluate(data: DataInput, options: ApiEvaluateOptions = {}): Pipeline {
    this.#open('evaluate');
    this.#evaluation = { data, options: { ...options } };
    return this;
  }

  async run(options: RunOptions = {}): Promise<QuantizeResult> {
    this.#frozen = true;
    const cwd = this.#options.cwd ?? process.cwd();
    const { model, loadMs, modelBytes } = await this.#load(cwd);
    const shapes = this.#options.inputShapes;
    if (shapes !== undefined) fixInputShapes(model, resolveShapes(shapes, model));
    const pipeline = corePipeline(model, defaultServices(this.#options));
    for (const step of this.#steps) {
      if (step.kind === 'use') pipeline.use(step.item);
      else if (step.kind === 'target') pipeline.target(step.target, step.options);
      else pipeline.recipe(step.recipe);
    }
    // Data specs are opened against the loaded model's inputs, and random:N follows the run seed.
    const seed = options.seed;
    if (this.#calibration !== undefined) {
      const { image, ...rest } = this.#calibration.options;
      const opened = await openData(this.#calibration.data, model, withDefined({ cwd, seed, image }));
      pipeline.calibrate(opened.source, opened.synthetic ? { ...rest, synthetic: true } : rest);
    }
    if (this.#evaluation !== undefined) {
      const { image, labels, ...rest } = this.#evaluation.options;
      const opened = await openData(this.#evaluation.data, model, withDefined({ cwd, seed, image }));
      const evalOptions: EvaluateOptions = { ...rest };
      if (labels !== undefined) evalOptions.labels = await openLabels(labels, cwd);
      pipeline.evaluate(opened.source, evalOptions);
    }
    const runOptions: RunOptions = { measure: (m: Model) => encodeModel(m).byteLength, ...options };
    if (loadMs !== undefined) runOptions.loadMs ??= loadMs;
    if (modelBytes !== undefined) runOptions.modelBytes ??= modelBytes;
    return pipeline.run(runOptions);
  }

  async #load(cwd: string): Promise<{ model: Model; loadMs?: number; modelBytes?: number }> {
    // Fixing shapes mutates the model: a caller's in-memory model is copied first.
    if (typeof this.#model !== 'string') return { model: this.#options.inputShapes === undefined ? this.#model : structuredClone(this.#model) };
    const path = isAbsolute(this.#model) ? this.#model : resolve(cwd, this.#model);
    const t0 = performance.now();
    const model = await loadModel(path);
    const loadMs = performance.now() - t0;
    return { model, loadMs, modelBytes: (await stat(path)).size };
  }
}

function resolveShapes(shapes: InputShapes | readonly string[], model: Model): InputShapes {
  if (!Array.isArray(shapes)) return shapes as InputShapes;
  const inputs = model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name));
  return parseInputShapes(shapes as readonly string[], inputs.length === 1 ? inputs[0]!.name : undefined);
}

function withDefined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/**
 * Starts a quantization pipeline on a model or an `.onnx` path, with the default services (onnxruntime-node runner
 * with reference fallback, QDQ exporter). It is core's builder with batteries: data and labels may be given as paths,
 * and the model's load time and file size go into the report.
 *
 * @example
 * ```ts
 * import { quantforge, writeResult } from 'quantforge';
 * import { uniform } from '@quantforge/scheme-uniform';
 *
 * const result = await quantforge('model.onnx')
 *   .use(uniform({ weights: { symmetric: true } }))
 *   .calibrate('data/calib', { samples: 256 })
 *   .evaluate('data/eval', { labels: 'data/eval/labels.npy' })
 *   .run({ workers: 2, seed: 0 });
 * await writeResult(result, { model: 'model.int8.onnx', report: 'report.json' });
 * console.log(result.report.evaluation?.accuracy);
 * ```
 */
export function quantforge(model: ModelInput, options: QuantforgeOptions = {}): Pipeline {
  return new ApiPipeline(model, options);
}
