import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createCalibrator, prepareGraph, quantforge, serializeCalibrationStats, tensor,
  type Attribute, type FloatRunner, type Model, type QuantPlan, type RunnerFactory, type Tensor,
} from '@quantforge/core';
import { loadModel, qdqExporter, readNpy } from '@quantforge/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { runnerFactory } from '../src/runner/index.js';
import { randomFloats } from './linear-helpers.js';

// The calibrate stage exposes one value per same-bytes chain (Reshape / Flatten read through their origin). On real
// executors (onnxruntime and the reference executor) the statistics and encodings must be byte-identical to the old
// behaviour: every calibrated tensor exposed and observed from its own buffer, one sample per run.

interface Affine8 { affine8LocalPlugin: never }
let fx: Affine8;
beforeAll(async () => {
  // core's test scheme (8-bit affine, min/max activations), built on core's dist like this package's tests.
  fx = (await import(new URL('../../core/test/fixtures/affine8-scheme.mjs', import.meta.url).href)) as Affine8;
});

const FASHION = fileURLToPath(new URL('../../../examples/fashion-mnist/model/model.onnx', import.meta.url));
const CALIB = fileURLToPath(new URL('../../../examples/fashion-mnist/data/calib/input.npy', import.meta.url));

const ints = (name: string, value: number[]): Attribute => ({ name, type: 'ints', value });
const f32 = (dims: number[], seed: number): Tensor => tensor('float32', dims, randomFloats(dims.reduce((a, b) => a * b, 1), seed));

/** x[N,1,6,6] → Conv 3×3 → Relu → MaxPool 2×2 → Reshape [-1, 36] → Gemm → y[N,3]. */
function convPoolReshape(): Model {
  const n = (opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = []) => ({ name: opType.toLowerCase(), opType, domain: '', inputs, outputs, attributes });
  const init = (name: string, t: Tensor) => [name, { name, tensor: t }] as const;
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 13 }],
    graph: {
      name: 'conv-pool-reshape',
      nodes: [
        n('Conv', ['x', 'w', 'b'], ['c'], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])]),
        n('Relu', ['c'], ['r']),
        n('MaxPool', ['r'], ['p'], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]),
        n('Reshape', ['p', 'shape'], ['rs']),
        n('Gemm', ['rs', 'w2', 'c2'], ['y'], [{ name: 'transB', type: 'int', value: 1 }]),
      ],
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: 'float32', shape: ['N', 1, 6, 6] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', elemType: 'float32', shape: ['N', 3] } }],
      valueInfo: [],
      initializers: new Map([
        init('w', f32([4, 1, 3, 3], 1)), init('b', f32([4], 2)), init('shape', tensor('int64', [2], BigInt64Array.from([-1n, 36n]))),
        init('w2', f32([3, 36], 3)), init('c2', f32([3], 4)),
      ]),
      sparseInitializers: [],
    },
  } as Model;
}

/** The runner factory, recording what each calibration runner was asked to expose. */
function recording(inner: RunnerFactory): { factory: RunnerFactory; exposed: string[][] } {
  const exposed: string[][] = [];
  return {
    exposed,
    factory: async (model, options): Promise<FloatRunner> => {
      if (options.purpose === 'calibrate') exposed.push([...options.exposeOutputs]);
      return inner(model, options);
    },
  };
}

/** Calibration as it was: every calibrated intermediate exposed, each observed from its own buffer, batch 1. */
async function exposeEverything(model: Model, plan: QuantPlan, data: Record<string, Tensor>[], inner: RunnerFactory): Promise<string> {
  const cal = createCalibrator(plan);
  const stats = cal.init();
  const ins = new Set(model.graph.inputs.map((i) => i.name));
  const outs = new Set(model.graph.outputs.map((o) => o.name));
  const runner = await inner(model, { exposeOutputs: cal.tensors.filter((t) => !ins.has(t) && !outs.has(t)), purpose: 'calibrate' });
  for (const feed of data) {
    const out = await runner.run(feed);
    for (const t of cal.tensors) {
      const v = feed[t] ?? out[t]!;
      cal.observe(stats, t, v.data as Float32Array, v.dims);
    }
    cal.addSamples(stats, 1);
  }
  await runner.close();
  return JSON.stringify(serializeCalibrationStats(stats));
}

async function quantize(model: Model, data: Record<string, Tensor>[], factory: RunnerFactory) {
  return quantforge(model, { createRunner: factory, exporter: qdqExporter() }).use(fx.affine8LocalPlugin).calibrate(data).run({ seed: 1 });
}

/** The graph as the pipeline calibrates it (the plan names its tensors); `model` is a fresh copy, changed in place. */
function prepared(model: Model): Model {
  prepareGraph(model);
  return model;
}

const executors: [string, RunnerFactory][] = [['onnxruntime', runnerFactory()], ['reference executor', runnerFactory({ prefer: 'reference' })]];

describe('calibration exposes one value per same-bytes chain, with byte-identical statistics', () => {
  for (const [label, inner] of executors) {
    it(`${label}: Conv → Relu → MaxPool → Reshape exposes the Relu and MaxPool outputs only`, async () => {
      const model = convPoolReshape();
      const data = Array.from({ length: 20 }, (_, i) => ({ x: f32([1, 1, 6, 6], 100 + i) }));
      const rec = recording(inner);
      const result = await quantize(model, data, rec.factory);
      const plan = result.plan;
      // Relu folds into the Conv output; MaxPool and Reshape outputs share its tie group; Reshape is read via MaxPool.
      expect(plan.tensors.c).toBeUndefined();
      expect(plan.tensors.p!.tieGroup).toBe('r');
      expect(plan.tensors.rs!.tieGroup).toBe('r');
      expect(rec.exposed).toEqual([['p', 'r']]);
      const stats = JSON.stringify(result.stats!.statistics);
      expect(stats).toBe(await exposeEverything(prepared(convPoolReshape()), plan, data, inner));
      // Same bytes as MaxPool's output, so the same state; MaxPool drops elements, so its state differs from Relu's.
      expect(result.stats!.statistics.states.rs).toEqual({ ...result.stats!.statistics.states.p, tensor: 'rs' });
      expect(result.stats!.statistics.states.p!.count).toBeLessThan(result.stats!.statistics.states.r!.count);
    });
  }

  it('Fashion-MNIST CNN on onnxruntime: Flatten is no longer exposed, statistics unchanged (batched run vs expose-all per sample)', async () => {
    const model = await loadModel(FASHION);
    const all = readNpy(readFileSync(CALIB));
    const data = Array.from({ length: 40 }, (_, i) => ({ input: tensor('float32', [1, 1, 28, 28], (all.data as Float32Array).slice(i * 784, (i + 1) * 784)) }));
    const rec = recording(runnerFactory());
    const result = await quantize(model, data, rec.factory);
    const flatten = model.graph.nodes.find((n) => n.opType === 'Flatten' || n.opType === 'Reshape')!;
    const flat = flatten.outputs[0]!;
    expect(result.plan.tensors[flat]!.stats).not.toBeNull();
    expect(rec.exposed[0]).not.toContain(flat);
    expect(rec.exposed[0]).toContain(flatten.inputs[0]);
    expect(JSON.stringify(result.stats!.statistics)).toBe(await exposeEverything(prepared(await loadModel(FASHION)), result.plan, data, runnerFactory()));
  });
});
