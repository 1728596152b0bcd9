import type { ErrorData } from '../errors/error.js';
import type { Tensor } from '../ir/tensor.js';

/** How a task's tensors reach the worker. */
export type TransferMode = 'move' | 'share' | 'copy';

/**
 * One unit of work for the pool: which module and export to call, with what.
 *
 * @example
 * ```ts
 * const task: WorkerTask = {
 *   workerUrl: plugin.workerUrl!, export: 'quantize', options: { bits: 8 },
 *   tensors: { weight }, transfer: 'move', timeoutMs: 60_000,
 * };
 * ```
 */
export interface WorkerTask {
  /** Absolute file URL of the module to import in the worker (a plugin's built worker module). */
  workerUrl: string;
  /** Named export to call as `fn(options, tensors)`. */
  export: string;
  /** Structured-clone-safe (in practice JSON) options; `{}` when omitted. */
  options?: unknown;
  tensors?: Record<string, Tensor>;
  /**
   * `copy` (default) clones the tensors; `move` transfers their buffers (the caller's arrays become detached; views
   * into a larger buffer are copied first so the parent survives); `share` places them in SharedArrayBuffers, once per
   * source array, so every worker reads the same memory.
   */
  transfer?: TransferMode;
  /** Absolute file URL of the plugin's main module; the worker imports and registers it before calling the export. */
  pluginUrl?: string;
  /**
   * Stop the worker and fail with `QF_WORKER_TIMEOUT` when the task takes longer than this many ms. The clock starts
   * when the task is handed to a worker, so it includes a (re)starting worker and the first import of the module:
   * make it generous, it is a guard against hangs, not a deadline.
   */
  timeoutMs?: number;
}

/** What `pool.run` resolves to: the export's value and the tensors it returned (moved back, never copied). */
export interface TaskResult<T = unknown> {
  value: T;
  tensors: Record<string, Tensor>;
}

/**
 * The reserved export name of a warm-up task: the worker imports the task's module (and plugin) and answers `null`
 * without calling anything, so the first real task does not pay for thread start-up and module loading.
 */
export const WARM_EXPORT = '__quantforge_warm__';

/** The message core sends to its worker entry (branded so foreign messages are refused, not misread). */
export interface TaskMessage {
  __quantforge_task__: 1;
  workerUrl: string;
  export: string;
  options: unknown;
  tensors: Record<string, Tensor>;
  pluginUrl?: string;
}

/** The worker entry's answer. Errors travel as data and are rehydrated into QuantforgeError. */
export type TaskReply = { ok: true; value: unknown; tensors: Record<string, Tensor> } | { ok: false; error: ErrorData };

const RESULT_BRAND = Symbol.for('quantforge.worker.result.v1');

/** A worker export's return value carrying tensors; see {@link withTensors}. */
export interface TensorResult<T> {
  readonly [RESULT_BRAND]: true;
  value: T;
  tensors: Record<string, Tensor>;
}

/**
 * Wraps a worker export's result so its tensors are moved back to the main thread (zero copy) and arrive in
 * `TaskResult.tensors`. A plain return value arrives as `TaskResult.value` with no tensors.
 *
 * @example
 * ```ts
 * // in a plugin's worker module
 * export function scale(options: { factor: number }, tensors: { x: Tensor<'float32'> }) {
 *   const out = tensors.x.data.map((v) => v * options.factor);
 *   return withTensors({ count: out.length }, { y: { dtype: 'float32', dims: tensors.x.dims, data: out } });
 * }
 * ```
 */
export function withTensors<T>(value: T, tensors: Record<string, Tensor>): TensorResult<T> {
  return { [RESULT_BRAND]: true, value, tensors };
}

/**
 * True for a value built by {@link withTensors} (also by another copy of core: the brand is a registered symbol).
 *
 * @example
 * ```ts
 * isTensorResult(withTensors(1, {})); // true
 * ```
 */
export function isTensorResult(v: unknown): v is TensorResult<unknown> {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[RESULT_BRAND] === true;
}
