import semver from 'semver';
import { QuantforgeError } from '../errors/error.js';
import { assertHostApi } from './host-api.js';
import type { ProviderBase, ProviderMatch, QuantforgePlugin, SchemeProvider, TargetProvider } from './types.js';

/**
 * Registry state lives on globalThis under a registered symbol so that two copies of core loaded in one process
 * (duplicate installs, a test runner loading dist twice) share one registry. Only plain Maps are stored: a future copy
 * of core must be able to read what this one wrote, so the shape is versioned by the key (`.v1`).
 */
const REGISTRY_KEY = Symbol.for('quantforge.registry.v1');
/** Points a derived plugin value (e.g. the loader's copy with URLs) at the object it came from. */
const ORIGIN_KEY = Symbol.for('quantforge.plugin.origin');

interface RegistryState {
  plugins: Map<string, QuantforgePlugin>;
  schemes: Map<string, string>;
  targets: Map<string, string>;
}

type ProviderKind = 'schemes' | 'targets';

function state(): RegistryState {
  const g = globalThis as unknown as Record<symbol, RegistryState | undefined>;
  let s = g[REGISTRY_KEY];
  if (s === undefined) {
    s = { plugins: new Map(), schemes: new Map(), targets: new Map() };
    Object.defineProperty(globalThis, REGISTRY_KEY, { value: s, enumerable: false, configurable: true, writable: false });
  }
  return s;
}

/** The object a plugin value was derived from (itself when it was not derived). */
export function pluginOrigin(p: QuantforgePlugin): object {
  const o = (p as unknown as Record<symbol, unknown>)[ORIGIN_KEY];
  return typeof o === 'object' && o !== null ? o : p;
}

/** Copies a plugin value with extra fields, remembering the original so registering either is idempotent. */
export function derivePlugin(p: QuantforgePlugin, extra: Partial<QuantforgePlugin>): QuantforgePlugin {
  const copy: QuantforgePlugin = { ...p, ...extra };
  Object.defineProperty(copy, ORIGIN_KEY, { value: pluginOrigin(p), enumerable: false });
  return copy;
}

function invalid(message: string, key: string, plugin: unknown): QuantforgeError {
  return new QuantforgeError('QF_INVALID_ARGUMENT', message, { details: { key, plugin }, hint: 'A plugin value is { name, kind, version, hostApi, schemes?, targets? }; see definePlugin.' });
}

function checkProviders(p: QuantforgePlugin, kind: ProviderKind): void {
  const record = p[kind];
  if (record === undefined) return;
  if (typeof record !== 'object' || record === null) throw invalid(`plugin "${p.name}": ${kind} must be an object keyed by name`, kind, p.name);
  for (const [key, provider] of Object.entries(record)) {
    const name = (provider as ProviderBase | null)?.name;
    if (typeof provider !== 'object' || provider === null || name !== key) {
      throw invalid(`plugin "${p.name}": ${kind}.${key} must be an object whose name is "${key}" (got ${JSON.stringify(name)})`, `${kind}.${key}`, p.name);
    }
  }
}

/**
 * Shape check of a plugin value; throws `QF_INVALID_ARGUMENT` whose `details.key` names the bad key.
 *
 * @example
 * ```ts
 * assertPluginValue(await import('./dist/index.js').then((m) => m.default));
 * ```
 */
export function assertPluginValue(value: unknown): asserts value is QuantforgePlugin {
  if (typeof value !== 'object' || value === null) throw invalid(`a plugin must be an object (got ${typeof value})`, 'plugin', null);
  const p = value as Record<string, unknown>;
  const name = typeof p.name === 'string' ? p.name : undefined;
  if (name === undefined || name.length === 0) throw invalid('a plugin needs a non-empty string name', 'name', null);
  if (p.kind !== 'scheme' && p.kind !== 'backend') throw invalid(`plugin "${name}": kind must be "scheme" or "backend" (got ${JSON.stringify(p.kind)})`, 'kind', name);
  if (typeof p.version !== 'string' || semver.valid(p.version) === null) throw invalid(`plugin "${name}": version must be a semver version (got ${JSON.stringify(p.version)})`, 'version', name);
  if (typeof p.hostApi !== 'string') throw invalid(`plugin "${name}": hostApi must be a semver range string`, 'hostApi', name);
  checkProviders(value as QuantforgePlugin, 'schemes');
  checkProviders(value as QuantforgePlugin, 'targets');
}

function samePlugin(a: QuantforgePlugin, b: QuantforgePlugin): boolean {
  if (a.name !== b.name || a.version !== b.version) return false;
  if (pluginOrigin(a) === pluginOrigin(b)) return true;
  return a.packageName !== undefined && a.packageName === b.packageName;
}

function describeOwner(p: QuantforgePlugin): string {
  return `${p.name}@${p.version}${p.packageName === undefined ? '' : ` from ${p.packageName}`}`;
}

function assertProvidersFree(s: RegistryState, p: QuantforgePlugin, kind: ProviderKind): void {
  for (const name of Object.keys(p[kind] ?? {})) {
    const owner = s[kind].get(name);
    if (owner !== undefined && owner !== p.name) {
      const label = kind === 'schemes' ? 'scheme' : 'target';
      throw new QuantforgeError('QF_PLUGIN_CONFLICT', `${label} "${name}" of plugin "${p.name}" is already provided by plugin "${owner}"`, {
        details: { [label]: name, plugin: p.name, registeredBy: owner },
        hint: `Use only one of the two plugins, or unregister "${owner}" first.`,
      });
    }
  }
}

/**
 * Registers a plugin in the process-wide registry after checking its shape and host API range. Registering the same
 * plugin again (same name and version, and the same object or the same package) is a no-op that returns the plugin
 * already registered.
 *
 * @throws QuantforgeError `QF_PLUGIN_API_MISMATCH`, `QF_PLUGIN_CONFLICT` (name or provider taken), `QF_INVALID_ARGUMENT`
 * @example
 * ```ts
 * registerPlugin(definePlugin({ name: 'scheme-scale', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0',
 *   schemes: { scale: { name: 'scale' } } }));
 * findScheme('scale')?.plugin.name; // 'scheme-scale'
 * ```
 */
export function registerPlugin(plugin: QuantforgePlugin): QuantforgePlugin {
  assertPluginValue(plugin);
  assertHostApi(plugin.hostApi, plugin.name);
  const s = state();
  const existing = s.plugins.get(plugin.name);
  if (existing !== undefined) {
    if (samePlugin(existing, plugin)) return existing;
    throw new QuantforgeError('QF_PLUGIN_CONFLICT', `plugin name "${plugin.name}" is taken by ${describeOwner(existing)}; cannot register ${describeOwner(plugin)}`, {
      details: { plugin: plugin.name, registered: { version: existing.version, packageName: existing.packageName }, incoming: { version: plugin.version, packageName: plugin.packageName } },
      hint: 'Two different plugins (or two versions of one) use the same name; install only one.',
    });
  }
  assertProvidersFree(s, plugin, 'schemes');
  assertProvidersFree(s, plugin, 'targets');
  s.plugins.set(plugin.name, plugin);
  for (const name of Object.keys(plugin.schemes ?? {})) s.schemes.set(name, plugin.name);
  for (const name of Object.keys(plugin.targets ?? {})) s.targets.set(name, plugin.name);
  return plugin;
}

/**
 * Removes a plugin and its providers (meant for tests). Returns whether it was registered.
 *
 * @example
 * ```ts
 * afterEach(() => unregisterPlugin('scheme-scale'));
 * ```
 */
export function unregisterPlugin(name: string): boolean {
  const s = state();
  const p = s.plugins.get(name);
  if (p === undefined) return false;
  s.plugins.delete(name);
  for (const kind of ['schemes', 'targets'] as const) {
    for (const [provider, owner] of s[kind]) if (owner === name) s[kind].delete(provider);
  }
  return true;
}

/**
 * The registered plugin of that name, if any.
 *
 * @example
 * ```ts
 * const p = getPlugin('scheme-uniform');
 * ```
 */
export function getPlugin(name: string): QuantforgePlugin | undefined {
  return state().plugins.get(name);
}

/**
 * All registered plugins in registration order, optionally of one kind.
 *
 * @example
 * ```ts
 * listPlugins('backend').map((p) => p.name);
 * ```
 */
export function listPlugins(kind?: QuantforgePlugin['kind']): QuantforgePlugin[] {
  const all = [...state().plugins.values()];
  return kind === undefined ? all : all.filter((p) => p.kind === kind);
}

function find<P extends ProviderBase>(kind: ProviderKind, name: string): ProviderMatch<P> | undefined {
  const s = state();
  const owner = s[kind].get(name);
  const plugin = owner === undefined ? undefined : s.plugins.get(owner);
  const provider = plugin?.[kind]?.[name];
  return plugin === undefined || provider === undefined ? undefined : { plugin, provider: provider as P };
}

/**
 * The scheme registered under `name` and the plugin that provides it.
 *
 * @example
 * ```ts
 * const match = findScheme('uniform');
 * if (match === undefined) throw new Error('install @quantforge/scheme-uniform');
 * match.plugin.workerUrl; // where its heavy work runs
 * ```
 */
export function findScheme(name: string): ProviderMatch<SchemeProvider> | undefined {
  return find<SchemeProvider>('schemes', name);
}

/**
 * The deployment target registered under `name` and the backend plugin that provides it.
 *
 * @example
 * ```ts
 * findTarget('cortex-m55')?.provider;
 * ```
 */
export function findTarget(name: string): ProviderMatch<TargetProvider> | undefined {
  return find<TargetProvider>('targets', name);
}

/**
 * Like {@link findScheme} / {@link findTarget} but throws `QF_PLUGIN_UNKNOWN` listing what is registered.
 *
 * @example
 * ```ts
 * const { plugin, provider } = requireProvider('schemes', 'logquant');
 * ```
 */
export function requireProvider(kind: 'schemes', name: string): ProviderMatch<SchemeProvider>;
export function requireProvider(kind: 'targets', name: string): ProviderMatch<TargetProvider>;
export function requireProvider(kind: ProviderKind, name: string): ProviderMatch<ProviderBase> {
  const match = find<ProviderBase>(kind, name);
  if (match !== undefined) return match;
  const known = [...state()[kind].keys()].sort();
  const label = kind === 'schemes' ? 'scheme' : 'target';
  throw new QuantforgeError('QF_PLUGIN_UNKNOWN', `no ${label} "${name}" is registered (registered: ${known.length > 0 ? known.join(', ') : 'none'})`, {
    details: { [label]: name, registered: known },
    hint: `Install and load the plugin that provides the ${label}, or check the spelling.`,
  });
}

/**
 * Identity helper that types a plugin value (or a factory returning one). It registers nothing.
 *
 * @example
 * ```ts
 * export default definePlugin({ name: 'scheme-scale', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0',
 *   schemes: { scale: { name: 'scale' } } });
 * ```
 */
export function definePlugin<T extends QuantforgePlugin | ((...args: never[]) => QuantforgePlugin | Promise<QuantforgePlugin>)>(plugin: T): T {
  return plugin;
}
