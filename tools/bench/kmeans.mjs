// k-means and product quantization (@quantforge/scheme-vq) against scikit-learn's KMeans, in one run.
// Run after building core and the plugin: `node tools/bench/kmeans.mjs [--runs N]` from the repository root.
// 1. Scalar k-means, k = 16, on 1 000 000 seeded weights (Gaussian with a Laplace tail), saved once to a temporary
//    .npy that tools/bench/kmeans_sklearn.py fits with sklearn (n_init = 1, k-means++, default tol / max_iter).
//    Both centroid sets are scored by the same code (exact nearest-centroid inertia in float64), so speed is compared
//    at known quality.
// 2. Product quantization of a 1024 × 1024 matrix, d = 4, K = 256.
// 3. Worker scaling: several weights quantized (k-means, then PQ) through core's worker pool with 1 and then 2 workers.
// Prints markdown tables for docs/benchmarks.md.
import { execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createWorkerPool, dequantize, sqnr, tensor } from '@quantforge/core';
import vqPlugin, {
  compressionRatio, inertia1d, initCentroids1d, kmeans, kmeans1d, kmeansScheme, pq, pqScheme, seededRandom, sortValues,
} from '@quantforge/scheme-vq';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const N = 1_000_000;
const K = 16;
const SEED = 42;
const SKLEARN = fileURLToPath(new URL('./kmeans_sklearn.py', import.meta.url));

/** Gaussian (σ = 0.02) weights with every fifth value from a Laplace tail (b = 0.05), as float32. */
function weights(n, seed) {
  const next = seededRandom(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (i % 5 === 0) {
      const u = next() - 0.5;
      x[i] = -0.05 * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
    } else {
      x[i] = 0.02 * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    }
  }
  return x;
}

function writeNpy(path, x) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${x.length},), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(x.buffer, x.byteOffset, x.byteLength)]));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn) {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

function info(name, over = {}) {
  return { name, role: 'weight', consumers: [], bits: 4, granularity: 'per-tensor', seed: SEED, dependencies: {}, ...over };
}

function sklearn(path, threads) {
  const env = { ...process.env };
  if (threads !== undefined) env.OMP_NUM_THREADS = String(threads);
  const r = spawnSync('/usr/bin/python3', [SKLEARN, path, String(K), '0'], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`kmeans_sklearn.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const fmt = (v, d = 1) => v.toFixed(d);
const sci = (v) => v.toExponential(4);

const x = weights(N, SEED);
const dir = mkdtempSync(join(tmpdir(), 'qf-kmeans-'));
const npy = join(dir, 'weights.npy');
writeNpy(npy, x);
const sv = sortValues(x);
const load = [];

// 1. Scalar k-means. One untimed warm-up per row, so JIT compilation is not billed to the first row.
const rows = [];
for (const init of ['kmeans++', 'linear']) {
  const totals = [];
  const sortTimes = [];
  const seedTimes = [];
  let result;
  for (let r = 0; r <= RUNS; r++) {
    const sorted = time(() => sortValues(x));
    const seeding = time(() => initCentroids1d(sorted.value, K, init, SEED));
    const fit = time(() => kmeans1d(sorted.value, { k: K, init, maxIterations: 1000, seed: SEED }));
    if (r === 0) continue;
    sortTimes.push(sorted.ms);
    seedTimes.push(seeding.ms);
    totals.push(sorted.ms + fit.ms);
    result = fit.value;
  }
  const inertia = inertia1d(sv, result.centroids);
  rows.push([
    `quantforge kmeans1d, ${init} init`, fmt(median(totals)), fmt(median(sortTimes)), fmt(median(seedTimes)),
    `${result.iterations}${result.converged ? ' (converged)' : ''}`, sci(inertia), sci(inertia / N),
  ]);
}
const scheme = [];
for (let r = 0; r <= RUNS; r++) {
  scheme.push(time(() => kmeansScheme.quantizeWeight(tensor('float32', [1000, 1000], x), kmeans({ bits: 4, perChannel: false, init: 'kmeans++' }).options, info('w'))));
}
scheme.shift();
const sq = scheme[0].value;
const sqErr = (() => {
  const back = dequantize(sq);
  let e = 0;
  for (let i = 0; i < N; i++) e += (x[i] - back[i]) ** 2;
  return e;
})();
rows.push(['quantforge `kmeans` scheme, kmeans++ (+ codes, float32 centroids)', fmt(median(scheme.map((s) => s.ms))), '', '', '', sci(sqErr), sci(sqErr / N)]);
load.push(loadavg()[0]);
for (const threads of [undefined, 1]) {
  const sk = sklearn(npy, threads);
  const ours = inertia1d(sv, Float64Array.from(sk.centroids).sort());
  rows.push([
    `scikit-learn ${sk.sklearn} KMeans (${sk.dtype}, ${threads === undefined ? `${sk.openmpThreads} OpenMP threads` : '1 thread'}; fit only)`,
    fmt(sk.seconds * 1000), '', '', String(sk.iterations), `${sci(ours)} (sklearn: ${sci(sk.inertia)})`, sci(ours / N),
  ]);
}
load.push(loadavg()[0]);

// 2. Product quantization.
const m = tensor('float32', [1024, 1024], weights(1024 * 1024, SEED + 1));
const pqRun = time(() => pqScheme.quantizeWeight(m, pq({ pqDim: 4, pqCentroids: 256 }).options, info('m')));
const pqResidual = time(() => pqScheme.quantizeWeight(m, pq({ pqDim: 4, pqCentroids: 256, residual: true }).options, info('m')));
const pqRows = [pqRun, pqResidual].map((r, i) => [
  i === 0 ? 'PQ d = 4, K = 256, 25 Lloyd iterations at most' : 'same + residual stage (K = 256)',
  fmt(r.ms / 1000, 2), fmt(sqnr(m.data, dequantize(r.value)), 2), fmt(compressionRatio(r.value), 2),
]);
load.push(loadavg()[0]);

// 3. Worker scaling, k-means and PQ: the same tasks through core's pool with 1 and then 2 workers.
const tensors = Array.from({ length: 8 }, (_, i) => tensor('float32', [256, 1024], weights(256 * 1024, 100 + i)));
const scalingCases = [
  { label: '8 weights [256, 1024], 4-bit per-channel k-means++ (kmeans)', tensors, options: kmeans({ bits: 4, perChannel: true, init: 'kmeans++' }).options, over: { granularity: 'per-channel', axis: 0 } },
  { label: '4 weights [256, 1024], PQ d = 4, K = 256 (pq)', tensors: tensors.slice(0, 4), options: pq({ pqDim: 4, pqCentroids: 256 }).options, over: {} },
];
const scaling = [];
for (const c of scalingCases) {
  let reference;
  for (const workers of [1, 2]) {
    const pool = createWorkerPool({ workers, timeoutMs: 600_000 });
    const task = (t, i) => pool.run({
      workerUrl: vqPlugin.workerUrl, export: 'quantizeWeight', transfer: 'copy', tensors: { tensor: t },
      options: { options: c.options, info: info(`t${i}`, c.over) },
    });
    // Warm-up on small slices, so worker start-up and JIT are not billed.
    await Promise.all(c.tensors.slice(0, workers).map((t, i) => task(tensor('float32', [16, 1024], t.data.subarray(0, 16 * 1024)), i)));
    const t0 = performance.now();
    const out = await Promise.all(c.tensors.map(task));
    const ms = performance.now() - t0;
    await pool.destroy();
    const bytes = JSON.stringify(out.map((o) => [o.value, Array.from(o.tensors.codes.data)]));
    reference ??= bytes;
    scaling.push([c.label, String(workers), fmt(ms), bytes === reference ? 'yes' : 'NO']);
  }
}
load.push(loadavg()[0]);
rmSync(dir, { recursive: true, force: true });

const cpu = (() => {
  try {
    return execSync('lscpu', { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('Model name'))?.split(':')[1]?.trim();
  } catch {
    return 'unknown';
  }
})();
console.log(`Machine: ${cpu}, ${execSync('nproc', { encoding: 'utf8' }).trim()} cores, Node ${process.version}; load average during the run ${load.map((l) => l.toFixed(1)).join(' / ')}. Date: ${new Date().toISOString().slice(0, 10)}.`);
console.log(`Runs: median of ${RUNS} after one warm-up (ours); sklearn one fit per row.\n`);
console.log(`k-means, k = ${K}, ${N.toLocaleString('en')} weights:\n`);
console.log('| implementation | total (ms) | of which sort + prefix sums | seeding alone (ms) | iterations | inertia Σ(x − c)² | MSE |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log('\nProduct quantization, 1024 × 1024 float32 matrix:\n');
console.log('| run | time (s) | SQNR (dB) | compression ratio |');
console.log('|---|---|---|---|');
for (const r of pqRows) console.log(`| ${r.join(' | ')} |`);
console.log("\nWorker scaling through core's pool (loaded machine: 2 cores shared):\n");
console.log('| tasks | workers | wall time (ms) | same bytes as 1 worker |');
console.log('|---|---|---|---|');
for (const r of scaling) console.log(`| ${r.join(' | ')} |`);
