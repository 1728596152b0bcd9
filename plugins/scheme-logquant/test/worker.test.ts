import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createObserver, createWorkerPool, defineSchemeWorker, serializeObserverState, type SerializedQuantInfo, type StatRequest, type WorkerPool } from '@quantforge/core';
// Workers load built JavaScript only: this suite runs against dist (build with `npx tsup` first).
import logQuantPlugin, { logQuant, logQuantScheme } from '../dist/index.js';
import { gaussian, laplace } from './helpers.js';

const local = defineSchemeWorker(logQuantScheme);

function bytes(v: ArrayBufferView): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function info(over: Partial<SerializedQuantInfo> = {}): SerializedQuantInfo {
  return { name: 'w', role: 'weight', consumers: [{ node: 'gemm', opType: 'Gemm', input: 1 }], bits: 4, granularity: 'per-channel', axis: 0, seed: 9, dependencies: {}, ...over };
}

describe('the logquant scheme in a worker', () => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = createWorkerPool({ workers: 2, timeoutMs: 60_000 });
  });
  afterAll(async () => {
    await pool.destroy();
  });

  it('points its plugin value at the built modules', () => {
    expect(logQuantPlugin.name).toBe('scheme-logquant');
    expect(existsSync(fileURLToPath(logQuantPlugin.workerUrl!))).toBe(true);
    expect(logQuantPlugin.mainUrl).toMatch(/\/dist\/index\.js$/);
  });

  it.each([
    ['4-bit per tensor', { bits: 4 }],
    ['3-bit √2 searched per channel', { bits: 3, base: 'sqrt2' as const, fsr: 'search' as const, perChannel: true }],
  ])('gives identical results in a worker and in process: %s', async (_, options) => {
    const w = laplace([24, 40], 21);
    const task = { options: logQuant(options).options!, info: info() };
    const inWorker = await pool.run({ workerUrl: logQuantPlugin.workerUrl!, export: 'quantizeWeight', options: task, tensors: { tensor: w }, transfer: 'copy' });
    const inProcess = await local.quantizeWeight(structuredClone(task), { tensor: w });
    expect(inWorker.value).toEqual(inProcess.value);
    expect(bytes(inWorker.tensors.codes!.data as ArrayBufferView)).toEqual(bytes(inProcess.tensors.codes!.data as ArrayBufferView));
  });

  it('finalizes a log-histogram fsr search in a worker like in process', async () => {
    const request: StatRequest = { observer: 'log-histogram', options: {}, finalize: { bits: 4, signed: false, symmetric: false, narrowRange: false } };
    const obs = createObserver('log-histogram');
    const state = obs.init('act');
    const x = gaussian([4096], 5).data.map(Math.abs);
    obs.observe(state, x, [x.length]);
    const task = { options: logQuant({ fsr: 'search' }).options!, info: info({ name: 'act', role: 'activation', consumers: [], granularity: 'per-tensor', axis: undefined }), request, state: serializeObserverState(state) };
    const inWorker = await pool.run({ workerUrl: logQuantPlugin.workerUrl!, export: 'encodeActivation', options: JSON.parse(JSON.stringify(task)) });
    expect(inWorker.value).toEqual(local.encodeActivation(structuredClone(task)));
    expect(inWorker.value).toMatchObject({ encoding: { kind: 'log', signed: false, zeroCode: true } });
  });
});
