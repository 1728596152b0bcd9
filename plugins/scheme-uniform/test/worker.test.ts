import { describe, expect, it } from 'vitest';
import { defineSchemeWorker, serializeEncoding, tensor, type SerializedQuantInfo, type StatRequest } from '@quantforge/core';
import { gaussian, observedState, serializedQuantInfo } from '@quantforge/testing';
import { expectActivationTaskMatches, expectBuiltPlugin, expectWeightTaskMatches, useWorkerPool } from '@quantforge/testing/vitest';
// Workers load built JavaScript only: this suite runs against dist (build with `npx tsup` first).
import uniformPlugin, { uniform, uniformScheme } from '../dist/index.js';

const local = defineSchemeWorker(uniformScheme);

function info(over: Partial<SerializedQuantInfo> = {}): SerializedQuantInfo {
  return serializedQuantInfo({ consumers: [{ node: 'gemm', opType: 'Gemm', input: 1 }], seed: 9, ...over });
}

describe('the uniform scheme in a worker', () => {
  const workers = useWorkerPool();

  it('points its plugin value at the built modules', () => {
    expectBuiltPlugin(uniformPlugin, 'scheme-uniform');
    expect(uniform({ weights: { bits: 4 } })).toMatchObject({ plugin: uniformPlugin, scheme: 'uniform', options: { weights: { bits: 4, symmetric: true } } });
    expect(() => uniform({ weights: { bits: 40 } })).toThrow(expect.objectContaining({ code: 'QF_OPTIONS_INVALID' }));
  });

  it.each([
    ['int8 per-channel', { weights: { bits: 8 } }, info()],
    ['int4 per-group asymmetric mse', { weights: { bits: 4, granularity: 'per-group', blockSize: 16, symmetric: false, clipping: 'mse' } }, info({ granularity: 'per-tensor', axis: undefined })],
    ['uint6 per-tensor pow2 percentile', { weights: { bits: 6, signed: false, granularity: 'per-tensor', powerOfTwo: true, clipping: 'percentile' } }, info()],
  ] as const)('gives identical results in a worker and in process: %s', async (_, options, quantInfo) => {
    const task = { options: uniform(options).options!, info: JSON.parse(JSON.stringify(quantInfo)) as SerializedQuantInfo };
    await expectWeightTaskMatches({ pool: workers.pool, workerUrl: uniformPlugin.workerUrl!, local, task, tensor: gaussian([24, 40], 21) });
  });

  it('finalizes calibration statistics in a worker like in process', async () => {
    const request: StatRequest = { observer: 'entropy', options: {}, finalize: { bits: 8, signed: false, symmetric: false, narrowRange: false } };
    const state = observedState('entropy', gaussian([4096], 5).data.map(Math.abs));
    const task = { options: uniform().options!, info: info({ name: 'act', role: 'activation', consumers: [], granularity: 'per-tensor', axis: undefined }), request, state };
    await expectActivationTaskMatches({ pool: workers.pool, workerUrl: uniformPlugin.workerUrl!, local, task });
  });

  it('sends coded errors back from the worker', async () => {
    const bias = tensor('float32', [2], Float32Array.of(1, 2));
    const weight = serializeEncoding({ kind: 'affine', bits: 8, signed: true, narrowRange: true, symmetric: true, powerOfTwo: false, scale: Float32Array.of(0.1, 0.2), zeroPoint: new Int32Array(2), axis: 0, storage: 'int8' });
    const task = { options: {}, info: info({ name: 'b', role: 'bias', bits: 32, granularity: 'per-channel', axis: 0, dependencies: { weight } }) };
    await expect(workers.pool.run({ workerUrl: uniformPlugin.workerUrl!, export: 'quantizeWeight', options: task, tensors: { tensor: bias } }))
      .rejects.toMatchObject({ code: 'QF_QUANTIZE' });
  });
});
