import { describe, expect, it } from 'vitest';
import { defineSchemeWorker, type SerializedQuantInfo, type StatRequest } from '@quantforge/core';
import { gaussian, laplace, observedState, serializedQuantInfo } from '@quantforge/testing';
import { expectActivationTaskMatches, expectBuiltPlugin, expectWeightTaskMatches, useWorkerPool } from '@quantforge/testing/vitest';
// Workers load built JavaScript only: this suite runs against dist (build with `npx tsup` first).
import weightedEntropyPlugin, { weightedEntropy, weightedEntropyScheme } from '../dist/index.js';

const local = defineSchemeWorker(weightedEntropyScheme);

function info(over: Partial<SerializedQuantInfo> = {}): SerializedQuantInfo {
  return serializedQuantInfo({ consumers: [{ node: 'gemm', opType: 'Gemm', input: 1 }], bits: 4, seed: 9, ...over });
}

describe('the weighted-entropy scheme in a worker', () => {
  const workers = useWorkerPool();

  it('points its plugin value at the built modules', () => {
    expectBuiltPlugin(weightedEntropyPlugin, 'scheme-weighted-entropy');
  });

  it.each([
    ['16 levels', { bits: 4 }],
    ['11 levels (odd: with zero)', { levels: 11 }],
    ['convex profile', { profile: 'convex' as const, minBits: 2, maxBits: 5, layers: ['first', 'w', 'last'] }],
  ])('gives identical results in a worker and in process: %s', async (_, options) => {
    const task = { options: weightedEntropy(options).options!, info: info() };
    await expectWeightTaskMatches({ pool: workers.pool, workerUrl: weightedEntropyPlugin.workerUrl!, local, task, tensor: laplace([96, 80], 21) });
  });

  it('finalizes the activation ladder search in a worker like in process', async () => {
    const request: StatRequest = { observer: 'log-histogram', options: {}, finalize: { bits: 4, signed: false, symmetric: false, narrowRange: false } };
    const state = observedState('log-histogram', gaussian([4096], 5).data.map((v) => Math.max(0, v)));
    const task = { options: weightedEntropy({ activationBits: 3 }).options!, info: info({ name: 'act', role: 'activation', consumers: [], granularity: 'per-tensor', axis: undefined }), request, state };
    const value = await expectActivationTaskMatches({ pool: workers.pool, workerUrl: weightedEntropyPlugin.workerUrl!, local, task });
    expect(value).toMatchObject({ encoding: { kind: 'log', signed: false, zeroCode: true } });
  });
});
