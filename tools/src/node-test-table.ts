import { basename } from 'node:path';
import {
  DEBIAN_NODE_TEST_DIR, listNodeTests, runNodeTest, summarizeNodeTests, supportedOps,
  type NodeTestResult, type NodeTestSummary,
} from '@quantforge/runtime';

/** Result of {@link nodeTestTable}. */
export interface NodeTestTable {
  /** One row per op the executor claims (ops with no node test show total 0). */
  rows: NodeTestSummary[];
  results: NodeTestResult[];
  /** The rows as a markdown table, plus a totals line. */
  markdown: string;
}

/**
 * Runs the ONNX node tests of every op the reference executor claims and tabulates op -> pass/total.
 * Tests whose model needs an op without a kernel (e.g. an `_expanded` variant) count as `unsupported`.
 *
 * @example
 * ```ts
 * console.log(nodeTestTable().markdown);
 * ```
 */
export function nodeTestTable(dir: string = DEBIAN_NODE_TEST_DIR, ops: readonly string[] = supportedOps()): NodeTestTable {
  const claimed = new Set(ops);
  const results: NodeTestResult[] = [];
  for (const t of listNodeTests(dir)) {
    const r = runNodeTest(t);
    if (claimed.has(r.op)) results.push(r);
  }
  const byOp = new Map(summarizeNodeTests(results).map((s) => [s.op, s]));
  const rows = [...claimed].sort().map((op) => byOp.get(op) ?? { op, pass: 0, fail: 0, error: 0, unsupported: 0, total: 0 });
  const lines = ['| op | pass/total | fail | error | unsupported |', '|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.op} | ${r.pass}/${r.total} | ${r.fail} | ${r.error} | ${r.unsupported} |`);
  const sum = (k: 'pass' | 'fail' | 'error' | 'unsupported' | 'total'): number => rows.reduce((a, r) => a + r[k], 0);
  lines.push(`| **all (${rows.length} ops)** | **${sum('pass')}/${sum('total')}** | ${sum('fail')} | ${sum('error')} | ${sum('unsupported')} |`);
  return { rows, results, markdown: lines.join('\n') };
}

/** CLI: `node tools/dist/node-test-table.js [dir] [--failures]`. */
export function nodeTestTableMain(argv: readonly string[] = process.argv.slice(2)): number {
  const dir = argv.find((a) => !a.startsWith('--')) ?? DEBIAN_NODE_TEST_DIR;
  const { markdown, results } = nodeTestTable(dir);
  if (results.length === 0) {
    process.stderr.write(`no ONNX node tests found in ${dir} (install Debian's libonnx-testdata)\n`);
    return 1;
  }
  process.stdout.write(`${markdown}\n`);
  if (argv.includes('--failures')) {
    for (const r of results) if (r.status !== 'pass') process.stdout.write(`${r.status}\t${r.name}\t${r.message}\n`);
  }
  return 0;
}

// Bundling may move this module into a shared chunk, so recognise the CLI by the script name instead of import.meta.url.
if (process.argv[1] && basename(process.argv[1]) === 'node-test-table.js') process.exitCode = nodeTestTableMain();
