export { HOST_API_VERSION, assertHostApi } from './host-api.js';
export { MANIFEST_KEY, validateManifest, type PluginKind, type PluginManifest } from './manifest.js';
export type { PluginFactory, ProviderBase, ProviderMatch, QuantforgePlugin, SchemeProvider, TargetProvider } from './types.js';
export {
  assertPluginValue,
  definePlugin,
  findScheme,
  findTarget,
  getPlugin,
  listPlugins,
  registerPlugin,
  requireProvider,
  unregisterPlugin,
} from './registry.js';
export { loadPlugin, resolvePluginPackage, type LoadPluginOptions, type PluginPackage } from './loader.js';
