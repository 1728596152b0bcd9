import { readFileSync } from 'node:fs';
import { definePlugin, schemeProvider, type QuantforgePlugin, type SchemeUse } from '@quantforge/core';
import { resolveVqOptions, type VqOptionsInput } from './options.js';
import { kmeansScheme, pqScheme } from './scheme.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The `scheme-vq` plugin value (default export of the package): provides the `kmeans` and `pq` schemes; its worker
 * module is `dist/worker.js` next to this module.
 *
 * @example
 * ```ts
 * import vqPlugin from '@quantforge/scheme-vq';
 * registerPlugin(vqPlugin);
 * findScheme('pq')?.plugin.name; // 'scheme-vq'
 * ```
 */
export const vqPlugin: QuantforgePlugin = definePlugin({
  name: 'scheme-vq',
  kind: 'scheme',
  version: packageJson.version,
  hostApi: '^1.0.0',
  packageName: '@quantforge/scheme-vq',
  // This file is only bundled into dist/index.js, so both URLs point at the built modules.
  mainUrl: import.meta.url,
  workerUrl: new URL('./worker.js', import.meta.url).href,
  schemes: { kmeans: schemeProvider(kmeansScheme), pq: schemeProvider(pqScheme) },
});

/**
 * The `kmeans` scheme with options, for `pipeline.use(...)`; options are merged over the k-means defaults and
 * validated now (`QF_OPTIONS_INVALID`).
 *
 * @example
 * ```ts
 * quantforge(model).use(kmeans({ bits: 4, perChannel: true, init: 'kmeans++', importance: 'square' }));
 * ```
 */
export function kmeans(options: Omit<VqOptionsInput, 'method'> = {}): SchemeUse {
  return { plugin: vqPlugin, scheme: 'kmeans', options: resolveVqOptions({ ...options, method: 'kmeans' }) as Record<string, unknown> };
}

/**
 * The `pq` (product quantization) scheme with options, for `pipeline.use(...)`; options are merged over the PQ
 * defaults and validated now (`QF_OPTIONS_INVALID`).
 *
 * @example
 * ```ts
 * quantforge(model).use(pq({ pqDim: 4, pqCentroids: 256, residual: true }));
 * ```
 */
export function pq(options: Omit<VqOptionsInput, 'method'> = {}): SchemeUse {
  return { plugin: vqPlugin, scheme: 'pq', options: resolveVqOptions({ ...options, method: 'pq' }) as Record<string, unknown> };
}
