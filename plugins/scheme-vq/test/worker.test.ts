import { describe, expect, it } from 'vitest';
import { defineSchemeWorker, tensor, type SerializedQuantInfo } from '@quantforge/core';
import { heavyTailed, serializedQuantInfo } from '@quantforge/testing';
import { expectBuiltPlugin, expectWeightTaskMatches, useWorkerPool } from '@quantforge/testing/vitest';
// Workers load built JavaScript only: this suite runs against dist (build with `npx tsup` first).
import vqPlugin, { kmeans, kmeansScheme, pq } from '../dist/index.js';

const local = defineSchemeWorker(kmeansScheme);

function info(over: Partial<SerializedQuantInfo> = {}): SerializedQuantInfo {
  return serializedQuantInfo({ name: 'layer.weight', bits: 4, seed: 17, ...over });
}

describe('the vq schemes in a worker', () => {
  const workers = useWorkerPool();

  it('points its plugin value at the built modules', () => {
    expectBuiltPlugin(vqPlugin, 'scheme-vq');
    expect(Object.keys(vqPlugin.schemes!)).toEqual(['kmeans', 'pq']);
  });

  it.each([
    ['kmeans per-channel k-means++ square', kmeans({ bits: 3, perChannel: true, init: 'kmeans++', importance: 'square' }).options!],
    ['kmeans per-tensor residual', kmeans({ bits: 2, perChannel: false, residual: true }).options!],
    ['pq residual', pq({ pqDim: 4, pqCentroids: 16, residual: true }).options!],
  ] as const)('gives identical bytes in a worker and in process: %s', async (_, options) => {
    const w = tensor('float32', [16, 4, 3, 3], heavyTailed(576, 31));
    await expectWeightTaskMatches({ pool: workers.pool, workerUrl: vqPlugin.workerUrl!, local, task: { options, info: info() }, tensor: w });
  });

  it('sends coded errors back from the worker', async () => {
    const w = tensor('float32', [2, 6], heavyTailed(12, 1));
    await expect(workers.pool.run({ workerUrl: vqPlugin.workerUrl!, export: 'quantizeWeight', options: { options: { ...pq().options!, perm: [1, 1] }, info: info() }, tensors: { tensor: w } }))
      .rejects.toMatchObject({ code: 'QF_OPTIONS_INVALID' });
    await expect(workers.pool.run({ workerUrl: vqPlugin.workerUrl!, export: 'encodeActivation', options: { options: kmeans().options!, info: info({ role: 'activation' }) } }))
      .rejects.toMatchObject({ code: 'QF_QUANTIZE' });
  });
});
