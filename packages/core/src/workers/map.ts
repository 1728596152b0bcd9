import type { TaskResult, WorkerTask } from './protocol.js';
import type { WorkerPool } from './pool.js';

/**
 * Runs one task per item on the pool and returns the results in input order, whatever order the workers finish in,
 * so output is the same for any worker count. After all tasks settle, rejects with the failure of the first failed item in input order.
 *
 * @example
 * ```ts
 * const results = await mapInWorkers(pool, layers, (layer, i) => ({
 *   workerUrl: plugin.workerUrl!, export: 'quantize', options: { layer: layer.name, seed: i }, tensors: { w: layer.weight },
 * }));
 * ```
 */
export async function mapInWorkers<I, T = unknown>(
  pool: Pick<WorkerPool, 'run'>,
  items: readonly I[],
  makeTask: (item: I, index: number) => WorkerTask,
): Promise<TaskResult<T>[]> {
  const settled = await Promise.allSettled(items.map((item, i) => pool.run<T>(makeTask(item, i))));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<TaskResult<T>>).value);
}
