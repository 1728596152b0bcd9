// The logquant scheme inside core's pipeline on a tiny hand-built MLP, with the pipeline tests' own service
// doubles (a plain-JS float runner and a fake-quant exporter). Runs against dist: the pipeline sends scheme work to
// workers.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dequantize, quantforge, serializeQuantizedTensor, tensor, type DataSource, type Exporter, type Model, type QuantforgePlugin, type QuantizeResult, type Recipe,
  type RunnerFactory, type SchemeUse,
} from '@quantforge/core';
import { logQuant, logQuantPlugin } from '../dist/index.js';

/** What this suite uses of core's pipeline test doubles (imported by URL: they live outside this package's sources). */
interface Doubles {
  jsRunners(): { factory: RunnerFactory };
}

/**
 * ONNX export of log encodings is another package's job; this stand-in writes the dequantized weights
 * back into the float model (activation encodings are not applied), which is all the evaluation stage needs here.
 */
const dequantizingExporter: Exporter = {
  name: 'dequantizing-test-exporter',
  kinds: ['log'],
  export(input) {
    const model = structuredClone(input.model);
    for (const [name, q] of Object.entries(input.encodings)) {
      const init = model.graph.initializers.get(name);
      if (init !== undefined && q.codes !== undefined) init.tensor = tensor('float32', init.tensor.dims, dequantize(q));
    }
    return { model, valueMap: {} };
  },
};
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

const recipe: Recipe = { scheme: 'logquant', mode: 'static' };

async function run(use: SchemeUse, options: { workers?: number } = {}): Promise<QuantizeResult> {
  const services = { createRunner: doubles.jsRunners().factory, exporter: dequantizingExporter };
  return quantforge(models.mlp(), services).use(use).recipe(recipe).calibrate(models.feeds(6)).evaluate(models.feeds(4, 500)).run({ seed: 5, ...options });
}

function bytes(r: QuantizeResult): string {
  return JSON.stringify(Object.entries(r.encodings).map(([name, q]) => [name, serializeQuantizedTensor(q)]));
}

describe('logquant scheme in the core pipeline', () => {
  it('quantizes weights and activations to log ladders, with the plan\'s per-channel axis', async () => {
    const r = await run(logQuant({ bits: 5, activationBits: 6, fsr: 'search', perChannel: true }), { workers: 1 });
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
    const one = await run(use, { workers: 1 });
    const two = await run(use, { workers: 2 });
    const { workerUrl: _, ...plugin } = logQuantPlugin;
    const local = await run({ ...use, plugin: plugin as QuantforgePlugin });
    expect(bytes(two)).toBe(bytes(one));
    expect(bytes(local)).toBe(bytes(one));
  });
});
