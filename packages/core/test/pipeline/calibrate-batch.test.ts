// Batched calibration (samples stacked on axis 0, one runner call per group) must give the same statistics and
// encodings, byte for byte, as one runner call per sample.
import { beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '../../src/ir/tensor.js';
import { prepareGraph } from '../../src/passes/prepare-graph.js';
import { quantforge, type CalibrateOptions } from '../../src/pipeline/index.js';
import type { Feed, RunnerFactory } from '../../src/pipeline/services.js';
import { serializeEncodings } from '../../src/pipeline/result.js';
import { collectStatistics, encodeActivations } from '../../src/pipeline/stages/calibrate.js';
import { concatFeeds } from '../../src/pipeline/stages/data.js';
import { SchemeTasks, type ActiveScheme } from '../../src/pipeline/stages/scheme-tasks.js';
import type { ProgressEvent } from '../../src/progress.js';
import { serializeCalibrationStats } from '../../src/quant/calibrator.js';
import type { QuantPlan } from '../../src/quant/plan.js';
import { seeded } from '../passes/helpers.js';
import { fakeQuantExporter, jsRunners } from './doubles.js';
import { affineFixture, feeds, mlp, type AffineFixture } from './models.js';

let fx: AffineFixture;
beforeAll(async () => {
  fx = await affineFixture();
});

/** `count` single-sample feeds x[1,4], with a spread of magnitudes so the histograms see many bins. */
function rows(count: number, seed = 40): Feed[] {
  return Array.from({ length: count }, (_, i) => ({ x: tensor('float32', [1, 4], seeded(4, seed + i).map((v) => v * (1 + (i % 7)))) }));
}

/** The JS runner double, recording dim 0 of every feed it runs. */
function countingRunners(): { factory: RunnerFactory; batches: number[] } {
  const inner = jsRunners();
  const batches: number[] = [];
  const factory: RunnerFactory = async (model, options) => {
    const r = await inner.factory(model, options);
    return { description: r.description, close: () => r.close(), run: (feed) => {
      batches.push(feed.x!.dims[0]!);
      return r.run(feed);
    } };
  };
  return { factory, batches };
}

async function planFor(cal: CalibrateOptions, data: Feed[]): Promise<QuantPlan> {
  const result = await quantforge(mlp(), { createRunner: jsRunners().factory, exporter: fakeQuantExporter() })
    .use(fx.affine8LocalPlugin).calibrate(data, cal).run();
  return result.plan;
}

async function calibrate(plan: QuantPlan, data: Feed[], batch: number | undefined) {
  const model = mlp();
  prepareGraph(model);
  const runners = countingRunners();
  const events: ProgressEvent[] = [];
  const { stats } = await collectStatistics({
    model, plan, data, samples: undefined, createRunner: runners.factory, onProgress: (e) => events.push(e), ...(batch === undefined ? {} : { batch }),
  });
  const schemes = new Map<string, ActiveScheme>();
  for (const e of Object.values(plan.tensors)) schemes.set(e.scheme, { name: e.scheme, plugin: fx.affine8LocalPlugin, definition: fx.affine8 as never, options: {} });
  const { encodings, ranges } = await encodeActivations(plan, stats, schemes, new SchemeTasks(undefined), 3);
  return {
    stats: JSON.stringify(serializeCalibrationStats(stats)),
    encodings: JSON.stringify(serializeEncodings(encodings)),
    ranges: JSON.stringify(ranges),
    samples: stats.samples,
    batches: runners.batches,
    events: events.map((e) => [e.stage, e.done, e.total]),
  };
}

describe('calibration batching', () => {
  const cases: [string, CalibrateOptions][] = [
    ['minmax', { calibrator: 'minmax' }],
    ['percentile', { calibrator: 'percentile', options: { percentile: 99.9, bins: 256 } }],
    ['entropy', { calibrator: 'entropy', options: { bins: 512 } }],
    ['mse', { calibrator: 'mse', options: { bins: 256 } }],
  ];
  for (const [name, cal] of cases) {
    it(`${name}: batch 16 gives byte-identical statistics and encodings to batch 1`, async () => {
      const data = rows(37);
      const plan = await planFor(cal, data);
      const one = await calibrate(plan, data, 1);
      const sixteen = await calibrate(plan, data, 16);
      const byDefault = await calibrate(plan, data, undefined);
      expect(one.batches).toEqual(Array(37).fill(1));
      expect(sixteen.batches).toEqual([16, 16, 5]);
      expect(byDefault.batches).toEqual([16, 16, 5]);
      expect(sixteen.samples).toBe(37);
      expect(sixteen.stats).toBe(one.stats);
      expect(sixteen.encodings).toBe(one.encodings);
      expect(sixteen.ranges).toBe(one.ranges);
      expect(byDefault.stats).toBe(one.stats);
      // Progress stays per sample.
      expect(sixteen.events).toEqual(one.events);
      expect(sixteen.events).toEqual(Array.from({ length: 37 }, (_, i) => ['calibrate', i + 1, 37]));
    });
  }

  it('min/max with momentum always runs one sample at a time', async () => {
    const data = rows(20);
    const plan = await planFor({ calibrator: 'minmax', options: { momentum: 0.1 } }, data);
    const one = await calibrate(plan, data, 1);
    const sixteen = await calibrate(plan, data, 16);
    expect(sixteen.batches).toEqual(Array(20).fill(1));
    expect(sixteen.stats).toBe(one.stats);
  });

  it('feeds whose dim 0 is not 1 are not stacked', async () => {
    const data = feeds(5);
    const plan = await planFor({ calibrator: 'minmax' }, data);
    const sixteen = await calibrate(plan, data, 16);
    expect(sixteen.batches).toEqual([2, 2, 2, 2, 2]);
    expect(sixteen.samples).toBe(5);
  });

  it('a model with a fixed batch dim runs one sample at a time', async () => {
    const data = rows(4);
    const plan = await planFor({ calibrator: 'minmax' }, data);
    const model = mlp();
    model.graph.inputs[0]!.type = { kind: 'tensor', elemType: 'float32', shape: [1, 4] } as never;
    prepareGraph(model);
    const runners = countingRunners();
    const { stats } = await collectStatistics({ model, plan, data, samples: undefined, createRunner: runners.factory, onProgress: undefined, batch: 16 });
    expect(runners.batches).toEqual([1, 1, 1, 1]);
    expect(stats.samples).toBe(4);
  });

  it('concatFeeds stacks along axis 0', () => {
    const a = tensor('float32', [1, 2], new Float32Array([1, 2]));
    const b = tensor('float32', [1, 2], new Float32Array([3, 4]));
    const c = concatFeeds([{ x: a }, { x: b }]).x!;
    expect(c.dims).toEqual([2, 2]);
    expect([...(c.data as Float32Array)]).toEqual([1, 2, 3, 4]);
    expect(c.data).toBeInstanceOf(Float32Array);
  });
});
