// Plot data for "linear vs log vs weighted-entropy vs k-means levels over one layer" (the figure Park et al. 2017
// open with): per scheme one file tools/bench/results/levels-<layer>-<scheme>.json with the layer's weight histogram,
// the levels the scheme chose and, per level, the weights it serves (count, share, |w| range, width). Weight-only,
// per-tensor, seed 0, through the same pipeline as the CLI. Run after building:
// `node tools/bench/levels.mjs [--layer fc1.weight] [--bits 3]`; prints a markdown table per scheme.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dequantize, quantforge } from '@quantforge/core';
import { loadModel, simulatedExporter } from '@quantforge/onnx';
import { runnerFactory } from '@quantforge/runtime';
import { logQuant } from '@quantforge/scheme-logquant';
import { uniform } from '@quantforge/scheme-uniform';
import { kmeans } from '@quantforge/scheme-vq';
import { levelsHistogram, weightedEntropy } from '@quantforge/scheme-weighted-entropy';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MODEL = join(ROOT, 'examples/fashion-mnist/model/model.onnx');
const RESULTS = join(ROOT, 'tools/bench/results');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const LAYER = arg('layer', 'fc1.weight');
const BITS = Number(arg('bits', '3'));
const BINS = 100;

const wo = 'weight-only';
const SCHEMES = [
  { scheme: 'uniform', label: 'linear (uniform per-tensor, symmetric)', use: uniform(), recipe: { scheme: 'uniform', mode: wo, weights: { bits: BITS, granularity: 'per-tensor' } } },
  { scheme: 'logquant', label: 'log (LogQuant base 2, FSR = max)', use: logQuant({ bits: BITS }), recipe: { scheme: 'logquant', mode: wo, weights: { bits: BITS, granularity: 'per-tensor' } } },
  { scheme: 'weighted-entropy', label: `weighted-entropy (${2 ** BITS} levels)`, use: weightedEntropy({ bits: BITS }), recipe: { scheme: 'weighted-entropy', mode: wo, weights: { bits: BITS } } },
  { scheme: 'kmeans', label: 'k-means (per-tensor, linear init)', use: kmeans({ bits: BITS, perChannel: false }), recipe: { scheme: 'kmeans', mode: wo, weights: { bits: BITS, granularity: 'per-tensor' } } },
];

/** Per reconstructed level: how many weights map to it and the span of those weights. */
function clusters(w, q) {
  const back = dequantize(q);
  const by = new Map();
  for (let i = 0; i < w.length; i++) {
    const v = back[i];
    let c = by.get(v);
    if (c === undefined) by.set(v, (c = { level: v, count: 0, min: Infinity, max: -Infinity }));
    c.count++;
    if (w[i] < c.min) c.min = w[i];
    if (w[i] > c.max) c.max = w[i];
  }
  return [...by.values()].sort((a, b) => a.level - b.level).map((c) => ({ ...c, share: c.count / w.length, width: c.max - c.min }));
}

const model = await loadModel(MODEL);
const init = model.graph.initializers.get(LAYER);
if (init === undefined) throw new Error(`no initializer ${LAYER} in ${MODEL}`);
const w = init.tensor.data;
const absSorted = Float64Array.from(w, Math.abs).sort();
const pctl = (p) => absSorted[Math.min(absSorted.length - 1, Math.floor(p * absSorted.length))];
const stats = { count: w.length, absMedian: pctl(0.5), absP90: pctl(0.9), absP99: pctl(0.99), absMax: absSorted[absSorted.length - 1] };
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, date: new Date().toISOString() };
const md = [];
for (const s of SCHEMES) {
  const result = await quantforge(model, { createRunner: runnerFactory(), exporter: simulatedExporter() }).use(s.use).recipe(s.recipe).run({ workers: 1, seed: 0 });
  const q = result.encodings[LAYER];
  const hist = levelsHistogram(w, { [s.scheme]: q.encoding }, BINS);
  const used = clusters(w, q);
  const file = `levels-${LAYER.replace(/[^A-Za-z0-9_.-]/g, '_')}-${s.scheme}.json`;
  writeFileSync(join(RESULTS, file), `${JSON.stringify({
    machine, model: 'examples/fashion-mnist/model/model.onnx', layer: LAYER, bits: BITS, scheme: s.scheme, label: s.label, recipe: s.recipe,
    weights: stats, bins: hist.bins, levels: hist.series[0].levels, clusters: used,
  }, null, 2)}\n`);
  md.push(`#### ${s.label}: \`${file}\``, '', '| level | weights | share | range of w | width |', '|---|---|---|---|---|',
    ...used.map((c) => `| ${c.level.toPrecision(3)} | ${c.count} | ${(100 * c.share).toFixed(1)} % | [${c.min.toPrecision(3)}, ${c.max.toPrecision(3)}] | ${c.width.toPrecision(3)} |`), '');
}
console.log(`${LAYER}: ${stats.count} weights, |w| median ${stats.absMedian.toPrecision(3)}, p90 ${stats.absP90.toPrecision(3)}, p99 ${stats.absP99.toPrecision(3)}, max ${stats.absMax.toPrecision(3)}; ${BITS} bits\n`);
console.log(md.join('\n'));
