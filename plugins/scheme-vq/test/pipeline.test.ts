// Both schemes inside core's pipeline in weight-only mode on the pipeline tests' tiny MLP (MatMul w1 [4, 8], Gemm w2
// [3, 8]), with the pipeline tests' own service doubles. Runs against dist: the pipeline sends scheme work to workers.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  quantforge, serializeQuantizedTensor, type CodebookEncoding, type DataSource, type Exporter, type Model, type QuantforgePlugin, type QuantizeResult,
  type RunnerFactory, type SchemeUse,
} from '@quantforge/core';
import { kmeans, pq, vqPlugin } from '../dist/index.js';

interface Doubles {
  jsRunners(): { factory: RunnerFactory };
  fakeQuantExporter(): Exporter;
}
interface Models {
  mlp(): Model;
  feeds(count: number, seed?: number): DataSource;
}

let doubles: Doubles;
let models: Models;
beforeAll(async () => {
  doubles = (await import(new URL('../../../packages/core/test/pipeline/doubles.ts', import.meta.url).href)) as Doubles;
  models = (await import(new URL('../../../packages/core/test/pipeline/models.ts', import.meta.url).href)) as Models;
});

async function run(use: SchemeUse, workers: number): Promise<QuantizeResult> {
  // The fake-quant double writes dequantized weights for any kind; it only declares affine, so widen that.
  const services = { createRunner: doubles.jsRunners().factory, exporter: { ...doubles.fakeQuantExporter(), kinds: ['codebook'] as const } };
  return quantforge(models.mlp(), services).use(use).recipe({ scheme: use.scheme, mode: 'weight-only' }).evaluate(models.feeds(4, 500)).run({ seed: 5, workers });
}

function codebook(r: QuantizeResult, name: string): CodebookEncoding {
  const e = r.encodings[name]?.encoding;
  if (e?.kind !== 'codebook') throw new Error(`${name} has no codebook encoding`);
  return e;
}

function bytes(r: QuantizeResult): string {
  return JSON.stringify(Object.entries(r.encodings).map(([name, q]) => [name, serializeQuantizedTensor(q)]));
}

function inProcess(use: SchemeUse): SchemeUse {
  const { workerUrl: _, ...plugin } = vqPlugin;
  return { ...use, plugin: plugin as QuantforgePlugin };
}

describe('vq schemes in the core pipeline', () => {
  it('clusters the weights with kmeans, the same on workers and in process', async () => {
    const use = kmeans({ bits: 2, perChannel: true });
    const onWorkers = await run(use, 2);
    expect(Object.keys(onWorkers.encodings).sort()).toEqual(['w1', 'w2']);
    // MatMul w1 [4, 8] has its output channels last (the plan's axis 1); Gemm w2 with transB first.
    expect(codebook(onWorkers, 'w1')).toMatchObject({ k: 4, grouping: 'channel', groups: 8, axis: 1 });
    expect(codebook(onWorkers, 'w2')).toMatchObject({ k: 4, grouping: 'channel', groups: 3, axis: 0 });
    expect(bytes(await run(inProcess(use), 1))).toBe(bytes(onWorkers));
  });

  it('product-quantizes the weights with pq', async () => {
    const r = await run(pq({ pqDim: 4, pqCentroids: 2 }), 1);
    expect(codebook(r, 'w2')).toMatchObject({ grouping: 'subspace', groups: 2, subvectorLength: 4, k: 2 });
    expect(r.encodings.w2?.codes?.dims).toEqual([1, 3, 2]);
  });
});
