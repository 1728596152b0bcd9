import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './helpers.js';

// In-process runs of `quantize` (main() with captured output): flag handling, recipe merging, usage errors.
const FMNIST = join(REPO, 'examples/fashion-mnist');
const MODEL = join(FMNIST, 'model/model.onnx');
const CALIB = join(FMNIST, 'data/calib');

interface Report {
  mode: string;
  weights: { tensor: string; role: string; encoding: { bitsPerElement: number; granularity: string } }[];
  activations: { tensor: string; observer: string | null }[];
  excluded: { node: string; opType: string; reason: string }[];
  calibration: { samples: number } | null;
  schemes: { options: { weights: Record<string, unknown>; activations: Record<string, unknown> } }[];
  warnings: string[];
}

describe('quantforge quantize (in process)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const out = join(tmp.dir, 'q.onnx');

  it('is listed in the help with its flags', async () => {
    const r = await runCli(['quantize', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--output', '--recipe', '--weights', '--activations', '--mode', '--calib', '--calibrator', '--calib-samples', '--eval', '--labels', '--eval-samples', '--exclude', '--report', '--seed']) {
      expect(r.out).toContain(flag);
    }
  });

  it.each([
    [['quantize', MODEL, '--calib', CALIB], /missing flag -o\/--output/],
    [['quantize', MODEL, '-o', 'x.onnx'], /static mode needs calibration data/],
    [['quantize', MODEL, '-o', 'x.onnx', '--mode', 'fast'], /--mode must be one of static, dynamic, weight-only/],
    [['quantize', MODEL, '-o', 'x.onnx', '--calib', CALIB, '--calibrator', 'kl'], /--calibrator must be one of/],
    [['quantize', MODEL, '-o', 'x.onnx', '--calib', CALIB, '--calib-samples', '0'], /--calib-samples must be an integer ≥ 1/],
    [['quantize', MODEL, '-o', 'x.onnx', '--calib', CALIB, '--labels', 'l.npy'], /--labels needs --eval/],
    [['quantize', MODEL, '-o', 'x.onnx', '--calib', CALIB, '--scheme', 'nope'], /unknown scheme "nope" \(known: uniform, logquant, weighted-entropy, kmeans, pq\)/],
    [['quantize', MODEL, '-o', 'x.onnx', '--scheme', 'kmeans', '--weights', 'int4'], /--weights \/ --activations SPEC are the uniform scheme's shorthand/],
  ])('usage error %#: exit 1 with QF_CLI_USAGE', async (args, message) => {
    const r = await runCli(args.map((a) => (a === 'x.onnx' ? join(tmp.dir, a) : a)));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error QF_CLI_USAGE: /);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/\nhint: run "quantforge quantize --help" for usage\n$/);
    expect(existsSync(join(tmp.dir, 'x.onnx'))).toBe(false);
  });

  it('a scheme flag the scheme does not take is a usage error with its own hint', async () => {
    const r = await runCli(['quantize', MODEL, '-o', join(tmp.dir, 'x.onnx'), '--scheme', 'kmeans', '--pq-dim', '4']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error QF_CLI_USAGE: --pq-dim applies to --scheme pq only \(got --scheme kmeans\)\nhint: \S/);
  });

  it('a bad format spec is QF_OPTIONS_INVALID naming the token', async () => {
    const r = await runCli(['quantize', MODEL, '-o', out, '--calib', CALIB, '--weights', 'int8,per-chanel']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error QF_OPTIONS_INVALID: .*per-chanel/);
  });

  it('flags override the recipe; what no flag sets comes from the recipe', async () => {
    const recipe = join(tmp.dir, 'recipe.json');
    writeFileSync(recipe, JSON.stringify({
      scheme: { name: 'uniform', options: { weights: { symmetric: false } } },
      mode: 'static',
      calibration: { calibrator: 'percentile', samples: 8, options: { percentile: 99.9 } },
      exclude: ['Gemm'],
    }));
    const r = await runCli(['quantize', MODEL, '-o', out, '--recipe', recipe, '--calib', CALIB, '--calibrator', 'minmax', '--calib-samples', '16', '--exclude', '/fc2/Gemm', '--json']);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Report;
    expect(j.calibration!.samples).toBe(16);
    expect(j.activations.every((a) => a.observer === 'minmax')).toBe(true);
    // --exclude replaced the recipe's list: only the fc2 Gemm stays float, fc1 is quantized.
    expect(j.excluded.map((e) => e.node)).toEqual(['/fc2/Gemm']);
    expect(j.weights.some((w) => w.tensor === 'fc1.weight')).toBe(true);
    expect(j.weights.some((w) => w.tensor === 'fc2.weight')).toBe(false);
    // The recipe's scheme options survive where no flag touched them.
    expect(j.schemes[0]!.options.weights.symmetric).toBe(false);
  });

  it('--weights sets bits and granularity over a recipe that said otherwise', async () => {
    const recipe = join(tmp.dir, 'recipe-w4.json');
    writeFileSync(recipe, JSON.stringify({ scheme: 'uniform', mode: 'weight-only', weights: { bits: 4, granularity: 'per-group', blockSize: 16 } }));
    const fromRecipe = JSON.parse((await runCli(['quantize', MODEL, '-o', out, '--recipe', recipe, '--json'])).out) as Report;
    expect(fromRecipe.mode).toBe('weight-only');
    expect(fromRecipe.weights.every((w) => w.encoding.bitsPerElement === 4)).toBe(true);
    expect(fromRecipe.weights.some((w) => w.encoding.granularity === 'per-group')).toBe(true);
    const overridden = await runCli(['quantize', MODEL, '-o', out, '--recipe', recipe, '--weights', 'int8,per-channel', '--json']);
    expect(overridden.code).toBe(0);
    const j = JSON.parse(overridden.out) as Report;
    expect(j.weights.every((w) => w.encoding.bitsPerElement === 8 && w.encoding.granularity === 'per-channel')).toBe(true);
  });

  it('--calib in weight-only mode is ignored with a warning', async () => {
    const r = await runCli(['quantize', MODEL, '-o', out, '--mode', 'weight-only', '--calib', CALIB, '-q']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning: --calib is not used in weight-only mode');
  });

  it('a failing run leaves no output, no report and no temporary file', async () => {
    const dir = join(tmp.dir, 'fail');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    const labels = join(dir, 'labels.txt');
    writeFileSync(labels, '1\n2\n'); // 2 labels for 1000 eval samples: fails in the evaluate stage, after quantization
    const r = await runCli(['quantize', MODEL, '-o', join(dir, 'q.onnx'), '--calib', CALIB, '--calib-samples', '8', '--eval', join(FMNIST, 'data/eval'), '--eval-samples', '20', '--labels', labels, '--report', join(dir, 'r.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error QF_DATA_MISMATCH: evaluation has 20 predictions but only 2 labels/m);
    expect(readdirSync(dir)).toEqual(['labels.txt']);
  });

  it('other schemes through the generic flags: kmeans compressed to a codebook model, logquant simulated', async () => {
    const k = await runCli(['quantize', MODEL, '-o', out, '--scheme', 'kmeans', '--weight-bits', '4', '--granularity', 'per-channel', '--compress', '--json']);
    expect(k.err).not.toMatch(/^error/m);
    expect(k.code).toBe(0);
    const kj = JSON.parse(k.out) as Report & { exporter: string; schemes: { name: string }[] };
    expect(kj.mode).toBe('weight-only');
    expect(kj.exporter).toBe('codebook');
    expect(kj.schemes[0]!.name).toBe('kmeans');
    expect(kj.weights.filter((w) => w.role === 'weight').length).toBe(4);
    const l = await runCli(['quantize', MODEL, '-o', out, '--scheme', 'logquant', '--weight-bits', '4', '--mode', 'weight-only', '--json']);
    expect(l.code).toBe(0);
    const lj = JSON.parse(l.out) as Report & { exporter: string; schemes: { name: string }[] };
    expect(lj.exporter).toBe('simulated');
    expect(lj.schemes[0]!.name).toBe('logquant');
    // --weight-bits with uniform goes the same way and lands in the plan.
    const u = JSON.parse((await runCli(['quantize', MODEL, '-o', out, '--weight-bits', '6', '--mode', 'weight-only', '--json'])).out) as Report;
    expect(u.weights.every((w) => w.encoding.bitsPerElement === 6)).toBe(true);
  });

  it('the report file equals the --json output', async () => {
    const rep = join(tmp.dir, 'same.json');
    const r = await runCli(['quantize', MODEL, '-o', out, '--mode', 'weight-only', '--report', rep, '--json']);
    expect(r.code).toBe(0);
    expect(readFileSync(rep, 'utf8')).toBe(r.out);
  });
});
