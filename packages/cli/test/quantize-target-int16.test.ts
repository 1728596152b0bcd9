import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './helpers.js';

// The int16x8 Cortex-M targets through the CLI: listed by `targets`, selected by name, and lowered with int16
// activations (twice the int8 arena) without any other flag.
const FMNIST = join(REPO, 'examples/fashion-mnist');

interface Report {
  target: { name: string; summary: { fallback: number; error: number }; memory: { arenaBytes: number }; evaluation: { accuracy: { float: number; simulated: number } } };
}

describe('quantforge quantize --target cortex-m4-int16x8', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('`targets` lists every int16x8 variant next to the int8 targets', async () => {
    const r = await runCli(['targets']);
    expect(r.code).toBe(0);
    for (const cpu of ['cortex-m0plus', 'cortex-m4', 'cortex-m55']) {
      expect(r.out).toMatch(new RegExp(`^${cpu} `, 'm'));
      expect(r.out).toMatch(new RegExp(`^${cpu}-int16x8 `, 'm'));
    }
  });

  it('lowers the demo with int16 activations and keeps top-1 within 0.3 pp of float on 500 eval images', async () => {
    const rep = (name: string): string => join(tmp.dir, `${name}.json`);
    const run = async (target: string): Promise<Report> => {
      const r = await runCli(['quantize', join(FMNIST, 'model/model.onnx'), '--target', target, '--calib', join(FMNIST, 'data/calib'),
        '--eval', join(FMNIST, 'data/eval'), '--labels', join(FMNIST, 'data/eval/labels.npy'), '--eval-samples', '500', '--report', rep(target),
        '-o', join(tmp.dir, `${target}.onnx`)]);
      expect(r.err).not.toMatch(/^error/m);
      expect(r.code).toBe(0);
      return JSON.parse(readFileSync(rep(target), 'utf8')) as Report;
    };
    const i16 = await run('cortex-m4-int16x8');
    const i8 = await run('cortex-m4');
    expect(i16.target.name).toBe('cortex-m4-int16x8');
    expect(i16.target.summary).toMatchObject({ fallback: 0, error: 0 });
    expect(i16.target.memory.arenaBytes).toBe(2 * i8.target.memory.arenaBytes);
    const { float, simulated } = i16.target.evaluation.accuracy;
    expect(Math.abs(float - simulated)).toBeLessThanOrEqual(0.003 + 1e-9);
  }, 300_000);
});
