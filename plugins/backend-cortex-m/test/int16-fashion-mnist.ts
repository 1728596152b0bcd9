// The demo model lowered for cortex-m4-int16x8 through core's pipeline (int16 activations, int8 per-channel weights),
// shared by the int16x8 demo tests. Same scheme and calibration as the int8 helper (emit-fashion-mnist.ts).
import { definePlugin, quantforge, schemeProvider, type Program, type QuantforgePlugin } from '@quantforge/core';
import { loadModel, qdqExporter } from '@quantforge/onnx';
import { fromNpyFolder, inputSpecsFromGraph, runnerFactory } from '@quantforge/runtime';
import { cortexMInt16x8Plugin } from '../src/index.js';
import { EXAMPLE_DIR, MODEL_PATH } from './emit-fashion-mnist.js';
import { testScheme } from './helpers.js';

const schemePlugin: QuantforgePlugin = definePlugin({
  name: 'affine-test', kind: 'scheme', version: '0.0.0', hostApi: '^1.0.0', schemes: { 'affine-test': schemeProvider(testScheme) },
});

/** Quantizes the Fashion-MNIST CNN for an int16x8 target (W8A16, per-channel weights, min/max on 256 calibration images). */
export async function lowerFashionMnistInt16(target = 'cortex-m4-int16x8'): Promise<Program> {
  const model = await loadModel(MODEL_PATH);
  const calib = await fromNpyFolder(`${EXAMPLE_DIR}data/calib`, { inputs: inputSpecsFromGraph(model.graph) });
  const result = await quantforge(model, { createRunner: runnerFactory(), exporter: qdqExporter() })
    .use({ plugin: schemePlugin, scheme: 'affine-test' })
    .target(cortexMInt16x8Plugin, { target })
    .recipe({ scheme: 'affine-test', mode: 'static', weights: { bits: 8, granularity: 'per-channel' }, activations: { bits: 16 } })
    .calibrate(calib)
    .run({ seed: 0 });
  const program = result.target?.program;
  if (program === undefined) throw new Error(`the pipeline lowered no program: ${result.report.warnings.join('; ')}`);
  return program;
}
