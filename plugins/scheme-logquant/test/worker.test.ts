import { describe, expect, it } from 'vitest';
import { defineSchemeWorker, type SerializedQuantInfo, type StatRequest } from '@quantforge/core';
import { gaussian, laplace, observedState, serializedQuantInfo } from '@quantforge/testing';
import { expectActivationTaskMatches, expectBuiltPlugin, expectWeightTaskMatches, useWorkerPool } from '@quantforge/testing/vitest';
// Workers load built JavaScript only: this suite runs against dist (build with `npx tsup` first).
import logQuantPlugin, { logQuant, logQuantScheme } from '../dist/index.js';

const local = defineSchemeWorker(logQuantScheme);

function info(over: Partial<SerializedQuantInfo> = {}): SerializedQuantInfo {
  return serializedQuantInfo({ consumers: [{ node: 'gemm', opType: 'Gemm', input: 1 }], bits: 4, seed: 9, ...over });
}

describe('the logquant scheme in a worker', () => {
  const workers = useWorkerPool();

  it('points its plugin value at the built modules', () => {
    expectBuiltPlugin(logQuantPlugin, 'scheme-logquant');
  });

  it.each([
    ['4-bit per tensor', { bits: 4 }],
    ['3-bit √2 searched per channel', { bits: 3, base: 'sqrt2' as const, fsr: 'search' as const, perChannel: true }],
  ])('gives identical results in a worker and in process: %s', async (_, options) => {
    const task = { options: logQuant(options).options!, info: info() };
    await expectWeightTaskMatches({ pool: workers.pool, workerUrl: logQuantPlugin.workerUrl!, local, task, tensor: laplace([24, 40], 21) });
  });

  it('finalizes a log-histogram fsr search in a worker like in process', async () => {
    const request: StatRequest = { observer: 'log-histogram', options: {}, finalize: { bits: 4, signed: false, symmetric: false, narrowRange: false } };
    const state = observedState('log-histogram', gaussian([4096], 5).data.map(Math.abs));
    const task = { options: logQuant({ fsr: 'search' }).options!, info: info({ name: 'act', role: 'activation', consumers: [], granularity: 'per-tensor', axis: undefined }), request, state };
    const value = await expectActivationTaskMatches({ pool: workers.pool, workerUrl: logQuantPlugin.workerUrl!, local, task });
    expect(value).toMatchObject({ encoding: { kind: 'log', signed: false, zeroCode: true } });
  });
});
