// The weighted-entropy scheme inside core's pipeline on a tiny hand-built MLP, with the pipeline tests' plain-JS float
// runner and a dequantizing exporter double. Runs against dist: the pipeline sends scheme work to workers.
import { describe, expect, it } from 'vitest';
import type { Recipe } from '@quantforge/core';
import { dequantizingExporter } from '@quantforge/testing';
import { usePipelineHarness } from '@quantforge/testing/vitest';
import { weightLayerOrder, weightedEntropy } from '../dist/index.js';

// ONNX export of codebook and log encodings is another package's job; evaluation only needs the dequantized weights.
const harness = usePipelineHarness(new URL('../../../packages/core/test/pipeline/', import.meta.url), { exporter: dequantizingExporter(['codebook', 'log']) });

const recipe: Recipe = { scheme: 'weighted-entropy', mode: 'static' };

describe('weighted-entropy scheme in the core pipeline', () => {
  it('quantizes weights to codebooks and activations to searched log ladders', async () => {
    const r = await harness.run(weightedEntropy({ bits: 3, activationBits: 4 }), { recipe, workers: 1 });
    const kinds = Object.fromEntries(Object.entries(r.encodings).map(([name, q]) => [name, q.encoding.kind]));
    for (const [name, entry] of Object.entries(r.plan.tensors)) {
      if (entry.role === 'weight') expect(kinds[name], name).toBe('codebook');
      if (entry.role === 'activation') {
        expect(kinds[name], name).toBe('log');
        expect(entry.stats?.observer).toBe('log-histogram');
      }
    }
    expect(r.report.evaluation!.sqnrDb).toBeGreaterThan(5);
  });

  it('applies a convex bit profile over the plan\'s weight order, the same on 1 and 2 workers and in process', async () => {
    const first = await harness.run(weightedEntropy({ bits: 3 }), { recipe, workers: 1 });
    const layers = weightLayerOrder(first.plan, 'weighted-entropy');
    expect(layers.length).toBeGreaterThanOrEqual(2);
    const use = weightedEntropy({ profile: 'increasing', minBits: 1, maxBits: 4, layers });
    const one = await harness.expectSameBytesEverywhere(use, recipe);
    const ks = layers.map((name) => (one.encodings[name]!.encoding as { k: number }).k);
    expect(ks[0]).toBe(2);
    expect(ks.at(-1)).toBe(16);
  });
});
