/**
 * Vitest helpers for the check every scheme plugin makes: its built worker module, run on core's worker pool, gives
 * the same value and the same bytes as the scheme run in process.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  createWorkerPool, type ActivationTaskOptions, type ActivationTaskValue, type QuantforgePlugin, type SchemeWorkerExports, type TaskResult, type Tensor,
  type WeightTaskOptions, type WeightTaskValue, type WorkerPool, type WorkerPoolOptions,
} from '@quantforge/core';

/**
 * Declares `beforeAll`/`afterAll` that start a worker pool (default 2 workers, 60 s per task) and destroy it; read
 * `.pool` inside tests.
 *
 * @example
 * ```ts
 * const workers = useWorkerPool();
 * it('runs', async () => { await workers.pool.run({ workerUrl, export: 'quantizeWeight', options: task }); });
 * ```
 */
export function useWorkerPool(options: WorkerPoolOptions = { workers: 2, timeoutMs: 60_000 }): { readonly pool: WorkerPool } {
  let pool: WorkerPool | undefined;
  beforeAll(() => {
    pool = createWorkerPool(options);
  });
  afterAll(async () => {
    await pool?.destroy();
  });
  return {
    get pool(): WorkerPool {
      if (pool === undefined) throw new Error('the worker pool is used before its beforeAll ran (call it inside a test)');
      return pool;
    },
  };
}

/**
 * Expects a plugin value imported from the package's built `dist/index.js`: named `name`, with a `workerUrl` whose file
 * exists and a `mainUrl` ending in `/dist/index.js`.
 *
 * @example
 * ```ts
 * import uniformPlugin from '../dist/index.js';
 * expectBuiltPlugin(uniformPlugin, 'scheme-uniform');
 * ```
 */
export function expectBuiltPlugin(plugin: QuantforgePlugin, name: string): void {
  expect(plugin.name).toBe(name);
  expect(plugin.workerUrl).toBeTypeOf('string');
  expect(existsSync(fileURLToPath(plugin.workerUrl!))).toBe(true);
  expect(plugin.mainUrl).toMatch(/\/dist\/index\.js$/);
}

function bytes(v: ArrayBufferView): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** One `quantizeWeight` task to run both ways. */
export interface WeightTaskCheck {
  pool: WorkerPool;
  /** The plugin's built worker module. */
  workerUrl: string;
  /** The same scheme in process: `defineSchemeWorker(scheme)`. */
  local: SchemeWorkerExports;
  task: WeightTaskOptions;
  /** The float weight (sent as tensor `tensor`, copied so both runs read the same values). */
  tensor: Tensor;
  /** Output tensors both results must have; default `['codes']`. */
  outputs?: readonly string[];
}

/**
 * Runs a `quantizeWeight` task in a worker and in process (on a structured clone of the task) and expects equal
 * values, the same output tensor names, and for each output the same dtype, dims and bytes. Returns the worker's
 * result for further checks.
 *
 * @example
 * ```ts
 * await expectWeightTaskMatches({ pool, workerUrl: plugin.workerUrl!, local: defineSchemeWorker(scheme), task, tensor: w });
 * ```
 */
export async function expectWeightTaskMatches(check: WeightTaskCheck): Promise<TaskResult<WeightTaskValue>> {
  const { pool, workerUrl, local, task, tensor } = check;
  const inWorker = await pool.run<WeightTaskValue>({ workerUrl, export: 'quantizeWeight', options: task, tensors: { tensor }, transfer: 'copy' });
  const inProcess = await local.quantizeWeight(structuredClone(task), { tensor });
  expect(inWorker.value).toEqual(inProcess.value);
  expect(Object.keys(inWorker.tensors).sort()).toEqual(Object.keys(inProcess.tensors).sort());
  for (const name of check.outputs ?? ['codes']) {
    const a = inWorker.tensors[name];
    const b = inProcess.tensors[name];
    expect(a, `worker output ${name}`).toBeDefined();
    expect(b, `in-process output ${name}`).toBeDefined();
    expect(a!.dtype, name).toBe(b!.dtype);
    expect(a!.dims, name).toEqual(b!.dims);
    expect(bytes(a!.data as ArrayBufferView), name).toEqual(bytes(b!.data as ArrayBufferView));
  }
  return inWorker;
}

/** One `encodeActivation` task to run both ways. */
export interface ActivationTaskCheck {
  pool: WorkerPool;
  workerUrl: string;
  local: SchemeWorkerExports;
  task: ActivationTaskOptions;
}

/**
 * Runs an `encodeActivation` task in a worker (as JSON) and in process (on a structured clone) and expects equal
 * values. Returns the worker's value for further checks.
 *
 * @example
 * ```ts
 * const task = { options, info, request, state: observedState('entropy', x) };
 * const value = await expectActivationTaskMatches({ pool, workerUrl: plugin.workerUrl!, local, task });
 * ```
 */
export async function expectActivationTaskMatches(check: ActivationTaskCheck): Promise<ActivationTaskValue> {
  const { pool, workerUrl, local, task } = check;
  const inWorker = await pool.run<ActivationTaskValue>({ workerUrl, export: 'encodeActivation', options: JSON.parse(JSON.stringify(task)) });
  expect(inWorker.value).toEqual(local.encodeActivation(structuredClone(task)));
  return inWorker.value;
}
