import { afterEach, beforeAll, describe, expect, it } from 'vitest';
// Worker threads run built JavaScript, so the pipeline comes from dist (as in the pool tests).
import { IN_PROCESS_WEIGHT_ELEMENTS, quantforge, WORKERS_ENV, type PipelineServices } from '../../dist/index.js';
import { f32, graph, model, node, seeded } from '../passes/helpers.js';
import { fakeQuantExporter, jsRunners } from './doubles.js';
import { affineFixture, feeds, mlp, type AffineFixture } from './models.js';

// Whether a run starts worker threads is observable through a scheme whose worker module cannot load: on the pool the
// run fails with QF_PLUGIN_LOAD, in-process it succeeds.
let fx: AffineFixture;
beforeAll(async () => {
  fx = await affineFixture();
});
const savedEnv = process.env[WORKERS_ENV];
afterEach(() => {
  if (savedEnv === undefined) delete process.env[WORKERS_ENV];
  else process.env[WORKERS_ENV] = savedEnv;
});

function services(): PipelineServices {
  return { createRunner: jsRunners().factory, exporter: fakeQuantExporter([]) };
}

function brokenWorkerPlugin(): AffineFixture['affine8Plugin'] {
  return { ...fx.affine8Plugin, workerUrl: new URL('../fixtures/no-such-worker.mjs', import.meta.url).href };
}

async function outcome(run: Promise<unknown>): Promise<string> {
  return run.then(() => 'ok', (e: { code?: string }) => e.code ?? 'no code');
}

describe('pipeline: in-process or worker threads', () => {
  it('a small run that was given no worker count does its scheme work in-process', async () => {
    delete process.env[WORKERS_ENV];
    expect(await outcome(quantforge(mlp(), services()).use(brokenWorkerPlugin()).calibrate(feeds(4)).run({ seed: 1 }))).toBe('ok');
  });

  it('a worker count from the run, the recipe or the environment sends it to the pool', async () => {
    delete process.env[WORKERS_ENV];
    expect(await outcome(quantforge(mlp(), services()).use(brokenWorkerPlugin()).calibrate(feeds(4)).run({ seed: 1, workers: 1 }))).toBe('QF_PLUGIN_LOAD');
    expect(await outcome(quantforge(mlp(), services()).use(brokenWorkerPlugin()).recipe({ scheme: 'affine8', mode: 'static', workers: 1 }).calibrate(feeds(4)).run({ seed: 1 }))).toBe('QF_PLUGIN_LOAD');
    process.env[WORKERS_ENV] = '1';
    expect(await outcome(quantforge(mlp(), services()).use(brokenWorkerPlugin()).calibrate(feeds(4)).run({ seed: 1 }))).toBe('QF_PLUGIN_LOAD');
  });

  it('a model with many weights uses the pool without being told', async () => {
    delete process.env[WORKERS_ENV];
    const n = IN_PROCESS_WEIGHT_ELEMENTS / 4;
    const big = model(graph({
      nodes: [node('MatMul', ['x', 'w'], ['y'], [], 'mm')],
      inputs: [['x', 'float32', ['batch', 4]]],
      outputs: [['y', 'float32', ['batch', n]]],
      initializers: { w: f32([4, n], seeded(4 * n, 7)) },
    }), 13);
    expect(await outcome(quantforge(big, services()).use(brokenWorkerPlugin()).calibrate(feeds(2)).run({ seed: 1 }))).toBe('QF_PLUGIN_LOAD');
  });

  it('gives the same encodings in-process and on the pool', async () => {
    delete process.env[WORKERS_ENV];
    const local = await quantforge(mlp(), services()).use(fx.affine8Plugin).calibrate(feeds(4)).run({ seed: 1 });
    const pooled = await quantforge(mlp(), services()).use(fx.affine8Plugin).calibrate(feeds(4)).run({ seed: 1, workers: 2 });
    expect(JSON.stringify(local.toJSON().encodings)).toBe(JSON.stringify(pooled.toJSON().encodings));
  });
});
