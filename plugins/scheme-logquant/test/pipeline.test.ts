// The logquant scheme inside core's pipeline on a tiny hand-built MLP, with the pipeline tests' plain-JS float runner
// and a dequantizing exporter double. Runs against dist: the pipeline sends scheme work to workers.
import { describe, expect, it } from 'vitest';
import type { Recipe } from '@quantforge/core';
import { dequantizingExporter } from '@quantforge/testing';
import { usePipelineHarness } from '@quantforge/testing/vitest';
import { logQuant } from '../dist/index.js';

// ONNX export of log encodings is another package's job; evaluation only needs the dequantized weights.
const harness = usePipelineHarness(new URL('../../../packages/core/test/pipeline/', import.meta.url), { exporter: dequantizingExporter(['log']) });

const recipe: Recipe = { scheme: 'logquant', mode: 'static' };

describe('logquant scheme in the core pipeline', () => {
  it('quantizes weights and activations to log ladders, with the plan\'s per-channel axis', async () => {
    const r = await harness.run(logQuant({ bits: 5, activationBits: 6, fsr: 'search', perChannel: true }), { recipe, workers: 1 });
    for (const [name, entry] of Object.entries(r.plan.tensors)) {
      const e = r.encodings[name]!.encoding;
      expect(e.kind, name).toBe('log');
      if (entry.role === 'weight' && entry.granularity === 'per-channel') expect(e).toMatchObject({ axis: entry.axis, signed: true, bits: 5 });
      if (entry.role === 'activation') expect(entry.stats?.observer).toBe('log-histogram');
    }
    expect(r.report.evaluation!.sqnrDb).toBeGreaterThan(5);
  });

  it('gives the same bytes on 1 and 2 workers and in process', async () => {
    const use = logQuant({ bits: 4, base: 'sqrt2', fsr: 'search' });
    await harness.expectSameBytesEverywhere(use, recipe);
  });
});
