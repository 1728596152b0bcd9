// The calibration runner exposes one value per same-bytes chain (Reshape/Flatten/… read through their origin), and
// min/max activations are finalized in-process; statistics and encodings must stay byte-identical to exposing every
// calibrated tensor and observing each one from its own buffer.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../src/ir/graph.js';
import { tensor } from '../../src/ir/tensor.js';
import { prepareGraph } from '../../src/passes/prepare-graph.js';
import { quantforge, type CalibrateOptions } from '../../src/pipeline/index.js';
import { planQuantization, type PlannerSchemes } from '../../src/pipeline/plan/index.js';
import { serializeEncodings } from '../../src/pipeline/result.js';
import type { Feed } from '../../src/pipeline/services.js';
import { calibrationExposure } from '../../src/pipeline/stages/calibrate-exposure.js';
import { collectStatistics, encodeActivations } from '../../src/pipeline/stages/calibrate.js';
import { SchemeTasks, type ActiveScheme } from '../../src/pipeline/stages/scheme-tasks.js';
import { createCalibrator, serializeCalibrationStats } from '../../src/quant/calibrator.js';
import type { QuantPlan } from '../../src/quant/plan.js';
import type { WorkerPool } from '../../src/workers/pool.js';
import { attr, f32, graph, i64, model, node, seeded } from '../passes/helpers.js';
import { fakeQuantExporter, jsRunners, runModel } from './doubles.js';
import { affineFixture, tiedNet, type AffineFixture } from './models.js';

let fx: AffineFixture;
beforeAll(async () => {
  fx = await affineFixture();
});

/** x[N,1,4,4] → Conv → Relu → MaxPool → Reshape [-1, 8] → Flatten → Gemm → y. */
function convPoolNet(): Model {
  return model(graph({
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1])], 'conv'),
      node('Relu', ['c'], ['r'], [], 'relu'),
      node('MaxPool', ['r'], ['p'], [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])], 'pool'),
      node('Reshape', ['p', 'shape'], ['rs'], [], 'reshape'),
      node('Flatten', ['rs'], ['fl'], [attr.int('axis', 1)], 'flatten'),
      node('Gemm', ['fl', 'w2', 'c2'], ['y'], [attr.int('transB', 1)], 'gemm'),
    ],
    inputs: [['x', 'float32', ['N', 1, 4, 4]]],
    outputs: [['y', 'float32', ['N', 3]]],
    initializers: {
      w: f32([2, 1, 3, 3], seeded(18, 2)), b: f32([2], [0.1, -0.1]), shape: i64([2], [-1, 8]),
      w2: f32([3, 8], seeded(24, 4)), c2: f32([3], [0, 0.1, 0.2]),
    },
  }), 13);
}

function affinePlan(m: Model): QuantPlan {
  const schemes = { affine8: { definition: fx.affine8, options: { symmetricActivations: false, narrowRange: true } } } as unknown as PlannerSchemes;
  return planQuantization(m, { scheme: 'affine8', mode: 'static' }, schemes);
}

describe('calibrationExposure', () => {
  it('Conv → Relu → MaxPool → Reshape → Flatten: Reshape and Flatten are read through MaxPool, MaxPool stays exposed', () => {
    const m = convPoolNet();
    const plan = affinePlan(m);
    const tensors = createCalibrator(plan).tensors;
    // Relu folds into Conv (c is not planned); MaxPool, Reshape and Flatten outputs are tied to r; y is a graph output.
    expect([...tensors].sort()).toEqual(['fl', 'p', 'r', 'rs', 'x', 'y']);
    expect(new Set(['r', 'p', 'rs', 'fl'].map((t) => plan.tensors[t]!.tieGroup)).size).toBe(1);
    const e = calibrationExposure(m, tensors);
    expect([...e.exposed].sort()).toEqual(['p', 'r']);
    expect(e.source.get('rs')).toBe('p');
    expect(e.source.get('fl')).toBe('p');
    expect(e.source.get('p')).toBe('p');
    expect(e.source.get('x')).toBe('x');
    expect([...e.fetched].sort()).toEqual(['p', 'r', 'x', 'y']);
  });

  it('walks through values nobody calibrates, and stops at graph inputs and outputs', () => {
    const m = model(graph({
      nodes: [
        node('Reshape', ['x', 's'], ['a'], [], 'r1'),
        node('Identity', ['a'], ['b'], [], 'id'),
        node('Squeeze', ['b'], ['c'], [], 'sq'),
        node('Unsqueeze', ['c', 'ax'], ['y'], [], 'unsq'),
        node('Relu', ['y'], ['z'], [], 'relu'),
      ],
      inputs: [['x', 'float32', [1, 4]]],
      outputs: [['y', 'float32', [1, 4]], ['z', 'float32', [1, 4]]],
      initializers: { s: i64([2], [1, 4]), ax: i64([1], [0]) },
    }), 13);
    // c's chain reaches the graph input x through a and b, which are not calibrated.
    const e = calibrationExposure(m, ['c', 'y', 'z']);
    expect(e.source.get('c')).toBe('x');
    expect(e.source.get('y')).toBe('x');
    expect(e.source.get('z')).toBe('z');
    // Inputs come from the feed and outputs are returned anyway: nothing to expose.
    expect(e.exposed).toEqual([]);
    expect(calibrationExposure(m, ['b']).exposed).toEqual([]);
  });
});

/** Every calibrated tensor exposed and observed from its own buffer, one sample per run: calibration as it was. */
async function exposeEverything(m: Model, plan: QuantPlan, data: Feed[]): Promise<string> {
  const cal = createCalibrator(plan);
  const stats = cal.init();
  const ins = new Set(m.graph.inputs.map((i) => i.name));
  const expose = cal.tensors.filter((t) => !ins.has(t));
  for (const feed of data) {
    const out = runModel(m, feed, expose);
    for (const t of cal.tensors) {
      const v = feed[t] ?? out[t]!;
      cal.observe(stats, t, v.data as Float32Array, v.dims);
    }
    cal.addSamples(stats, 1);
  }
  return JSON.stringify(serializeCalibrationStats(stats));
}

function rows(count: number): Feed[] {
  return Array.from({ length: count }, (_, i) => ({ x: tensor('float32', [1, 4], seeded(4, 300 + i).map((v) => v * (1 + (i % 5)))) }));
}

describe('reduced exposure keeps statistics byte-identical', () => {
  const cases: [string, CalibrateOptions][] = [
    ['minmax', { calibrator: 'minmax' }],
    ['entropy', { calibrator: 'entropy', options: { bins: 512 } }],
    ['percentile', { calibrator: 'percentile', options: { percentile: 99.9, bins: 256 } }],
  ];
  for (const [name, calOptions] of cases) {
    for (const batch of [1, 16]) {
      it(`${name}, batch ${batch}: the Reshape output is read through the Relu output with the same bytes`, async () => {
        const data = rows(21);
        const plan = (await quantforge(tiedNet(), { createRunner: jsRunners().factory, exporter: fakeQuantExporter() })
          .use(fx.affine8LocalPlugin).calibrate(data, calOptions).run()).plan;
        const m = tiedNet();
        prepareGraph(m);
        const runners = jsRunners();
        const { stats } = await collectStatistics({ model: m, plan, data, samples: undefined, createRunner: runners.factory, onProgress: undefined, batch });
        expect(runners.created.map((c) => c.exposeOutputs)).toEqual([['r']]);
        expect(plan.tensors.rs!.stats).not.toBeNull();
        expect(JSON.stringify(serializeCalibrationStats(stats))).toBe(await exposeEverything(m, plan, data));
      });
    }
  }
});

/** A pool double that answers through the in-process adapter and counts what reaches it. */
function countingPool(fxScheme: AffineFixture['affine8']): { pool: WorkerPool; runs: string[] } {
  const local = new SchemeTasks(undefined);
  const runs: string[] = [];
  const scheme: ActiveScheme = { name: 'affine8', plugin: fx.affine8LocalPlugin, definition: fxScheme as never, options: {} };
  const pool = {
    size: 1,
    async run(task: { export: string; options: never }) {
      runs.push(task.export);
      return { value: await local.encodeActivation(scheme, task.options), tensors: {} };
    },
    async destroy() {},
  } as unknown as WorkerPool;
  return { pool, runs };
}

describe('activation encodings', () => {
  for (const [name, calOptions, onPool] of [['minmax', { calibrator: 'minmax' }, false], ['entropy', { calibrator: 'entropy', options: { bins: 512 } }, true]] as const) {
    it(`${name}: ${onPool ? 'finalized on the pool' : 'finalized in-process'}, same bytes either way`, async () => {
      const data = rows(9);
      const plan = (await quantforge(tiedNet(), { createRunner: jsRunners().factory, exporter: fakeQuantExporter() })
        .use(fx.affine8LocalPlugin).calibrate(data, calOptions as CalibrateOptions).run()).plan;
      const m = tiedNet();
      prepareGraph(m);
      const { stats } = await collectStatistics({ model: m, plan, data, samples: undefined, createRunner: jsRunners().factory, onProgress: undefined });
      const schemes = new Map<string, ActiveScheme>([['affine8', { name: 'affine8', plugin: fx.affine8Plugin, definition: fx.affine8 as never, options: {}, workerUrl: 'file:///unused-worker.mjs' }]]);
      const { pool, runs } = countingPool(fx.affine8);
      const viaPool = await encodeActivations(plan, stats, schemes, new SchemeTasks(pool), 5);
      const inProcess = await encodeActivations(plan, stats, schemes, new SchemeTasks(undefined), 5);
      const groups = new Set(Object.values(plan.tensors).filter((e) => e.stats !== null).map((e) => e.tieGroup ?? e.tensor)).size;
      expect(runs.length).toBe(onPool ? groups : 0);
      expect(JSON.stringify(serializeEncodings(viaPool.encodings))).toBe(JSON.stringify(serializeEncodings(inProcess.encodings)));
      expect(JSON.stringify(viaPool.ranges)).toBe(JSON.stringify(inProcess.ranges));
    });
  }
});
