// The demo model lowered for cortex-m4, shared by the emit tests: quantized through core's pipeline with the Cortex-M
// target (the plan is shaped by the backend, the program is lowered by it). The scheme is this package's test affine
// scheme, wrapped as a plugin, because plugins never import each other (scheme-uniform is one).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { definePlugin, quantforge, schemeProvider, type Program, type QuantforgePlugin } from '@quantforge/core';
import { loadModel, qdqExporter, readNpy } from '@quantforge/onnx';
import { fromNpyFolder, inputSpecsFromGraph, runnerFactory } from '@quantforge/runtime';
import { cortexMPlugin, dequantizeOutput, quantizeInput, simulateCortexM } from '../src/index.js';
import { testScheme } from './helpers.js';

export const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/fashion-mnist/', import.meta.url));
export const MODEL_PATH = `${EXAMPLE_DIR}model/model.onnx`;
export const EVAL_INPUT = `${EXAMPLE_DIR}data/eval/input.npy`;

const schemePlugin: QuantforgePlugin = definePlugin({
  name: 'affine-test', kind: 'scheme', version: '0.0.0', hostApi: '^1.0.0', schemes: { 'affine-test': schemeProvider(testScheme) },
});

/** Quantizes the Fashion-MNIST CNN (W8A8, per-channel weights, min/max on the 256 calibration images) for cortex-m4. */
export async function lowerFashionMnist(): Promise<Program> {
  const model = await loadModel(MODEL_PATH);
  const calib = await fromNpyFolder(`${EXAMPLE_DIR}data/calib`, { inputs: inputSpecsFromGraph(model.graph) });
  const result = await quantforge(model, { createRunner: runnerFactory(), exporter: qdqExporter() })
    .use({ plugin: schemePlugin, scheme: 'affine-test' })
    .target(cortexMPlugin, { target: 'cortex-m4' })
    .recipe({ scheme: 'affine-test', mode: 'static', weights: { bits: 8, granularity: 'per-channel' }, activations: { bits: 8 } })
    .calibrate(calib)
    .run({ seed: 0 });
  const program = result.target?.program;
  if (program === undefined) throw new Error(`the pipeline lowered no program: ${result.report.warnings.join('; ')}`);
  return program;
}

/** The first `n` eval images, float32 NCHW `[n, 1, 28, 28]`, as one flat array. */
export function evalImages(n: number): Float32Array {
  const t = readNpy(readFileSync(EVAL_INPUT));
  return (t.data as Float32Array).slice(0, n * 784);
}

/** The simulator's dequantized logits for the first `n` of `images`, `[n, 10]` float32 in one array (the runner's layout). */
export function simulatedLogits(program: Program, images: Float32Array, n: number): Float32Array {
  const feeds = Array.from({ length: n }, (_, i) => ({ input: quantizeInput(program, 'input', images.subarray(i * 784, (i + 1) * 784)) }));
  const out = new Float32Array(n * 10);
  simulateCortexM(program, feeds).forEach((o, i) => out.set(dequantizeOutput(program, 'logits', o.logits as Int8Array), i * 10));
  return out;
}
