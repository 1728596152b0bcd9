#!/usr/bin/env node
// Adds up the vitest JSON reports every package's test run leaves in <package>/.vitest/report.json (nx restores them
// from its cache for packages whose tests did not re-run), and prints one closing line for the whole suite.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const dirs = ['packages', 'plugins', 'examples']
  .flatMap((top) => (existsSync(join(root, top)) ? readdirSync(join(root, top)).map((d) => join(root, top, d)) : []))
  .concat([join(root, 'tools')]);

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const dir of dirs) {
  const file = join(dir, '.vitest', 'report.json');
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const skip = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += skip;
  rows.push(`  ${dir.slice(root.length).padEnd(32)} ${String(r.numPassedTests).padStart(5)} passed  ${String(r.numFailedTests).padStart(3)} failed  ${String(skip).padStart(3)} skipped`);
}
console.log('\nTests by package:');
console.log(rows.join('\n'));
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
