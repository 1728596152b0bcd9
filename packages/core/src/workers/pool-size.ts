import { availableParallelism } from 'node:os';
import { QuantforgeError } from '../errors/error.js';

/**
 * The environment variable that sets the worker count when no explicit value is given.
 *
 * @example
 * ```sh
 * QUANTFORGE_WORKERS=4 quantforge quantize model.onnx
 * ```
 */
export const WORKERS_ENV = 'QUANTFORGE_WORKERS';
/**
 * Upper bound for a configured worker count; anything larger is a typo, not a machine.
 *
 * @example
 * ```ts
 * resolveWorkerCount(MAX_WORKERS + 1); // throws QF_WORKER_CONFIG
 * ```
 */
export const MAX_WORKERS = 256;

function parseCount(value: number | string, source: string): number {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new QuantforgeError('QF_WORKER_CONFIG', `${source} must be a whole number of workers from 1 to ${MAX_WORKERS} (got ${JSON.stringify(value)})`, {
      details: { source, value },
      hint: `Use e.g. --workers 2 or ${WORKERS_ENV}=2.`,
    });
  }
  return n;
}

/**
 * The number of worker threads to use: the explicit value (e.g. the CLI's `--workers`), else `QUANTFORGE_WORKERS`,
 * else `max(1, min(2, availableParallelism() - 1))`. The default stays small on purpose: nx runs several tasks in
 * parallel and each may start a pool.
 *
 * @throws QuantforgeError `QF_WORKER_CONFIG` for anything but a whole number from 1 to 256
 * @example
 * ```ts
 * resolveWorkerCount();      // 1 on a 2-core machine
 * resolveWorkerCount('4');   // 4 (from --workers 4)
 * ```
 */
export function resolveWorkerCount(explicit?: number | string, env: NodeJS.ProcessEnv = process.env): number {
  if (explicit !== undefined) return parseCount(explicit, 'workers');
  const fromEnv = env[WORKERS_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseCount(fromEnv, WORKERS_ENV);
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}
