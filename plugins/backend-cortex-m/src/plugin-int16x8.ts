import { definePlugin, targetProviders, type QuantforgePlugin } from '@quantforge/core';
import { cortexMInt16x8Backend } from './backend.js';
import { cortexMPlugin } from './plugin.js';

/**
 * The `cortex-m-int16x8` backend plugin: the int16x8 variant targets (`cortex-m4-int16x8`, ...) of the same package,
 * a separate plugin value so the int8 plugin's target list stays as its manifest declares it.
 *
 * @example
 * ```ts
 * import { cortexMInt16x8Plugin } from '@quantforge/backend-cortex-m';
 * pipeline.target(cortexMInt16x8Plugin, { target: 'cortex-m4-int16x8' });
 * ```
 */
export const cortexMInt16x8Plugin: QuantforgePlugin = definePlugin({
  name: 'cortex-m-int16x8',
  kind: 'backend',
  version: cortexMPlugin.version,
  hostApi: '^1.0.0',
  packageName: '@quantforge/backend-cortex-m',
  mainUrl: import.meta.url,
  workerUrl: new URL('./worker.js', import.meta.url).href,
  targets: targetProviders(cortexMInt16x8Backend),
});
