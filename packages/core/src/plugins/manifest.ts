import semver from 'semver';
import { QuantforgeError } from '../errors/error.js';

/** What a plugin is: a quantization scheme provider or a deployment-target backend. */
export type PluginKind = 'scheme' | 'backend';

/**
 * The `"quantforge"` key of a plugin's `package.json`. It is read without executing plugin code, so the CLI can list
 * what a plugin provides and check its host API range before importing it.
 *
 * @example
 * ```json
 * "quantforge": {
 *   "manifestVersion": 1, "kind": "scheme", "name": "scheme-uniform", "hostApi": "^1.0.0",
 *   "main": "./dist/index.js", "worker": "./dist/worker.js",
 *   "provides": { "schemes": ["uniform"] }, "fixtures": "./fixtures"
 * }
 * ```
 */
export interface PluginManifest {
  manifestVersion: 1;
  kind: PluginKind;
  /** Plugin name; the plugin value's `name` must equal it. */
  name: string;
  /** Semver range of host API versions the plugin supports (see `HOST_API_VERSION`). */
  hostApi: string;
  /** Main-thread module, relative to the package folder; its default export is the plugin value or a factory. */
  main: string;
  /** Worker module, relative to the package folder; its named exports are called by the worker pool. */
  worker?: string;
  provides: { schemes?: string[]; targets?: string[] };
  /** Folder of conformance cases, relative to the package folder (see `@quantforge/testing`). */
  fixtures?: string;
}

/**
 * The package.json key that holds the manifest.
 *
 * @example
 * ```ts
 * const manifest = packageJson[MANIFEST_KEY];
 * ```
 */
export const MANIFEST_KEY = 'quantforge';

const KEYS = new Set(['$schema', 'manifestVersion', 'kind', 'name', 'hostApi', 'main', 'worker', 'provides', 'fixtures']);
const PROVIDES_KEYS = new Set(['schemes', 'targets']);
const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

interface Problem {
  key: string;
  message: string;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v);
}

/** A package-relative path: starts with "./", never climbs out with "..". */
function checkRelativePath(v: unknown, key: string, problems: Problem[]): void {
  if (typeof v !== 'string' || !v.startsWith('./') || v.split(/[\\/]/).includes('..')) {
    problems.push({ key, message: `${key} must be a path inside the package starting with "./" (got ${show(v)})` });
  }
}

function checkNameList(v: unknown, key: string, problems: Problem[]): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || !NAME.test(s))) {
    problems.push({ key, message: `${key} must be a list of lower-case names (got ${show(v)})` });
    return;
  }
  if (new Set(v).size !== v.length) problems.push({ key, message: `${key} lists a name twice (got ${show(v)})` });
}

function checkProvides(m: Json, problems: Problem[]): void {
  const p = m.provides;
  if (!isObject(p)) {
    problems.push({ key: 'quantforge.provides', message: `quantforge.provides must be an object like { "schemes": [...] } (got ${show(p)})` });
    return;
  }
  for (const k of Object.keys(p)) {
    if (!PROVIDES_KEYS.has(k)) problems.push({ key: `quantforge.provides.${k}`, message: `quantforge.provides.${k} is not a known key (use schemes or targets)` });
  }
  checkNameList(p.schemes, 'quantforge.provides.schemes', problems);
  checkNameList(p.targets, 'quantforge.provides.targets', problems);
  const wanted = m.kind === 'scheme' ? 'schemes' : m.kind === 'backend' ? 'targets' : undefined;
  const list = wanted === undefined ? undefined : p[wanted];
  if (wanted !== undefined && !(Array.isArray(list) && list.length > 0)) {
    problems.push({ key: `quantforge.provides.${wanted}`, message: `a ${String(m.kind)} plugin must list at least one name in quantforge.provides.${wanted}` });
  }
}

function collectProblems(m: Json): Problem[] {
  const problems: Problem[] = [];
  for (const k of Object.keys(m)) {
    if (!KEYS.has(k)) problems.push({ key: `quantforge.${k}`, message: `quantforge.${k} is not a known manifest key` });
  }
  if (m.manifestVersion !== 1) {
    problems.push({ key: 'quantforge.manifestVersion', message: `quantforge.manifestVersion must be 1 (got ${show(m.manifestVersion)})` });
  }
  if (m.kind !== 'scheme' && m.kind !== 'backend') {
    problems.push({ key: 'quantforge.kind', message: `quantforge.kind must be "scheme" or "backend" (got ${show(m.kind)})` });
  }
  if (typeof m.name !== 'string' || !NAME.test(m.name)) {
    problems.push({ key: 'quantforge.name', message: `quantforge.name must be a lower-case name like "scheme-uniform" (got ${show(m.name)})` });
  }
  if (typeof m.hostApi !== 'string' || semver.validRange(m.hostApi) === null) {
    problems.push({ key: 'quantforge.hostApi', message: `quantforge.hostApi must be a semver range like "^1.0.0" (got ${show(m.hostApi)})` });
  }
  checkRelativePath(m.main, 'quantforge.main', problems);
  if (m.worker !== undefined) checkRelativePath(m.worker, 'quantforge.worker', problems);
  if (m.fixtures !== undefined) checkRelativePath(m.fixtures, 'quantforge.fixtures', problems);
  checkProvides(m, problems);
  return problems;
}

/**
 * Validates the `"quantforge"` key of a parsed `package.json` and returns it typed. Every problem is reported at once;
 * the error's `details.key` names the first offending key and `details.problems` lists all of them.
 *
 * @param json the parsed package.json
 * @param packageName used in messages when `json.name` is absent
 * @throws QuantforgeError `QF_MANIFEST_MISSING` when there is no `quantforge` key, `QF_MANIFEST_INVALID` otherwise
 * @example
 * ```ts
 * const pkg = JSON.parse(readFileSync('node_modules/qf-scheme-x/package.json', 'utf8'));
 * const manifest = validateManifest(pkg);
 * console.log(manifest.provides.schemes);
 * ```
 */
export function validateManifest(json: unknown, packageName?: string): PluginManifest {
  const pkgName = isObject(json) && typeof json.name === 'string' ? json.name : (packageName ?? 'the package');
  if (!isObject(json) || json[MANIFEST_KEY] === undefined) {
    throw new QuantforgeError('QF_MANIFEST_MISSING', `${pkgName} has no "quantforge" key in its package.json, so it is not a Quantforge plugin`, {
      details: { package: pkgName, key: MANIFEST_KEY },
      hint: 'Add a "quantforge" manifest (manifestVersion, kind, name, hostApi, main, provides) to the plugin\'s package.json.',
    });
  }
  const m = json[MANIFEST_KEY];
  const problems: Problem[] = isObject(m)
    ? collectProblems(m)
    : [{ key: MANIFEST_KEY, message: `quantforge must be an object (got ${show(m)})` }];
  if (problems.length > 0) {
    throw new QuantforgeError('QF_MANIFEST_INVALID', `invalid quantforge manifest in ${pkgName}: ${problems.map((p) => p.message).join('; ')}`, {
      details: { package: pkgName, key: problems[0]!.key, problems },
      hint: 'Fix the listed keys of "quantforge" in the plugin\'s package.json.',
    });
  }
  return structuredClone(m) as unknown as PluginManifest;
}
