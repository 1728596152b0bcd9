import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createWorkerPool, defineSchemeWorker, tensor, type SerializedQuantInfo, type WorkerPool } from '@quantforge/core';
// Workers load built JavaScript only: this suite runs against dist (build with `npx tsup` first).
import vqPlugin, { kmeans, kmeansScheme, pq } from '../dist/index.js';
import { heavyTailed } from './helpers.js';

const local = defineSchemeWorker(kmeansScheme);

function bytes(v: ArrayBufferView): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function info(over: Partial<SerializedQuantInfo> = {}): SerializedQuantInfo {
  return { name: 'layer.weight', role: 'weight', consumers: [{ node: 'conv', opType: 'Conv', input: 1 }], bits: 4, granularity: 'per-channel', axis: 0, seed: 17, dependencies: {}, ...over };
}

describe('the vq schemes in a worker', () => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = createWorkerPool({ workers: 2, timeoutMs: 60_000 });
  });
  afterAll(async () => {
    await pool.destroy();
  });

  it('points its plugin value at the built modules', () => {
    expect(vqPlugin.name).toBe('scheme-vq');
    expect(Object.keys(vqPlugin.schemes!)).toEqual(['kmeans', 'pq']);
    expect(existsSync(fileURLToPath(vqPlugin.workerUrl!))).toBe(true);
    expect(vqPlugin.mainUrl).toMatch(/\/dist\/index\.js$/);
  });

  it.each([
    ['kmeans per-channel k-means++ square', kmeans({ bits: 3, perChannel: true, init: 'kmeans++', importance: 'square' }).options!],
    ['kmeans per-tensor residual', kmeans({ bits: 2, perChannel: false, residual: true }).options!],
    ['pq residual', pq({ pqDim: 4, pqCentroids: 16, residual: true }).options!],
  ] as const)('gives identical bytes in a worker and in process: %s', async (_, options) => {
    const w = tensor('float32', [16, 4, 3, 3], heavyTailed(576, 31));
    const task = { options, info: info() };
    const inWorker = await pool.run({ workerUrl: vqPlugin.workerUrl!, export: 'quantizeWeight', options: task, tensors: { tensor: w }, transfer: 'copy' });
    const inProcess = await local.quantizeWeight(structuredClone(task), { tensor: w });
    expect(inWorker.value).toEqual(inProcess.value);
    const a = inWorker.tensors.codes!;
    const b = inProcess.tensors.codes!;
    expect(a.dtype).toBe(b.dtype);
    expect(a.dims).toEqual(b.dims);
    expect(bytes(a.data as ArrayBufferView)).toEqual(bytes(b.data as ArrayBufferView));
  });

  it('sends coded errors back from the worker', async () => {
    const w = tensor('float32', [2, 6], heavyTailed(12, 1));
    await expect(pool.run({ workerUrl: vqPlugin.workerUrl!, export: 'quantizeWeight', options: { options: pq().options!, info: info() }, tensors: { tensor: w } }))
      .rejects.toMatchObject({ code: 'QF_OPTIONS_INVALID' });
    await expect(pool.run({ workerUrl: vqPlugin.workerUrl!, export: 'encodeActivation', options: { options: kmeans().options!, info: info({ role: 'activation' }) } }))
      .rejects.toMatchObject({ code: 'QF_QUANTIZE' });
  });
});
