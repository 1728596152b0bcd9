import type { PipelineServices } from '@quantforge/core';
import { qdqExporter } from '@quantforge/onnx';
import { runnerFactory, type RunnerFactoryOptions } from '@quantforge/runtime';

/** What {@link defaultServices} can be told; anything given in `services` replaces the default outright. */
export interface ServiceOptions {
  /** Options of the default runner factory (executor preference, onnxruntime optimisation levels, threads). */
  runner?: RunnerFactoryOptions;
  /** Replace the runner factory or the exporter. */
  services?: Partial<PipelineServices>;
}

/**
 * The services a pipeline runs with by default: onnxruntime-node (falling back to the reference executor) for float
 * calibration and evaluation — evaluation at runtime's reference level (no QDQ fusion, so onnxruntime does not use
 * its saturating u8×s8 kernels) — and the QDQ ONNX exporter.
 *
 * @example
 * ```ts
 * import { quantforge as corePipeline } from '@quantforge/core';
 * const result = await corePipeline(model, defaultServices({ runner: { prefer: 'reference' } })).use(uniform()).run();
 * ```
 */
export function defaultServices(options: ServiceOptions = {}): PipelineServices {
  return {
    createRunner: options.services?.createRunner ?? runnerFactory(options.runner ?? {}),
    exporter: options.services?.exporter ?? qdqExporter(),
  };
}
