// Both schemes inside core's pipeline in weight-only mode on the pipeline tests' tiny MLP (MatMul w1 [4, 8], Gemm w2
// [3, 8]), with the pipeline tests' own service doubles. Runs against dist: the pipeline sends scheme work to workers.
import { describe, expect, it } from 'vitest';
import type { QuantizeResult, SchemeUse } from '@quantforge/core';
import { encodingBytes, encodingOf, inProcess } from '@quantforge/testing';
import { usePipelineHarness } from '@quantforge/testing/vitest';
import { kmeans, pq } from '../dist/index.js';

// The fake-quant double writes dequantized weights for any kind; it only declares affine, so widen that.
const harness = usePipelineHarness(new URL('../../../packages/core/test/pipeline/', import.meta.url), {
  exporter: (doubles) => ({ ...doubles.fakeQuantExporter(), kinds: ['codebook'] }),
});

function run(use: SchemeUse, workers: number): Promise<QuantizeResult> {
  return harness.run(use, { recipe: { scheme: use.scheme, mode: 'weight-only' }, workers });
}

describe('vq schemes in the core pipeline', () => {
  it('clusters the weights with kmeans, the same on workers and in process', async () => {
    const use = kmeans({ bits: 2, perChannel: true });
    const onWorkers = await run(use, 2);
    expect(Object.keys(onWorkers.encodings).sort()).toEqual(['w1', 'w2']);
    // MatMul w1 [4, 8] has its output channels last (the plan's axis 1); Gemm w2 with transB first.
    expect(encodingOf(onWorkers, 'w1', 'codebook')).toMatchObject({ k: 4, grouping: 'channel', groups: 8, axis: 1 });
    expect(encodingOf(onWorkers, 'w2', 'codebook')).toMatchObject({ k: 4, grouping: 'channel', groups: 3, axis: 0 });
    expect(encodingBytes(await run(inProcess(use), 1))).toBe(encodingBytes(onWorkers));
  });

  it('product-quantizes the weights with pq', async () => {
    const r = await run(pq({ pqDim: 4, pqCentroids: 2 }), 1);
    expect(encodingOf(r, 'w2', 'codebook')).toMatchObject({ grouping: 'subspace', groups: 2, subvectorLength: 4, k: 2 });
    expect(r.encodings.w2?.codes?.dims).toEqual([1, 3, 2]);
  });
});
