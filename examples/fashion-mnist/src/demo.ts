import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { quantforge, type ProgressListener, type QuantizeReport } from '@quantforge/core';
import { encodeModel, loadModel, qdqExporter, saveModel, writeFileAtomic } from '@quantforge/onnx';
import { fromNpyFolder, inputSpecsFromGraph, readLabels, runnerFactory } from '@quantforge/runtime';
import { uniform } from '@quantforge/scheme-uniform';

/** The example folder (this file lives in `src/` or, built, in `dist/`). */
export const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where `model.int8.onnx` and `report.json` go (default `<example>/out`). */
  outDir?: string;
  /** Worker threads for the quantize stage (default: the library's). */
  workers?: number;
  onProgress?: ProgressListener;
}

/** What the demo measured, float vs int8, with the paths it wrote. */
export interface DemoResult {
  modelPath: string;
  reportPath: string;
  float: { top1: number; bytes: number };
  int8: { top1: number; bytes: number };
  /** Fraction of eval images where both models predict the same class. */
  agreement: number;
  /** Output (logits) SQNR in dB, null when the outputs are identical. */
  sqnrDb: number | null;
  samples: number;
  executor: string;
  report: QuantizeReport;
}

/**
 * Quantizes the bundled Fashion-MNIST CNN with W8A8 (int8 symmetric per-channel weights, uint8 asymmetric per-tensor
 * activations, min/max calibration on the committed 256-image slice), evaluates float vs int8 on the 1000-image
 * eval slice with onnxruntime-node at runtime's evaluation level (no QDQ fusion), and writes the QDQ model and report.
 * The pipeline is composed from the packages directly: core's builder, runtime's runner, onnx's QDQ exporter.
 *
 * @example
 * ```ts
 * const r = await runDemo({ outDir: '/tmp/demo' });
 * console.log(r.float.top1, r.int8.top1, r.reportPath);
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const outDir = options.outDir ?? join(EXAMPLE_DIR, 'out');
  const floatPath = join(EXAMPLE_DIR, 'model', 'model.onnx');
  const t0 = performance.now();
  const model = await loadModel(floatPath);
  const loadMs = performance.now() - t0;
  const inputs = inputSpecsFromGraph(model.graph);
  const calib = await fromNpyFolder(join(EXAMPLE_DIR, 'data', 'calib'), { inputs });
  const held = await fromNpyFolder(join(EXAMPLE_DIR, 'data', 'eval'), { inputs });
  const labels = Array.from(await readLabels(join(EXAMPLE_DIR, 'data', 'eval', 'labels.npy')));

  const run: Parameters<ReturnType<typeof quantforge>['run']>[0] = {
    seed: 0, loadMs, modelBytes: (await stat(floatPath)).size, measure: (m) => encodeModel(m).byteLength,
  };
  if (options.workers !== undefined) run.workers = options.workers;
  if (options.onProgress !== undefined) run.onProgress = options.onProgress;
  const result = await quantforge(model, { createRunner: runnerFactory(), exporter: qdqExporter() })
    .use(uniform({ weights: { signed: true, symmetric: true }, activations: { signed: false, symmetric: false } }))
    .recipe({ scheme: 'uniform', mode: 'static', weights: { bits: 8, granularity: 'per-channel' }, activations: { bits: 8 } })
    .calibrate(calib)
    .evaluate(held, { labels })
    .run(run);

  await mkdir(outDir, { recursive: true });
  const modelPath = join(outDir, 'model.int8.onnx');
  const reportPath = join(outDir, 'report.json');
  await saveModel(result.model, modelPath);
  await writeFileAtomic(reportPath, `${JSON.stringify(result.report, null, 2)}\n`);

  const ev = result.report.evaluation!;
  const acc = ev.accuracy!;
  return {
    modelPath, reportPath,
    float: { top1: acc.float, bytes: result.report.model.bytesBefore ?? 0 },
    int8: { top1: acc.quantized, bytes: (await stat(modelPath)).size },
    agreement: ev.argmaxAgreement,
    sqnrDb: ev.sqnrDb,
    samples: ev.samples,
    executor: result.report.executors.evaluateQuantized ?? 'unknown',
    report: result.report,
  };
}

/**
 * The demo's float-vs-int8 table.
 *
 * @example
 * ```ts
 * process.stdout.write(formatDemoTable(await runDemo()));
 * ```
 */
export function formatDemoTable(r: DemoResult): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  const rows = [
    ['', 'float32', 'int8 (W8A8)'],
    ['top-1', pct(r.float.top1), pct(r.int8.top1)],
    ['size', kb(r.float.bytes), kb(r.int8.bytes)],
  ];
  const w0 = Math.max(...rows.map((x) => x[0]!.length));
  const w1 = Math.max(...rows.map((x) => x[1]!.length));
  const lines = rows.map(([a, b, c]) => `${a!.padEnd(w0)}  ${b!.padStart(w1)}  ${c}`);
  lines.push(
    `argmax agreement ${pct(r.agreement)}, logits SQNR ${r.sqnrDb === null ? 'inf' : r.sqnrDb.toFixed(2)} dB over ${r.samples} eval images`,
    `evaluated with ${r.executor}`,
    `wrote ${r.modelPath}`,
    `report ${r.reportPath}`,
  );
  return `${lines.join('\n')}\n`;
}
