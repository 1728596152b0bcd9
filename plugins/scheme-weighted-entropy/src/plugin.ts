import { readFileSync } from 'node:fs';
import { definePlugin, schemeProvider, type QuantforgePlugin, type SchemeUse } from '@quantforge/core';
import { resolveWeightedEntropyOptions, type WeightedEntropyOptions } from './options.js';
import { weightedEntropyScheme } from './scheme.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The `scheme-weighted-entropy` plugin value (default export of the package): provides the `weighted-entropy`
 * scheme; its worker module is `dist/worker.js` next to this module.
 *
 * @example
 * ```ts
 * import weightedEntropyPlugin from '@quantforge/scheme-weighted-entropy';
 * registerPlugin(weightedEntropyPlugin);
 * ```
 */
export const weightedEntropyPlugin: QuantforgePlugin = definePlugin({
  name: 'scheme-weighted-entropy',
  kind: 'scheme',
  version: packageJson.version,
  hostApi: '^1.0.0',
  packageName: '@quantforge/scheme-weighted-entropy',
  // Only bundled into dist/index.js, so both URLs point at the built modules.
  mainUrl: import.meta.url,
  workerUrl: new URL('./worker.js', import.meta.url).href,
  schemes: { 'weighted-entropy': schemeProvider(weightedEntropyScheme) },
});

/**
 * The weighted-entropy scheme with options, for `pipeline.use(...)`; options are validated now (`QF_OPTIONS_INVALID`).
 *
 * @example
 * ```ts
 * quantforge(model).use(weightedEntropy({ levels: 12, activationBits: 4 })).recipe({ scheme: 'weighted-entropy', mode: 'static' });
 * ```
 */
export function weightedEntropy(options: WeightedEntropyOptions = {}): SchemeUse {
  return { plugin: weightedEntropyPlugin, scheme: 'weighted-entropy', options: resolveWeightedEntropyOptions(options) };
}
