import type { PluginKind, PluginManifest } from './manifest.js';

/**
 * The least every provider (a scheme or a target) has: a name unique across all registered plugins. The quantization
 * contract in `core/src/quant` refines these; the registry only needs the name.
 */
export interface ProviderBase {
  name: string;
  describe?(): string;
  [key: string]: unknown;
}

/** A quantization scheme a plugin provides (e.g. `uniform`, `logquant`). */
export interface SchemeProvider extends ProviderBase {}

/**
 * A deployment target a backend plugin provides (e.g. `cortex-m55`, `edgetpu`). Backends register `BackendTarget`s
 * (core's `backend/` contract: the target's profile and its backend; build them with `targetProviders`), which
 * `isBackendTarget` recognises; the registry itself needs only the name.
 */
export interface TargetProvider extends ProviderBase {}

/**
 * A plugin, passed by value (`pipeline.use(plugin)`) or loaded by name with `loadPlugin`. It must be structured-clone
 * free: it stays on the main thread; workers import the plugin's modules themselves.
 *
 * @example
 * ```ts
 * const plugin: QuantforgePlugin = {
 *   name: 'scheme-scale', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0',
 *   schemes: { scale: { name: 'scale', describe: () => 'multiplies by a factor' } },
 * };
 * ```
 */
export interface QuantforgePlugin {
  name: string;
  kind: PluginKind;
  /** The plugin package's version (semver). */
  version: string;
  /** Host API range the plugin supports; checked against `HOST_API_VERSION` when registering. */
  hostApi: string;
  /** Set by the loader from package.json. */
  manifest?: PluginManifest;
  /** npm package name; two values with the same name, version and package are the same plugin. */
  packageName?: string;
  /** Absolute file URL of the plugin's main module (set by the loader). */
  mainUrl?: string;
  /** Absolute file URL of the plugin's worker module (set by the loader from `manifest.worker`). */
  workerUrl?: string;
  schemes?: Record<string, SchemeProvider>;
  targets?: Record<string, TargetProvider>;
}

/** A default export that builds the plugin value (called without arguments by the loader). */
export type PluginFactory = () => QuantforgePlugin | Promise<QuantforgePlugin>;

/** A provider found in the registry, with the plugin that registered it. */
export interface ProviderMatch<P extends ProviderBase> {
  plugin: QuantforgePlugin;
  provider: P;
}
