import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './helpers.js';

const FMNIST = join(REPO, 'examples/fashion-mnist');
const MODEL = join(FMNIST, 'model/model.onnx');
const CALIB = join(FMNIST, 'data/calib');
const EVAL = join(FMNIST, 'data/eval');
const LABELS = join(FMNIST, 'data/eval/labels.npy');

interface Evaluation {
  samples: number;
  sqnrDb: number | null;
  cosine: number;
  argmaxAgreement: number;
  accuracy: { float: number; quantized: number; rows: number } | null;
}

describe('quantforge eval', () => {
  const tmp = tempDir();
  const quant = join(tmp.dir, 'q.onnx');
  let fromQuantize: Evaluation;
  afterAll(() => tmp.cleanup());
  beforeAll(async () => {
    const r = await runCli(['quantize', MODEL, '-o', quant, '--calib', CALIB, '--calib-samples', '64', '--eval', EVAL, '--labels', LABELS, '--eval-samples', '300', '--json']);
    expect(r.code).toBe(0);
    fromQuantize = (JSON.parse(r.out) as { evaluation: Evaluation }).evaluation;
  });

  it('--json gives the same metrics the quantize run measured on the same samples', async () => {
    const r = await runCli(['eval', MODEL, quant, '--data', EVAL, '--labels', LABELS, '--samples', '300', '--json']);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.out) as { schemaVersion: number; evaluation: Evaluation; executors: { float: string; quantized: string } };
    expect(c.schemaVersion).toBe(1);
    expect(c.evaluation.samples).toBe(300);
    expect(c.evaluation.accuracy).toEqual(fromQuantize.accuracy);
    expect(c.evaluation.argmaxAgreement).toBe(fromQuantize.argmaxAgreement);
    expect(c.evaluation.sqnrDb).toBeCloseTo(fromQuantize.sqnrDb!, 6);
    expect(c.evaluation.cosine).toBeGreaterThan(0.999);
    expect(c.executors.quantized).toMatch(/^onnxruntime-node \S+ \(graphOptimizationLevel=(disabled|basic)/);
  });

  it('prints top-1 of both models, agreement, SQNR, cosine and the executor', async () => {
    const r = await runCli(['eval', MODEL, quant, '--data', EVAL, '--labels', LABELS, '--samples', '100']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^top-1 +float \d+\.\d\d %   quantized \d+\.\d\d %/m);
    expect(r.out).toMatch(/^agreement +\d+\.\d\d % argmax agreement over 100 samples/m);
    expect(r.out).toMatch(/^output SQNR +\d+\.\d\d dB   cosine 0\.\d+/m);
    expect(r.out).toMatch(/^executor +float: onnxruntime-node .*graphOptimizationLevel=(disabled|basic)/m);
  });

  it('a model against itself: identical outputs, infinite SQNR shown as such, full agreement', async () => {
    const r = await runCli(['eval', MODEL, MODEL, '--data', EVAL, '--samples', '20', '--json']);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.out) as { evaluation: Evaluation };
    expect(c.evaluation.sqnrDb).toBeNull();
    expect(c.evaluation.argmaxAgreement).toBe(1);
    expect(c.evaluation.accuracy).toBeNull();
  });

  it('needs --data; a missing model file is QF_IO', async () => {
    const usage = await runCli(['eval', MODEL, quant]);
    expect(usage.code).toBe(1);
    expect(usage.err).toMatch(/^error QF_CLI_USAGE: missing flag --data/);
    const missing = await runCli(['eval', MODEL, join(tmp.dir, 'nope.onnx'), '--data', EVAL]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^error QF_IO: /);
  });
});
