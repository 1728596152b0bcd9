import { Value } from '@sinclair/typebox/value';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '../../src/ir/tensor.js';
import { quantforge, QuantizeReportSchema, type PipelineServices } from '../../src/pipeline/index.js';
import type { ExportInput } from '../../src/pipeline/services.js';
import type { ProgressEvent } from '../../src/progress.js';
import { deserializeEncoding } from '../../src/quant/encoding-json.js';
import { validatePlan } from '../../src/quant/plan.js';
import { seeded } from '../passes/helpers.js';
import { fakeQuantExporter, jsRunners, runModel } from './doubles.js';
import { affineFixture, feeds, mlp, tiedNet, type AffineFixture } from './models.js';

let fx: AffineFixture;
beforeAll(async () => {
  fx = await affineFixture();
});

function services(): { services: PipelineServices; runners: ReturnType<typeof jsRunners>; exports: ExportInput[] } {
  const runners = jsRunners();
  const exports: ExportInput[] = [];
  return { services: { createRunner: runners.factory, exporter: fakeQuantExporter(exports) }, runners, exports };
}

async function failure(p: Promise<unknown> | (() => unknown)): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected a failure');
}

/** Labels = the float model's argmax per row, so float accuracy is 1 by construction. */
function labelsFor(data: ReturnType<typeof feeds>): number[] {
  const m = mlp();
  return data.flatMap((f) => {
    const y = runModel(m, f, []).y!.data as Float32Array;
    return [0, 1].map((r) => [0, 1, 2].reduce((best, c) => (y[r * 3 + c]! > y[r * 3 + best]! ? c : best), 0));
  });
}

describe('pipeline: static end to end (in-process scheme)', () => {
  it('calibrates, quantizes, exports, evaluates and reports', async () => {
    const { services: s, runners, exports } = services();
    const events: ProgressEvent[] = [];
    const held = feeds(4, 500);
    const result = await quantforge(mlp(), s)
      .use(fx.affine8LocalPlugin)
      .calibrate(feeds(6), { samples: 5 })
      .evaluate(held, { labels: labelsFor(held) })
      .run({ onProgress: (e) => events.push(e), seed: 3, loadMs: 12, modelBytes: 1000, measure: () => 400 });

    expect(validatePlan(result.plan)).toBe(result.plan);
    expect(Object.keys(result.encodings)).toEqual(Object.keys(result.plan.tensors));
    expect(result.plan.tensors.c2).toMatchObject({ role: 'bias', dependsOn: { input: 'r', weight: 'w2' } });
    expect(result.encodings.c2!.codes?.dtype).toBe('int32');
    expect(result.encodings.w2!.encoding).toMatchObject({ kind: 'affine', axis: 0, bits: 8 });
    expect(result.stats?.samples).toBe(5);
    expect(result.stats?.ranges.x).toMatchObject({ observer: 'minmax' });

    // One calibration runner exposing the planned activations that are neither graph inputs nor outputs.
    expect(runners.created.map((c) => c.purpose)).toEqual(['calibrate', 'evaluate', 'evaluate']);
    expect([...runners.created[0]!.exposeOutputs].sort()).toEqual(['a', 'h', 'r']);
    expect(runners.closed).toBe(3);
    expect(exports[0]!.mode).toBe('static');

    const r = result.report;
    expect(Value.Check(QuantizeReportSchema, JSON.parse(JSON.stringify(r)))).toBe(true);
    expect(r.timingsMs.load).toBe(12);
    expect(r.timingsMs.total).toBeGreaterThanOrEqual(12);
    expect(r.model).toMatchObject({ bytesBefore: 1000, bytesAfter: 400, compression: 2.5, nodes: 4 });
    expect(r.weights.find((w) => w.tensor === 'w1')!.sqnrDb).toBeGreaterThan(30);
    expect(r.activations.find((a) => a.tensor === 'r')!.sqnrDb).toBeGreaterThan(20);
    expect(r.evaluation!.sqnrDb).toBeGreaterThan(20);
    expect(r.evaluation!.cosine).toBeGreaterThan(0.99);
    expect(r.evaluation!.accuracy).toMatchObject({ float: 1, rows: 8 });
    expect(r.executors).toEqual({
      calibrate: 'js-test-runner (purpose=calibrate)', evaluateFloat: 'js-test-runner (purpose=evaluate)', evaluateQuantized: 'js-test-runner (purpose=evaluate)',
    });
    expect(r.warnings).toEqual(['scheme "affine8" has no worker module (plugin.workerUrl); it ran on the main thread']);

    const stages = (stage: string) => events.filter((e) => e.stage === stage);
    expect(stages('calibrate').map((e) => e.done)).toEqual([1, 2, 3, 4, 5]);
    expect(stages('calibrate').every((e) => e.total === 5)).toBe(true);
    expect(stages('quantize').map((e) => e.done)).toEqual([1, 2, 3, 4]);
    expect(stages('quantize').at(-1)).toMatchObject({ total: 4 });
    expect(stages('evaluate').map((e) => e.done)).toEqual([1, 2, 3, 4]);
  });

  it('gives a tie group one merged range and encoding', async () => {
    const result = await quantforge(tiedNet(), services().services).use(fx.affine8LocalPlugin).calibrate(feeds(4)).evaluate(feeds(4)).run(); // in-range data: no clipping
    expect(result.plan.tensors.h).toBeUndefined();
    expect([result.plan.tensors.r!.tieGroup, result.plan.tensors.rs!.tieGroup]).toEqual(['r', 'r']);
    expect(result.encodings.rs!.encoding).toEqual(result.encodings.r!.encoding);
    expect(result.stats!.ranges.rs).toEqual(result.stats!.ranges.r);
    expect(result.report.evaluation!.sqnrDb).toBeGreaterThan(20);
  });

  it('serializes the result and leaves the user model untouched', async () => {
    const m = mlp();
    const before = JSON.stringify({ nodes: m.graph.nodes, w1: Array.from(m.graph.initializers.get('w1')!.tensor.data as Float32Array) });
    const result = await quantforge(m, services().services).use(fx.affine8LocalPlugin).calibrate(feeds(3)).run();
    expect(JSON.stringify({ nodes: m.graph.nodes, w1: Array.from(m.graph.initializers.get('w1')!.tensor.data as Float32Array) })).toBe(before);
    const json = JSON.parse(JSON.stringify(result)) as ReturnType<typeof result.toJSON>;
    expect(Object.keys(json).sort()).toEqual(['encodings', 'plan', 'report', 'stats', 'valueMap']);
    for (const [name, e] of Object.entries(json.encodings)) expect(deserializeEncoding(e.encoding)).toEqual(result.encodings[name]!.encoding);
    expect(json.stats!.statistics.samples).toBe(3);
  });

  it('uses the recipe calibrator, formats and seed, and calibrate() options override the recipe', async () => {
    const { services: s, exports } = services();
    await quantforge(mlp(), s)
      .use([fx.affine8LocalPlugin, { symmetricActivations: true }])
      .recipe({ scheme: 'affine8', mode: 'static', weights: { bits: 6, granularity: 'per-tensor' }, calibration: { calibrator: 'mse' } })
      .calibrate(feeds(3), { calibrator: 'percentile' })
      .run();
    const plan = exports[0]!.plan;
    expect(plan.tensors.w1).toMatchObject({ bits: 6, granularity: 'per-tensor' });
    expect(plan.tensors.x!.stats).toMatchObject({ observer: 'percentile', finalize: { symmetric: true } });
  });

  it('dynamic mode needs no calibration data and encodes only weights', async () => {
    const { services: s, runners, exports } = services();
    const result = await quantforge(mlp(), s).use(fx.affine8LocalPlugin).recipe({ scheme: 'affine8', mode: 'dynamic' }).run();
    expect(runners.created).toEqual([]);
    expect(result.stats).toBeNull();
    expect(Object.keys(result.encodings).sort()).toEqual(['w1', 'w2']); // Add's constant stays float: only compute ops
    expect(result.plan.tensors.x).toMatchObject({ role: 'activation', stats: null });
    expect(exports[0]!.mode).toBe('dynamic');
    expect(result.report.calibration).toBeNull();
  });
});

describe('pipeline: composition and freezing', () => {
  it('validates scheme options when they are added', async () => {
    const p = quantforge(mlp(), services().services);
    expect((await failure(() => p.use({ plugin: fx.affine8LocalPlugin, scheme: 'affine8', options: { narrowRange: 3 } }))).code).toBe('QF_OPTIONS_INVALID');
    expect((await failure(() => p.use({ plugin: fx.affine8LocalPlugin, scheme: 'other' }))).code).toBe('QF_PLUGIN_UNKNOWN');
    expect((await failure(() => p.recipe({ scheme: 'affine8' }))).code).toBe('QF_RECIPE_INVALID');
  });

  it('accepts presets and falsy entries, and merges options of a reused scheme', async () => {
    const { services: s, exports } = services();
    await quantforge(mlp(), s)
      .use({ name: 'sym', plugins: [fx.affine8LocalPlugin, false, null], recipe: { scheme: 'affine8', mode: 'weight-only' } })
      .use({ plugin: fx.affine8LocalPlugin, scheme: 'affine8', options: { narrowRange: false } })
      .run();
    expect(exports[0]!.mode).toBe('weight-only');
    expect(exports[0]!.plan.tensors.w1!.options).toEqual({ symmetricActivations: false, narrowRange: false });
  });

  it('freezes on the first run', async () => {
    const p = quantforge(mlp(), services().services).use(fx.affine8LocalPlugin).calibrate(feeds(2));
    await p.run();
    expect(p.frozen).toBe(true);
    for (const change of [() => p.use(fx.affine8LocalPlugin), () => p.recipe({ scheme: 'affine8', mode: 'static' }), () => p.calibrate(feeds(1)), () => p.evaluate(feeds(1))]) {
      expect((await failure(change)).code).toBe('QF_PIPELINE_FROZEN');
    }
  });

  it('fails without a scheme, or with several and no recipe', async () => {
    expect((await failure(quantforge(mlp(), services().services).run())).code).toBe('QF_PIPELINE_INVALID');
  });
});

describe('pipeline: data and weight errors', () => {
  const run = (data: unknown[], model = mlp()) => quantforge(model, services().services).use(fx.affine8LocalPlugin).calibrate(data as never).run();

  it('QF_DATA_MISSING for no data, an empty source, or a feed without an input', async () => {
    expect((await failure(quantforge(mlp(), services().services).use(fx.affine8LocalPlugin).run())).code).toBe('QF_DATA_MISSING');
    expect((await failure(run([]))).code).toBe('QF_DATA_MISSING');
    const e = await failure(run([{ y: tensor('float32', [2, 4]) }]));
    expect(e.code).toBe('QF_DATA_MISSING');
    expect(e.details.input).toBe('x');
  });

  it('QF_DATA_MISMATCH naming the input for a wrong dtype, shape or name; symbolic dims match any size', async () => {
    const wrongType = await failure(run([{ x: tensor('int32', [2, 4]) }]));
    expect([wrongType.code, wrongType.details.input]).toEqual(['QF_DATA_MISMATCH', 'x']);
    const wrongShape = await failure(run([{ x: tensor('float32', [2, 5]) }]));
    expect([wrongShape.code, wrongShape.details.input]).toEqual(['QF_DATA_MISMATCH', 'x']);
    const extra = await failure(run([{ x: tensor('float32', [2, 4]), z: tensor('float32', [1]) }]));
    expect([extra.code, extra.details.input]).toEqual(['QF_DATA_MISMATCH', 'z']);
    const ok = await run([{ x: tensor('float32', [5, 4], seeded(20)) }]);
    expect(ok.stats?.samples).toBe(1);
  });

  it('QF_NAN_WEIGHTS naming the tensor', async () => {
    const w = seeded(32, 7);
    w[9] = Number.NaN;
    const e = await failure(run(feeds(2), mlp(w)));
    expect(e.code).toBe('QF_NAN_WEIGHTS');
    expect(e.details.tensor).toBe('w1');
    expect(e.message).toContain('w1');
  });
});

describe('pipeline: export and evaluation checks', () => {
  it('refuses encodings the exporter cannot write before calling it', async () => {
    const exports: ExportInput[] = [];
    const exporter = { ...fakeQuantExporter(exports), kinds: ['log' as const] };
    const e = await failure(quantforge(mlp(), { createRunner: jsRunners().factory, exporter }).use(fx.affine8LocalPlugin).calibrate(feeds(2)).run());
    expect(e.code).toBe('QF_ENCODING_UNSUPPORTED');
    expect(exports).toEqual([]);
  });

  it('QF_DATA_MISMATCH when labels do not cover every prediction; synthetic data is a warning', async () => {
    const base = () => quantforge(mlp(), services().services).use(fx.affine8LocalPlugin).calibrate(feeds(2), { synthetic: true });
    expect((await failure(base().evaluate(feeds(2), { labels: [0, 1, 2] }).run())).code).toBe('QF_DATA_MISMATCH');
    const ok = await base().evaluate(feeds(2)).run();
    expect(ok.report.warnings).toContain('calibration used synthetic samples: activation ranges may not match real inputs');
    expect(ok.report.evaluation!.accuracy).toBeNull();
    expect((await failure(() => base().evaluate(feeds(1), { labels: [0.5] }))).code).toBe('QF_INVALID_ARGUMENT');
  });
});

