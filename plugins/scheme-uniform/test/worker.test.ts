import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createObserver, createWorkerPool, defineSchemeWorker, serializeEncoding, serializeObserverState, tensor,
  type SerializedQuantInfo, type StatRequest, type WorkerPool,
} from '@quantforge/core';
// Workers load built JavaScript only: this suite runs against dist (build with `npx tsup` first).
import uniformPlugin, { uniform, uniformScheme } from '../dist/index.js';
import { gaussian } from './helpers.js';

const local = defineSchemeWorker(uniformScheme);

function bytes(v: ArrayBufferView): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function info(over: Partial<SerializedQuantInfo> = {}): SerializedQuantInfo {
  return { name: 'w', role: 'weight', consumers: [{ node: 'gemm', opType: 'Gemm', input: 1 }], bits: 8, granularity: 'per-channel', axis: 0, seed: 9, dependencies: {}, ...over };
}

describe('the uniform scheme in a worker', () => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = createWorkerPool({ workers: 2, timeoutMs: 60_000 });
  });
  afterAll(async () => {
    await pool.destroy();
  });

  it('points its plugin value at the built modules', () => {
    expect(uniformPlugin.name).toBe('scheme-uniform');
    expect(existsSync(fileURLToPath(uniformPlugin.workerUrl!))).toBe(true);
    expect(uniformPlugin.mainUrl).toMatch(/\/dist\/index\.js$/);
    expect(uniform({ weights: { bits: 4 } })).toMatchObject({ plugin: uniformPlugin, scheme: 'uniform', options: { weights: { bits: 4, symmetric: true } } });
    expect(() => uniform({ weights: { bits: 40 } })).toThrow(expect.objectContaining({ code: 'QF_OPTIONS_INVALID' }));
  });

  it.each([
    ['int8 per-channel', { weights: { bits: 8 } }, info()],
    ['int4 per-group asymmetric mse', { weights: { bits: 4, granularity: 'per-group', blockSize: 16, symmetric: false, clipping: 'mse' } }, info({ granularity: 'per-tensor', axis: undefined })],
    ['uint6 per-tensor pow2 percentile', { weights: { bits: 6, signed: false, granularity: 'per-tensor', powerOfTwo: true, clipping: 'percentile' } }, info()],
  ] as const)('gives identical results in a worker and in process: %s', async (_, options, quantInfo) => {
    const w = gaussian([24, 40], 21);
    const task = { options: uniform(options).options!, info: JSON.parse(JSON.stringify(quantInfo)) as SerializedQuantInfo };
    const inWorker = await pool.run({ workerUrl: uniformPlugin.workerUrl!, export: 'quantizeWeight', options: task, tensors: { tensor: w }, transfer: 'copy' });
    const inProcess = await local.quantizeWeight(structuredClone(task), { tensor: w });
    expect(inWorker.value).toEqual(inProcess.value);
    const a = inWorker.tensors.codes!;
    const b = inProcess.tensors.codes!;
    expect(a.dtype).toBe(b.dtype);
    expect(bytes(a.data as ArrayBufferView)).toEqual(bytes(b.data as ArrayBufferView));
  });

  it('finalizes calibration statistics in a worker like in process', async () => {
    const request: StatRequest = { observer: 'entropy', options: {}, finalize: { bits: 8, signed: false, symmetric: false, narrowRange: false } };
    const obs = createObserver('entropy');
    const state = obs.init('act');
    const x = gaussian([4096], 5).data.map(Math.abs);
    obs.observe(state, x, [x.length]);
    const task = { options: uniform().options!, info: info({ name: 'act', role: 'activation', consumers: [], granularity: 'per-tensor', axis: undefined }), request, state: serializeObserverState(state) };
    const inWorker = await pool.run({ workerUrl: uniformPlugin.workerUrl!, export: 'encodeActivation', options: JSON.parse(JSON.stringify(task)) });
    expect(inWorker.value).toEqual(local.encodeActivation(structuredClone(task)));
  });

  it('sends coded errors back from the worker', async () => {
    const bias = tensor('float32', [2], Float32Array.of(1, 2));
    const weight = serializeEncoding({ kind: 'affine', bits: 8, signed: true, narrowRange: true, symmetric: true, powerOfTwo: false, scale: Float32Array.of(0.1, 0.2), zeroPoint: new Int32Array(2), axis: 0, storage: 'int8' });
    const task = { options: {}, info: info({ name: 'b', role: 'bias', bits: 32, granularity: 'per-channel', axis: 0, dependencies: { weight } }) };
    await expect(pool.run({ workerUrl: uniformPlugin.workerUrl!, export: 'quantizeWeight', options: task, tensors: { tensor: bias } }))
      .rejects.toMatchObject({ code: 'QF_QUANTIZE' });
  });
});
