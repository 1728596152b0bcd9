// The pipeline as the benchmarks run it: core's builder with runtime's runner factory and onnx's QDQ exporter (the
// same default services the `quantforge` package wires), the uniform scheme, W8A8 per-channel unless told otherwise.
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { quantforge } from '@quantforge/core';
import { encodeModel, loadModel, qdqExporter } from '@quantforge/onnx';
import { fromImageFolder, readLabels, runnerFactory } from '@quantforge/runtime';
import { uniform } from '@quantforge/scheme-uniform';

export const W8A8 = { scheme: 'uniform', mode: 'static', weights: { bits: 8, granularity: 'per-channel' }, activations: { bits: 8 } };

/**
 * Loads a model file and quantizes it; returns the result (report.timingsMs.load is the measured load).
 * @param {string} path
 * @param {{ calib?: Iterable<unknown> | AsyncIterable<unknown>, eval?: Iterable<unknown> | AsyncIterable<unknown>,
 *   labels?: number[], recipe?: object, scheme?: object, workers?: number, onProgress?: (e: object) => void }} o
 */
export async function quantizeFile(path, o) {
  const t0 = performance.now();
  const model = await loadModel(path);
  const loadMs = performance.now() - t0;
  let p = quantforge(model, { createRunner: runnerFactory(), exporter: qdqExporter() })
    .use(uniform(o.scheme ?? {}))
    .recipe(o.recipe ?? W8A8);
  if (o.calib !== undefined) p = p.calibrate(o.calib);
  if (o.eval !== undefined) p = p.evaluate(o.eval, o.labels === undefined ? {} : { labels: o.labels });
  const run = { seed: 0, loadMs, modelBytes: (await stat(path)).size, measure: (m) => encodeModel(m).byteLength };
  if (o.workers !== undefined) run.workers = o.workers;
  if (o.onProgress !== undefined) run.onProgress = o.onProgress;
  return p.run(run);
}

/** An image folder as feeds for input `x`, with a preprocessing recipe. */
export function images(dir, recipe) {
  return fromImageFolder(dir, recipe, { input: 'x' });
}

export async function labelsOf(path) {
  return Array.from(await readLabels(path));
}

/** Median of `runs` timings (ms) of an async function, after `warmup` untimed calls. */
export async function median(fn, runs = 3, warmup = 1) {
  for (let i = 0; i < warmup; i++) await fn();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}
