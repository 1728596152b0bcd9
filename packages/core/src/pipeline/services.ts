import type { Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { EncodingKind, QuantizedTensor } from '../quant/encoding.js';
import type { QuantPlan } from '../quant/plan.js';

/**
 * The seams between the pipeline (core) and the packages that know formats and executors. Core defines them; runtime
 * implements {@link FloatRunner}, onnx implements {@link Exporter}; the `quantforge` package wires the defaults so a
 * user never has to. Keeping them here is what lets core stay free of any executor or file format.
 */

/** One sample (or batch) of model inputs, keyed by input name. */
export type Feed = Record<string, Tensor>;

/** Calibration or evaluation samples as users have them: any (async) iterable of feeds. */
export type DataSource = AsyncIterable<Feed> | Iterable<Feed>;

/**
 * A float executor the pipeline drives for calibration and evaluation.
 *
 * @example
 * ```ts
 * const runner = await services.createRunner(model, { exposeOutputs: ['conv1_out'], purpose: 'calibrate' });
 * const out = await runner.run(feed);      // graph outputs plus every exposed value
 * // Created with exposeReductions: ['conv1_out']: conv1_out's per-sample min/max instead of the value.
 * const { ranges } = await runner.runReduced!(feed);
 * ranges.conv1_out;                         // { samples, perSample, min, max, finite }
 * await runner.close();
 * ```
 */
export interface FloatRunner {
  /** What runs the model and how, for reports: e.g. `onnxruntime-node 1.30.0 (graphOptimizationLevel=all, 1 thread)`. */
  readonly description: string;
  /** Runs one feed; returns the graph outputs and every value named in `exposeOutputs` at creation. */
  run(feed: Feed): Promise<Record<string, Tensor>>;
  /**
   * Runs one feed and returns what {@link run} returns, except that each value named in `exposeReductions` at
   * creation comes as its per-sample ranges instead of whole (a value the runner cannot reduce stays in `outputs`).
   * Optional: a runner without it ignores `exposeReductions`, and callers read every value through {@link run}.
   */
  runReduced?(feed: Feed): Promise<{ outputs: Record<string, Tensor>; ranges: Record<string, SampleRanges> }>;
  close(): Promise<void>;
}

/**
 * Per-sample range of one value of a run: sample i is the value's slice at index i of axis 0.
 * Where `finite[i]` is 1 every element of sample i is finite and `min[i]` / `max[i]` are its exact extremes (the
 * sign of a zero extreme is unspecified). Where it is 0 the sample may hold NaN or ±∞ (a runner may also say 0 for
 * a finite sample, e.g. when its check overflowed) and `min[i]` / `max[i]` mean nothing: the value must be read whole.
 */
export interface SampleRanges {
  /** Samples in the value: the length of its axis 0 (of min, max and finite). */
  samples: number;
  /** Elements per sample: the product of the value's other dims. */
  perSample: number;
  min: Float32Array;
  max: Float32Array;
  finite: Uint8Array;
}

export interface RunnerOptions {
  /** Intermediate values to return besides the graph outputs (calibration needs every planned activation). */
  exposeOutputs: readonly string[];
  /**
   * Values of `exposeOutputs` for which the caller usually needs only per-sample min/max ({@link SampleRanges}, from
   * {@link FloatRunner.runReduced}); {@link FloatRunner.run} must still return them whole (calibration falls back to
   * it for samples whose ranges are not finite).
   */
  exposeReductions?: readonly string[];
  /** Calibration may use the fastest correct executor; evaluation of quantized models must use a reference setting. */
  purpose: 'calibrate' | 'evaluate';
}

/** Creates a runner for a model; `QF_ORT_FAILED` / `QF_OP_UNSUPPORTED` when no executor can run it. */
export type RunnerFactory = (model: Model, options: RunnerOptions) => Promise<FloatRunner>;

/** What an exporter is given: the prepared float model, the plan and every tensor's encoding. */
export interface ExportInput {
  model: Model;
  plan: QuantPlan;
  /**
   * Encodings by tensor name: weights and biases carry codes, activations only parameters. In `dynamic` mode the
   * plan's activation entries (inputs of MatMul / Conv / Gemm, `stats: null`) have no encoding: their parameters are
   * computed at run time (DynamicQuantizeLinear), so exporters must not require one for them.
   */
  encodings: Readonly<Record<string, QuantizedTensor>>;
  /** How activations are treated: fixed from calibration, computed at run time, or left float. */
  mode: QuantMode;
}

/** `static` = weights and activations from calibration; `dynamic` = activation ranges at run time; `weight-only`. */
export type QuantMode = 'static' | 'dynamic' | 'weight-only';

/**
 * Writes a quantized model. Every exporter says which encoding kinds it can write and fails with
 * `QF_ENCODING_UNSUPPORTED` for the rest.
 */
export interface Exporter {
  readonly name: string;
  readonly kinds: readonly EncodingKind[];
  export(input: ExportInput): ExportResult;
}

/** The exported model, and where each planned activation's quantized (dequantized) value lives in it. */
export interface ExportResult {
  model: Model;
  /**
   * Float-model tensor name -> name of the value in the exported model that carries its quantize-dequantize result
   * (e.g. the DequantizeLinear output). Evaluation compares the two to report per-activation SQNR.
   */
  valueMap: Record<string, string>;
}

/** The services a pipeline needs from outside core. */
export interface PipelineServices {
  createRunner: RunnerFactory;
  exporter: Exporter;
}
