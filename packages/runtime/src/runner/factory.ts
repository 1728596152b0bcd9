import { isQuantforgeError, QuantforgeError, type FloatRunner, type Model, type RunnerFactory, type RunnerOptions } from '@quantforge/core';
import { ortRunner, type OrtOptimizationLevel } from './ort-runner.js';
import { referenceRunner } from './reference-runner.js';

/** Options of {@link runnerFactory}. */
export interface RunnerFactoryOptions {
  /** Executor to try first. Default `'ort'`; `'reference'` always uses the TypeScript executor. */
  prefer?: 'ort' | 'reference';
  /**
   * onnxruntime optimisation level per purpose. Defaults: `calibrate` `'all'` (float models; exposed values are
   * graph outputs, which onnxruntime never fuses away, and the runner tests check them against the reference
   * executor), `evaluate` `'disabled'` (quantized models: at `'extended'`/`'all'` onnxruntime fuses QDQ into u8×s8
   * kernels that saturate on AVX2 CPUs without VNNI, and even `'basic'` fuses float ops so that a few activations move
   * by one rounding step; `'disabled'` runs DQ → float op → Q as written and matches the reference executor exactly).
   */
  ortOptimization?: { calibrate?: OrtOptimizationLevel; evaluate?: OrtOptimizationLevel };
  /** onnxruntime intra-op threads. Default 1 (reproducible, and calibration may already run in parallel workers). */
  threads?: number;
}

const DEFAULT_LEVELS: Record<RunnerOptions['purpose'], OrtOptimizationLevel> = { calibrate: 'all', evaluate: 'disabled' };

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Builds a {@link RunnerFactory}: onnxruntime-node first (intermediate values exposed as extra graph outputs), the
 * reference executor when onnxruntime cannot load the model or when `prefer: 'reference'`. When neither can run
 * the model the reference executor's error is thrown (`QF_OP_UNSUPPORTED` names the ops) with onnxruntime's reason
 * in `details.ort`.
 *
 * @example
 * ```ts
 * const createRunner = runnerFactory({ ortOptimization: { calibrate: 'basic' } });
 * const runner = await createRunner(model, { exposeOutputs: ['conv1_out'], purpose: 'calibrate' });
 * console.log(runner.description); // onnxruntime-node 1.30.0 (graphOptimizationLevel=basic, intraOpNumThreads=1)
 * const { conv1_out } = await runner.run({ x });
 * await runner.close();
 * ```
 */
export function runnerFactory(options: RunnerFactoryOptions = {}): RunnerFactory {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `threads must be a positive integer, got ${threads}`, { details: { threads } });
  }
  if (options.prefer !== undefined && options.prefer !== 'ort' && options.prefer !== 'reference') {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `prefer must be 'ort' or 'reference', got ${String(options.prefer)}`, { details: { prefer: options.prefer } });
  }
  return async (model: Model, runOptions: RunnerOptions): Promise<FloatRunner> => {
    const expose = runOptions.exposeOutputs;
    const reduce = runOptions.exposeReductions ?? [];
    if (options.prefer === 'reference') return referenceRunner(model, expose, reduce);
    const level = options.ortOptimization?.[runOptions.purpose] ?? DEFAULT_LEVELS[runOptions.purpose];
    let ortFailure: unknown;
    try {
      return await ortRunner(model, expose, level, threads, reduce);
    } catch (e) {
      // Only a refusal to load falls back; anything else is a bug worth surfacing.
      if (!isQuantforgeError(e) || (e as QuantforgeError).code !== 'QF_ORT_FAILED') throw e;
      ortFailure = e;
    }
    try {
      return referenceRunner(model, expose, reduce);
    } catch (e) {
      if (!isQuantforgeError(e)) throw e;
      const ref = e as QuantforgeError;
      throw new QuantforgeError(ref.code, `no executor can run the model: ${ref.message}`, {
        details: { ...ref.details, ort: message(ortFailure) },
        hint: ref.hint ?? 'onnxruntime-node refused the model and the reference executor cannot run it either.',
        cause: e,
      });
    }
  };
}

/**
 * The default {@link RunnerFactory} (`runnerFactory()`): onnxruntime-node, falling back to the reference executor.
 *
 * @example
 * ```ts
 * const runner = await createRunner(model, { exposeOutputs: [], purpose: 'evaluate' });
 * ```
 */
export const createRunner: RunnerFactory = runnerFactory();
