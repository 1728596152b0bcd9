import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerPool, mapInWorkers, pluginTask, QuantforgeError, shareTensor, type Tensor, type WorkerPool } from '../../dist/index.js';

const workerUrl = new URL('../fixtures/pool-worker.mjs', import.meta.url).href;
const pluginUrl = new URL('../fixtures/plugin-echo.mjs', import.meta.url).href;

function f32(values: number[]): Tensor<'float32'> {
  return { dtype: 'float32', dims: [values.length], data: new Float32Array(values) };
}

async function rejection(p: Promise<unknown>): Promise<QuantforgeError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(QuantforgeError);
  return e as QuantforgeError;
}

describe('worker pool', () => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = createWorkerPool({ workers: 2 });
  });
  afterAll(async () => {
    await pool.destroy();
  });

  it('runs a named export with options and tensors and returns its tensors', async () => {
    const r = await pool.run<{ length: number }>({ workerUrl, export: 'scale', options: { factor: 3 }, tensors: { x: f32([1, 2, 3]) } });
    expect(pool.size).toBe(2);
    expect(r.value).toEqual({ length: 3 });
    expect(r.tensors.y?.dims).toEqual([3]);
    expect(Array.from(r.tensors.y!.data as Float32Array)).toEqual([3, 6, 9]);
  });

  it('copies by default: the caller keeps its data', async () => {
    const x = f32([5, 6]);
    await pool.run({ workerUrl, export: 'scale', options: { factor: 2 }, tensors: { x } });
    expect(Array.from(x.data)).toEqual([5, 6]);
  });

  it('move detaches the caller buffers, copies views into a larger buffer first, and moves results back', async () => {
    const owned = f32([1, 2, 3, 4]);
    const parent = new Float32Array([10, 20, 30, 40]);
    const view: Tensor<'float32'> = { dtype: 'float32', dims: [2], data: parent.subarray(1, 3) };
    const r = await pool.run<Record<string, { first: number; length: number }>>({
      workerUrl, export: 'describeInputs', tensors: { owned, view }, transfer: 'move',
    });
    expect(owned.data.byteLength).toBe(0);
    expect(owned.data.buffer.byteLength).toBe(0);
    expect(Array.from(parent)).toEqual([10, 20, 30, 40]);
    expect(r.value.view).toMatchObject({ first: 20, length: 2 });
    expect(r.value.owned).toMatchObject({ first: 1, length: 4 });

    const back = await pool.run({ workerUrl, export: 'keep', tensors: { x: f32([7, 8]) }, transfer: 'move' });
    expect(Array.from(back.tensors.x!.data as Float32Array)).toEqual([7, 8]);
    expect((back.tensors.x!.data as Float32Array).buffer.byteLength).toBe(8);
  });

  it('share places tensors in one SharedArrayBuffer that every worker reads and writes', async () => {
    const x = f32([1, 1, 1, 1]);
    const shared = shareTensor(x);
    expect(shared.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shareTensor(x).data).toBe(shared.data);
    const results = await mapInWorkers<number, boolean>(pool, [1, 2, 3, 4], (add) => ({
      workerUrl, export: 'addToShared', options: { add }, tensors: { x }, transfer: 'share',
    }));
    expect(results.map((r) => r.value)).toEqual([true, true, true, true]);
    expect(Array.from(shared.data)).toEqual([11, 11, 11, 11]);
    expect(Array.from(x.data)).toEqual([1, 1, 1, 1]);
  });

  it('mapInWorkers keeps input order when tasks finish out of order', async () => {
    const delays = [60, 0, 40, 5, 20, 0];
    const results = await mapInWorkers<number, number>(pool, delays, (delayMs, i) => ({
      workerUrl, export: 'delayedEcho', options: { delayMs, value: i },
    }));
    expect(results.map((r) => r.value)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('mapInWorkers rejects with the first failed item in input order', async () => {
    const e = await rejection(mapInWorkers(pool, [0, 1, 2], (n) => ({ workerUrl, export: n === 0 ? 'delayedEcho' : 'failPlain', options: { n, delayMs: 1 } })));
    expect(e.message).toContain('plain failure 1');
  });

  it('rehydrates a QuantforgeError thrown in the worker with code, details and hint', async () => {
    const e = await rejection(pool.run({ workerUrl, export: 'failCoded' }));
    expect(e.code).toBe('QF_QUANTIZE');
    expect(e.message).toBe('cannot quantize tensor w');
    expect(e.details).toEqual({ tensor: 'w' });
    expect(e.hint).toBe('use fewer bits');
  });

  it('turns a plain Error in the worker into QF_WORKER_TASK with its message', async () => {
    const e = await rejection(pool.run({ workerUrl, export: 'failPlain', options: { n: 7 } }));
    expect(e.code).toBe('QF_WORKER_TASK');
    expect(e.message).toContain('plain failure 7');
    expect(e.details).toMatchObject({ export: 'failPlain', name: 'Error' });
  });

  it('reports a missing export or module as QF_PLUGIN_LOAD', async () => {
    const missing = await rejection(pool.run({ workerUrl, export: 'notAFunction' }));
    expect(missing.code).toBe('QF_PLUGIN_LOAD');
    expect(missing.message).toContain('scale');
    const noModule = await rejection(pool.run({ workerUrl: new URL('../fixtures/absent.mjs', import.meta.url).href, export: 'x' }));
    expect(noModule.code).toBe('QF_PLUGIN_LOAD');
    expect(noModule.message).toContain('absent.mjs');
  });

  it('refuses an unsendable result without killing the worker', async () => {
    const e = await rejection(pool.run({ workerUrl, export: 'returnsFunction' }));
    expect(e.code).toBe('QF_WORKER_TASK');
    const ok = await pool.run({ workerUrl, export: 'delayedEcho', options: { delayMs: 0, value: 'alive' } });
    expect(ok.value).toBe('alive');
  });

  it('refuses bad tasks with QF_INVALID_ARGUMENT before sending them', async () => {
    expect((await rejection(pool.run({ workerUrl: '/abs/path.mjs', export: 'x' }))).code).toBe('QF_INVALID_ARGUMENT');
    expect((await rejection(pool.run({ workerUrl, export: 'scale', transfer: 'teleport' as never }))).code).toBe('QF_INVALID_ARGUMENT');
    const unclonable = await rejection(pool.run({ workerUrl, export: 'delayedEcho', options: { fn: () => 1 } }));
    expect(unclonable.code).toBe('QF_INVALID_ARGUMENT');
  });

  it('registers the task plugin inside the worker, where the main registry does not reach', async () => {
    const without = await pool.run<string[]>({ workerUrl, export: 'registeredHere' });
    expect(without.value).not.toContain('echo-fixture');
    const first = await mapInWorkers<number, string[]>(pool, [0, 1, 2, 3], () => ({ workerUrl, export: 'registeredHere', pluginUrl }));
    for (const r of first) expect(r.value).toContain('echo-fixture');
  });

  it('pluginTask targets a loaded plugin and registers it in the worker', async () => {
    const plugin = { name: 'echo-fixture', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0', workerUrl, mainUrl: pluginUrl } as const;
    const task = pluginTask(plugin, 'registeredHere', { timeoutMs: 30_000 });
    expect(task).toEqual({ workerUrl, export: 'registeredHere', pluginUrl, timeoutMs: 30_000 });
    expect((await pool.run<string[]>(task)).value).toContain('echo-fixture');
    const e = await rejection(Promise.resolve().then(() => pluginTask({ ...plugin, workerUrl: undefined }, 'x')));
    expect(e.code).toBe('QF_PLUGIN_LOAD');
  });
});
