import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, parse, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { QuantforgeError, isQuantforgeError } from '../errors/error.js';
import { assertHostApi } from './host-api.js';
import { validateManifest, type PluginManifest } from './manifest.js';
import { assertPluginValue, derivePlugin, registerPlugin } from './registry.js';
import type { QuantforgePlugin } from './types.js';

/** Options of {@link loadPlugin}. */
export interface LoadPluginOptions {
  /** The user's project folder: package names resolve from its node_modules, relative paths from it. */
  projectDir: string;
}

/** A plugin package found on disk. */
export interface PluginPackage {
  /** Real path of the plugin's package folder. */
  dir: string;
  /** Parsed package.json. */
  packageJson: Record<string, unknown>;
  manifest: PluginManifest;
}

function isPathSpecifier(s: string): boolean {
  return s.startsWith('.') || s.startsWith('file:') || isAbsolute(s);
}

function notFound(specifier: string, projectDir: string, lookedAt: string[]): QuantforgeError {
  return new QuantforgeError('QF_PLUGIN_NOT_FOUND', `plugin "${specifier}" was not found from ${projectDir} (looked at: ${lookedAt.join(', ')})`, {
    details: { specifier, projectDir, lookedAt },
    hint: isPathSpecifier(specifier) ? 'Check the path points at the plugin folder or its package.json.' : `Install it in the project: npm install ${specifier}`,
  });
}

/** Finds the package folder: a path (folder or package.json) or a package name walked up node_modules from projectDir. */
function findPackageDir(specifier: string, projectDir: string): string {
  const lookedAt: string[] = [];
  if (isPathSpecifier(specifier)) {
    const p = specifier.startsWith('file:') ? fileURLToPath(specifier) : resolve(projectDir, specifier);
    const candidate = p.endsWith('package.json') ? p : join(p, 'package.json');
    lookedAt.push(candidate);
    if (existsSync(candidate) && statSync(candidate).isFile()) return realpathSync(dirname(candidate));
    throw notFound(specifier, projectDir, lookedAt);
  }
  let dir = resolve(projectDir);
  const root = parse(dir).root;
  for (;;) {
    const candidate = join(dir, 'node_modules', specifier, 'package.json');
    lookedAt.push(candidate);
    if (existsSync(candidate)) return realpathSync(dirname(candidate));
    if (dir === root) break;
    dir = dirname(dir);
  }
  throw notFound(specifier, projectDir, lookedAt);
}

/**
 * Locates a plugin package and validates its manifest and host API range, without executing any plugin code.
 *
 * @throws QuantforgeError `QF_PLUGIN_NOT_FOUND`, `QF_PLUGIN_LOAD` (unreadable package.json), `QF_MANIFEST_*`, `QF_PLUGIN_API_MISMATCH`
 * @example
 * ```ts
 * const { dir, manifest } = resolvePluginPackage('qf-scheme-x', { projectDir: process.cwd() });
 * ```
 */
export function resolvePluginPackage(specifier: string, options: LoadPluginOptions): PluginPackage {
  const dir = findPackageDir(specifier, options.projectDir);
  const file = join(dir, 'package.json');
  let packageJson: Record<string, unknown>;
  try {
    packageJson = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new QuantforgeError('QF_PLUGIN_LOAD', `cannot read ${file}: ${(cause as Error).message}`, { details: { specifier, path: file }, cause });
  }
  const manifest = validateManifest(packageJson, specifier);
  assertHostApi(manifest.hostApi, manifest.name);
  return { dir, packageJson, manifest };
}

function loadError(pkg: PluginPackage, message: string, extra: Record<string, unknown> = {}, cause?: unknown): QuantforgeError {
  const opts: { details: Record<string, unknown>; hint: string; cause?: unknown } = {
    details: { plugin: pkg.manifest.name, dir: pkg.dir, ...extra },
    hint: 'Build the plugin (its dist/ must exist) and check that its main module default-exports the plugin value or a factory.',
  };
  if (cause !== undefined) opts.cause = cause;
  return new QuantforgeError('QF_PLUGIN_LOAD', message, opts);
}

async function importDefault(pkg: PluginPackage, url: string): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (cause) {
    throw loadError(pkg, `plugin "${pkg.manifest.name}": importing ${pkg.manifest.main} failed: ${(cause as Error).message}`, { main: url }, cause);
  }
  let value = mod.default;
  // A CJS module compiled with __esModule nests the real default one level down.
  if (typeof value === 'object' && value !== null && !('name' in value) && 'default' in value) value = (value as { default: unknown }).default;
  if (typeof value === 'function') {
    try {
      value = await (value as () => unknown)();
    } catch (cause) {
      if (isQuantforgeError(cause)) throw cause;
      throw loadError(pkg, `plugin "${pkg.manifest.name}": its factory threw: ${(cause as Error).message}`, { main: url }, cause);
    }
  }
  return value;
}

function checkAgainstManifest(pkg: PluginPackage, p: QuantforgePlugin): void {
  const m = pkg.manifest;
  const problems: string[] = [];
  if (p.name !== m.name) problems.push(`its name is "${p.name}" but the manifest says "${m.name}"`);
  if (p.kind !== m.kind) problems.push(`its kind is "${p.kind}" but the manifest says "${m.kind}"`);
  for (const s of m.provides.schemes ?? []) if (p.schemes?.[s] === undefined) problems.push(`the manifest lists scheme "${s}" but the plugin has none`);
  for (const t of m.provides.targets ?? []) if (p.targets?.[t] === undefined) problems.push(`the manifest lists target "${t}" but the plugin has none`);
  if (problems.length > 0) throw loadError(pkg, `plugin "${m.name}" does not match its manifest: ${problems.join('; ')}`, { problems });
}

/**
 * Loads a plugin named by package name or path, resolved **from the user's project** (never from core), validates
 * its manifest, imports its main module, registers the plugin and returns it with `mainUrl`/`workerUrl` set to
 * absolute file URLs (ready to send to workers).
 *
 * @throws QuantforgeError `QF_PLUGIN_NOT_FOUND` (details.lookedAt), `QF_PLUGIN_LOAD`, `QF_MANIFEST_*`, `QF_PLUGIN_API_MISMATCH`, `QF_PLUGIN_CONFLICT`
 * @example
 * ```ts
 * const plugin = await loadPlugin('@quantforge/scheme-uniform', { projectDir: process.cwd() });
 * await pool.run({ workerUrl: plugin.workerUrl!, export: 'quantize', options: { bits: 8 }, tensors: { w } });
 * ```
 */
export async function loadPlugin(specifier: string, options: LoadPluginOptions): Promise<QuantforgePlugin> {
  const pkg = resolvePluginPackage(specifier, options);
  const mainPath = join(pkg.dir, pkg.manifest.main);
  if (!existsSync(mainPath)) throw loadError(pkg, `plugin "${pkg.manifest.name}": main module ${pkg.manifest.main} does not exist (is the plugin built?)`, { main: mainPath });
  const mainUrl = pathToFileURL(mainPath).href;
  let workerUrl: string | undefined;
  if (pkg.manifest.worker !== undefined) {
    const workerPath = join(pkg.dir, pkg.manifest.worker);
    if (!existsSync(workerPath)) throw loadError(pkg, `plugin "${pkg.manifest.name}": worker module ${pkg.manifest.worker} does not exist (is the plugin built?)`, { worker: workerPath });
    workerUrl = pathToFileURL(workerPath).href;
  }
  const value = await importDefault(pkg, mainUrl);
  try {
    assertPluginValue(value);
  } catch (cause) {
    throw loadError(pkg, `plugin "${pkg.manifest.name}": the default export of ${pkg.manifest.main} is not a plugin: ${(cause as Error).message}`, { main: mainUrl }, cause);
  }
  checkAgainstManifest(pkg, value);
  const extra: Partial<QuantforgePlugin> = { manifest: pkg.manifest, mainUrl };
  if (workerUrl !== undefined) extra.workerUrl = workerUrl;
  if (typeof pkg.packageJson.name === 'string') extra.packageName = pkg.packageJson.name;
  const plugin = derivePlugin(value, extra);
  registerPlugin(plugin);
  return plugin;
}
