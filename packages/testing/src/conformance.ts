import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  assertHostApi, createWorkerPool, getPlugin, isQuantforgeError, loadPlugin, unregisterPlugin, validateManifest,
  type PluginManifest, type WorkerPool,
} from '@quantforge/core';
import { listCases, readCase, type ConformanceCase } from './case.js';
import { compareTensors } from './compare.js';
import type { ProbeReport } from './worker.js';

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** Reuse a pool (else one is created with `workers` threads and destroyed afterwards). */
  pool?: WorkerPool;
  workers?: number;
  /** Per-task timeout; default 30 s. */
  timeoutMs?: number;
  /** Cases folder to run instead of the manifest's `fixtures`. */
  fixturesDir?: string;
}

/** The outcome of one check. `skip` means it could not run (an earlier check failed) or does not apply. */
export interface ConformanceCheck {
  id: string;
  status: 'pass' | 'fail' | 'skip';
  message: string;
  details?: Record<string, unknown>;
}

/** Everything {@link runConformance} found. `ok` is true when no check failed. */
export interface ConformanceResult {
  pluginDir: string;
  plugin?: string;
  ok: boolean;
  checks: ConformanceCheck[];
}

/** Ids of the checks that always run, in order; each case adds `fixture:<case>`. */
export const BASE_CHECKS = ['manifest', 'host-api', 'main', 'worker', 'fixtures'] as const;

const PROBE_URL = new URL('./worker.js', import.meta.url).href;

function describeError(e: unknown): string {
  if (isQuantforgeError(e)) return `${(e as { code: string }).code}: ${(e as Error).message}`;
  return e instanceof Error ? e.message : String(e);
}

/** The plugin folder as an absolute path (accepts a path, a file URL string or a URL). */
export function pluginDirPath(pluginDir: string | URL): string {
  return typeof pluginDir !== 'string' ? fileURLToPath(pluginDir) : pluginDir.startsWith('file:') ? fileURLToPath(pluginDir) : resolve(pluginDir);
}

/** The cases folder a run would use, or undefined when none is declared. Never throws. */
export function fixturesDirOf(dir: string, options: ConformanceOptions): string | undefined {
  if (options.fixturesDir !== undefined) return resolve(options.fixturesDir);
  try {
    const fixtures = validateManifest(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).fixtures;
    return fixtures === undefined ? undefined : join(dir, fixtures);
  } catch {
    return undefined;
  }
}

class Checks {
  readonly list: ConformanceCheck[] = [];
  pass(id: string, message: string, details?: Record<string, unknown>): void {
    this.list.push(details === undefined ? { id, status: 'pass', message } : { id, status: 'pass', message, details });
  }
  fail(id: string, message: string, details?: Record<string, unknown>): void {
    this.list.push(details === undefined ? { id, status: 'fail', message } : { id, status: 'fail', message, details });
  }
  skip(id: string, message: string): void {
    this.list.push({ id, status: 'skip', message });
  }
}

async function checkMain(checks: Checks, dir: string, manifest: PluginManifest): Promise<void> {
  const before = getPlugin(manifest.name);
  try {
    const p = await loadPlugin(dir, { projectDir: dir });
    checks.pass('main', `main module ${manifest.main} exports plugin "${p.name}" ${p.version} matching its manifest`);
  } catch (e) {
    checks.fail('main', describeError(e));
  } finally {
    // Leave the caller's registry as it was.
    if (before === undefined) unregisterPlugin(manifest.name);
  }
}

function compareProbe(report: ProbeReport, manifest: PluginManifest, cases: ConformanceCase[]): string[] {
  const problems: string[] = [];
  if (!report.found) problems.push(`plugin "${manifest.name}" is not registered in the worker after importing its main module (registered: ${report.registered.join(', ') || 'none'})`);
  for (const s of manifest.provides.schemes ?? []) if (!report.schemes.includes(s)) problems.push(`scheme "${s}" is missing in the worker`);
  for (const t of manifest.provides.targets ?? []) if (!report.targets.includes(t)) problems.push(`target "${t}" is missing in the worker`);
  for (const c of cases) {
    if (!report.workerExports.includes(c.export)) problems.push(`case ${c.id} calls "${c.export}", which the worker module does not export (exports: ${report.workerExports.join(', ') || 'none'})`);
  }
  return problems;
}

async function checkWorker(checks: Checks, pool: WorkerPool, dir: string, manifest: PluginManifest, cases: ConformanceCase[], timeoutMs: number): Promise<void> {
  const mainUrl = pathToFileURL(join(dir, manifest.main)).href;
  const workerUrl = manifest.worker === undefined ? undefined : pathToFileURL(join(dir, manifest.worker)).href;
  if (workerUrl !== undefined && !existsSync(fileURLToPath(workerUrl))) {
    checks.fail('worker', `worker module ${manifest.worker} does not exist (is the plugin built?)`);
    return;
  }
  try {
    const options = workerUrl === undefined ? { name: manifest.name } : { name: manifest.name, workerUrl };
    const { value } = await pool.run<ProbeReport>({ workerUrl: PROBE_URL, export: 'probePlugin', pluginUrl: mainUrl, options, timeoutMs });
    const problems = compareProbe(value, manifest, cases);
    if (problems.length > 0) checks.fail('worker', problems.join('; '), { report: value });
    else checks.pass('worker', `in a worker, "${manifest.name}" registers and its worker module exports ${value.workerExports.join(', ') || 'nothing'}`);
  } catch (e) {
    checks.fail('worker', `loading the plugin in a worker failed: ${describeError(e)}`);
  }
}

async function runCase(checks: Checks, pool: WorkerPool, dir: string, manifest: PluginManifest, c: ConformanceCase, timeoutMs: number): Promise<void> {
  const id = `fixture:${c.id}`;
  if (manifest.worker === undefined) {
    checks.fail(id, 'the manifest declares no worker module to run the case in');
    return;
  }
  const task = {
    workerUrl: pathToFileURL(join(dir, manifest.worker)).href, export: c.export, options: c.options, tensors: c.inputs,
    transfer: c.transfer, pluginUrl: pathToFileURL(join(dir, manifest.main)).href, timeoutMs,
  };
  let result;
  try {
    result = await pool.run(task);
  } catch (e) {
    const want = c.expect.error;
    const code = isQuantforgeError(e) ? (e as { code: string }).code : undefined;
    if (want === undefined) checks.fail(id, `"${c.export}" failed: ${describeError(e)}`);
    else if (code !== want.code) checks.fail(id, `"${c.export}" failed with ${code ?? 'an uncoded error'}, expected ${want.code}: ${describeError(e)}`);
    else if (want.message !== undefined && !(e as Error).message.includes(want.message)) checks.fail(id, `"${c.export}" failed with ${code} but the message lacks ${JSON.stringify(want.message)}: ${(e as Error).message}`);
    else checks.pass(id, `"${c.export}" failed as expected with ${code}`);
    return;
  }
  if (c.expect.error !== undefined) {
    checks.fail(id, `"${c.export}" succeeded, expected it to fail with ${c.expect.error.code}`);
    return;
  }
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(c.expect.outputs)) {
    const actual = result.tensors[name];
    if (actual === undefined) problems.push(`output ${name} is missing (got: ${Object.keys(result.tensors).join(', ') || 'no tensors'})`);
    else {
      const why = compareTensors(actual, expected, c.expect.tolerance);
      if (why !== undefined) problems.push(`output ${name}: ${why}`);
    }
  }
  if ('value' in c.expect && !isDeepStrictEqual(result.value, c.expect.value)) {
    problems.push(`value is ${JSON.stringify(result.value)}, expected ${JSON.stringify(c.expect.value)}`);
  }
  if (problems.length > 0) checks.fail(id, problems.join('; '));
  else checks.pass(id, `"${c.export}" matches ${Object.keys(c.expect.outputs).length} expected output(s)${c.description ? ` (${c.description})` : ''}`);
}

function readCases(checks: Checks, fixturesDir: string | undefined, declared: boolean): ConformanceCase[] {
  if (fixturesDir === undefined) {
    checks.skip('fixtures', 'the manifest declares no fixtures');
    return [];
  }
  const names = listCases(fixturesDir);
  if (names.length === 0) {
    checks.fail('fixtures', `${declared ? 'the declared ' : ''}fixtures folder ${fixturesDir} holds no case folders with a case.json`);
    return [];
  }
  const cases: ConformanceCase[] = [];
  const broken: string[] = [];
  for (const name of names) {
    try {
      cases.push(readCase(join(fixturesDir, name)));
    } catch (e) {
      broken.push(name);
      checks.fail(`fixture:${name}`, describeError(e));
    }
  }
  if (broken.length > 0) checks.fail('fixtures', `${broken.length} of ${names.length} cases could not be read: ${broken.join(', ')}`);
  else checks.pass('fixtures', `${names.length} case(s) in ${fixturesDir}`);
  return cases;
}

/**
 * Runs the conformance checks on a plugin folder (its package.json and built modules): the manifest, the host API
 * range, the main module on this thread, the plugin inside a worker thread (through core's worker pool), and every
 * fixture case. Plugin problems become failed checks; it throws only for a bad argument.
 *
 * @example
 * ```ts
 * const result = await runConformance(new URL('..', import.meta.url));
 * for (const c of result.checks) console.log(c.status, c.id, c.message);
 * ```
 */
export async function runConformance(pluginDir: string | URL, options: ConformanceOptions = {}): Promise<ConformanceResult> {
  const dir = pluginDirPath(pluginDir);
  const checks = new Checks();
  let manifest: PluginManifest;
  try {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) throw new Error(`${file} does not exist`);
    manifest = validateManifest(JSON.parse(readFileSync(file, 'utf8')), dir);
    checks.pass('manifest', `manifest of ${manifest.kind} plugin "${manifest.name}" is valid`);
  } catch (e) {
    checks.fail('manifest', describeError(e));
    for (const id of BASE_CHECKS.slice(1)) checks.skip(id, 'skipped: the manifest is not valid');
    return { pluginDir: dir, ok: false, checks: checks.list };
  }
  try {
    assertHostApi(manifest.hostApi, manifest.name);
    checks.pass('host-api', `host API range ${manifest.hostApi} is met`);
  } catch (e) {
    checks.fail('host-api', describeError(e));
    for (const id of BASE_CHECKS.slice(2)) checks.skip(id, 'skipped: the host API range is not met');
    return { pluginDir: dir, plugin: manifest.name, ok: false, checks: checks.list };
  }
  await checkMain(checks, dir, manifest);
  const fixturesDir = options.fixturesDir !== undefined ? resolve(options.fixturesDir) : manifest.fixtures === undefined ? undefined : join(dir, manifest.fixtures);
  const caseChecks = new Checks();
  const cases = readCases(caseChecks, fixturesDir, options.fixturesDir === undefined);
  const pool = options.pool ?? createWorkerPool(options.workers === undefined ? {} : { workers: options.workers });
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    await checkWorker(checks, pool, dir, manifest, cases, timeoutMs);
    checks.list.push(...caseChecks.list.filter((c) => c.id === 'fixtures'));
    checks.list.push(...caseChecks.list.filter((c) => c.id !== 'fixtures'));
    for (const c of cases) await runCase(checks, pool, dir, manifest, c, timeoutMs);
  } finally {
    if (options.pool === undefined) await pool.destroy();
  }
  return { pluginDir: dir, plugin: manifest.name, ok: checks.list.every((c) => c.status !== 'fail'), checks: checks.list };
}
