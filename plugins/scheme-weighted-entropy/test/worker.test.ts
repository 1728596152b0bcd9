import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createObserver, createWorkerPool, defineSchemeWorker, serializeObserverState, type SerializedQuantInfo, type StatRequest, type WorkerPool } from '@quantforge/core';
// Workers load built JavaScript only: this suite runs against dist (build with `npx tsup` first).
import weightedEntropyPlugin, { weightedEntropy, weightedEntropyScheme } from '../dist/index.js';
import { gaussian, laplace } from './helpers.js';

const local = defineSchemeWorker(weightedEntropyScheme);

function bytes(v: ArrayBufferView): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function info(over: Partial<SerializedQuantInfo> = {}): SerializedQuantInfo {
  return { name: 'w', role: 'weight', consumers: [{ node: 'gemm', opType: 'Gemm', input: 1 }], bits: 4, granularity: 'per-channel', axis: 0, seed: 9, dependencies: {}, ...over };
}

describe('the weighted-entropy scheme in a worker', () => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = createWorkerPool({ workers: 2, timeoutMs: 60_000 });
  });
  afterAll(async () => {
    await pool.destroy();
  });

  it('points its plugin value at the built modules', () => {
    expect(weightedEntropyPlugin.name).toBe('scheme-weighted-entropy');
    expect(existsSync(fileURLToPath(weightedEntropyPlugin.workerUrl!))).toBe(true);
    expect(weightedEntropyPlugin.mainUrl).toMatch(/\/dist\/index\.js$/);
  });

  it.each([
    ['16 levels', { bits: 4 }],
    ['11 levels (odd: with zero)', { levels: 11 }],
    ['convex profile', { profile: 'convex' as const, minBits: 2, maxBits: 5, layers: ['first', 'w', 'last'] }],
  ])('gives identical results in a worker and in process: %s', async (_, options) => {
    const w = laplace([96, 80], 21);
    const task = { options: weightedEntropy(options).options!, info: info() };
    const inWorker = await pool.run({ workerUrl: weightedEntropyPlugin.workerUrl!, export: 'quantizeWeight', options: task, tensors: { tensor: w }, transfer: 'copy' });
    const inProcess = await local.quantizeWeight(structuredClone(task), { tensor: w });
    expect(inWorker.value).toEqual(inProcess.value);
    expect(bytes(inWorker.tensors.codes!.data as ArrayBufferView)).toEqual(bytes(inProcess.tensors.codes!.data as ArrayBufferView));
  });

  it('finalizes the activation ladder search in a worker like in process', async () => {
    const request: StatRequest = { observer: 'log-histogram', options: {}, finalize: { bits: 4, signed: false, symmetric: false, narrowRange: false } };
    const obs = createObserver('log-histogram');
    const state = obs.init('act');
    const x = gaussian([4096], 5).data.map((v) => Math.max(0, v));
    obs.observe(state, x, [x.length]);
    const task = { options: weightedEntropy({ activationBits: 3 }).options!, info: info({ name: 'act', role: 'activation', consumers: [], granularity: 'per-tensor', axis: undefined }), request, state: serializeObserverState(state) };
    const inWorker = await pool.run({ workerUrl: weightedEntropyPlugin.workerUrl!, export: 'encodeActivation', options: JSON.parse(JSON.stringify(task)) });
    expect(inWorker.value).toEqual(local.encodeActivation(structuredClone(task)));
    expect(inWorker.value).toMatchObject({ encoding: { kind: 'log', signed: false, zeroCode: true } });
  });
});
