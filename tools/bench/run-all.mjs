// `npm run bench`: every benchmark script of tools/bench in turn, each in its own process so one failing does not
// hide the others. Markdown goes to stdout (paste it into docs/benchmarks.md); JSON results to tools/bench/results/.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
// Every benchmark script in this folder (executor.mjs, kmeans.mjs, quantize.mjs, ...); HELPERS are modules they import.
const HELPERS = new Set(['run-all.mjs', 'fmnist.mjs', 'pipeline.mjs']);
const scripts = readdirSync(here).filter((f) => f.endsWith('.mjs') && !HELPERS.has(f)).sort();
let failed = 0;
for (const script of scripts) {
  process.stderr.write(`\n== ${script}\n`);
  const r = spawnSync(process.execPath, [`${here}${script}`, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`${script} failed (exit ${r.status ?? r.signal})\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
