import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, fashionMnistOrtRun as ortRun, REPO, tempDir } from './helpers.js';

// `quantforge quantize --scheme logquant|weighted-entropy|kmeans|pq` as users run it (the built dist/bin.js in a child
// process) on the Fashion-MNIST demo CNN, simulated and --compress. The written models are run in onnxruntime-node
// at graphOptimizationLevel 'basic' (the CLI's own evaluation runs at 'disabled'; the report names it).
const FMNIST = join(REPO, 'examples/fashion-mnist');
const MODEL = join(FMNIST, 'model/model.onnx');
const CALIB = join(FMNIST, 'data/calib');
const EVAL = join(FMNIST, 'data/eval');
const LABELS = join(FMNIST, 'data/eval/labels.npy');
const SAMPLES = 500;

interface Report {
  mode: string;
  exporter: string;
  schemes: { name: string; plugin: string }[];
  model: { bytesBefore: number; bytesAfter: number; quantizedTensors: number };
  weights: { tensor: string; role: string; scheme: string; encoding: { kind: string; bitsPerElement: number; detail: Record<string, unknown> } }[];
  activations: { tensor: string; encoding: { kind: string; bitsPerElement: number } }[];
  evaluation: { samples: number; accuracy: { float: number; quantized: number; rows: number } };
  executors: { evaluateQuantized: string };
}

function cli(args: string[]): { code: number | null; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, err: r.stderr };
}

interface Case {
  scheme: string;
  flags: string[];
  mode: 'static' | 'weight-only';
  /** Weight encoding kind in the report and its bits per weight. */
  kind: string;
  bitsPerElement: number;
  /**
   * Top-1 floor on the 500-image slice. Measured (float 91.8 %, workers 1, 2026-12-01): logquant W4A4 85.6 %,
   * weighted-entropy W4A4 90.4 %, kmeans W4 per-channel 91.0 %, pq d=4 K=16 90.4 %; floors sit 3-4 pp below.
   */
  floor: number;
}

const CASES: Case[] = [
  { scheme: 'logquant', flags: ['--weight-bits', '4', '--activation-bits', '4'], mode: 'static', kind: 'log', bitsPerElement: 4, floor: 0.82 },
  { scheme: 'weighted-entropy', flags: ['--weight-bits', '4', '--activation-bits', '4'], mode: 'static', kind: 'codebook', bitsPerElement: 4, floor: 0.87 },
  { scheme: 'kmeans', flags: ['--weight-bits', '4'], mode: 'weight-only', kind: 'codebook', bitsPerElement: 4, floor: 0.88 },
  // conv1 rows are 9 long: d = 4 pads each row's last sub-vector with 3 zeros.
  { scheme: 'pq', flags: ['--pq-dim', '4', '--pq-centroids', '16'], mode: 'weight-only', kind: 'codebook', bitsPerElement: 1, floor: 0.87 },
];

describe('quantforge quantize --scheme <non-uniform> on the Fashion-MNIST demo model (built CLI)', () => {
  const tmp = tempDir();
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npx tsup" in packages/cli first`);
  });
  afterAll(() => tmp.cleanup());

  it.each(CASES)('$scheme: simulated and --compress models run in onnxruntime, agree, and do not depend on --workers', async (c) => {
    const out = (name: string) => join(tmp.dir, `${c.scheme}-${name}`);
    const base = ['quantize', MODEL, '--scheme', c.scheme, ...c.flags, '--seed', '0', '-q'];
    const withEval = ['--eval', EVAL, '--labels', LABELS, '--eval-samples', String(SAMPLES)];
    if (c.mode === 'static') base.push('--calib', CALIB);

    const runs = {
      simulated: cli([...base, '-o', out('sim.onnx'), '--report', out('sim.json'), ...withEval, '--workers', '1']),
      compressed: cli([...base, '--compress', '-o', out('cb.onnx'), '--report', out('cb.json'), ...withEval, '--workers', '1']),
      compressed2: cli([...base, '--compress', '-o', out('cb2.onnx'), '--workers', '2']),
      simulated2: cli([...base, '-o', out('sim2.onnx'), '--workers', '2']),
    };
    for (const [name, r] of Object.entries(runs)) {
      expect(r.err, name).not.toMatch(/^error/m);
      expect(r.code, name).toBe(0);
    }

    for (const [file, exporter] of [['sim.json', 'simulated'], ['cb.json', 'codebook']] as const) {
      const j = JSON.parse(readFileSync(out(file), 'utf8')) as Report;
      expect(j.mode).toBe(c.mode);
      expect(j.exporter).toBe(exporter);
      expect(j.schemes.map((s) => s.name)).toContain(c.scheme);
      const weights = j.weights.filter((w) => w.role === 'weight');
      expect(weights.map((w) => w.tensor).sort()).toEqual(['conv1.weight', 'conv2.weight', 'fc1.weight', 'fc2.weight']);
      for (const w of weights) {
        expect(w.scheme, w.tensor).toBe(c.scheme);
        expect(w.encoding.kind, w.tensor).toBe(c.kind);
        expect(w.encoding.bitsPerElement, w.tensor).toBe(c.bitsPerElement);
      }
      if (c.scheme === 'pq') expect(weights.find((w) => w.tensor === 'conv1.weight')!.encoding.detail).toMatchObject({ rowLength: 9, pad: 3, subvectorLength: 4 });
      if (c.mode === 'static') {
        expect(j.activations.length).toBeGreaterThan(0);
        expect(j.activations.every((a) => a.encoding.kind === 'log')).toBe(true);
      } else {
        expect(j.activations).toEqual([]);
      }
      expect(j.evaluation.samples).toBe(SAMPLES);
      expect(j.evaluation.accuracy.float).toBeGreaterThan(0.9);
      expect(j.evaluation.accuracy.quantized, file).toBeGreaterThanOrEqual(c.floor);
      expect(j.executors.evaluateQuantized).toMatch(/graphOptimizationLevel=disabled/);
    }

    const sim = await ortRun(out('sim.onnx'), SAMPLES);
    const cb = await ortRun(out('cb.onnx'), SAMPLES);
    expect(sim.top1).toBeGreaterThanOrEqual(c.floor);
    // The compressed graph expands exactly the simulated model's float weights: the same logits.
    expect(Array.from(cb.logits)).toEqual(Array.from(sim.logits));
    const simBytes = statSync(out('sim.onnx')).size;
    const cbBytes = statSync(out('cb.onnx')).size;
    expect(cbBytes).toBeLessThan(simBytes / 2.5);
    expect(readFileSync(out('cb.onnx')).equals(readFileSync(out('cb2.onnx')))).toBe(true);
    expect(readFileSync(out('sim.onnx')).equals(readFileSync(out('sim2.onnx')))).toBe(true);
  }, 240_000);
});
