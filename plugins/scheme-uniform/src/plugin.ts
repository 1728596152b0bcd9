import { readFileSync } from 'node:fs';
import { definePlugin, schemeProvider, type QuantforgePlugin, type SchemeUse } from '@quantforge/core';
import { resolveUniformOptions, type UniformOptions } from './options.js';
import { uniformScheme } from './scheme.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The `scheme-uniform` plugin value (default export of the package): provides the `uniform` scheme; its worker module
 * is `dist/worker.js` next to this module. Register it by value (`pipeline.use(uniformPlugin)`) or let the CLI load
 * it by package name.
 *
 * @example
 * ```ts
 * import uniformPlugin from '@quantforge/scheme-uniform';
 * registerPlugin(uniformPlugin);
 * findScheme('uniform')?.plugin.name; // 'scheme-uniform'
 * ```
 */
export const uniformPlugin: QuantforgePlugin = definePlugin({
  name: 'scheme-uniform',
  kind: 'scheme',
  version: packageJson.version,
  hostApi: '^1.0.0',
  packageName: '@quantforge/scheme-uniform',
  // This file is only bundled into dist/index.js, so both URLs point at the built modules.
  mainUrl: import.meta.url,
  workerUrl: new URL('./worker.js', import.meta.url).href,
  schemes: { uniform: schemeProvider(uniformScheme) },
});

/**
 * The uniform scheme with options, for `pipeline.use(...)`. Options are merged over the defaults field by field and
 * validated now (`QF_OPTIONS_INVALID` listing every problem), so a typo fails where it was written.
 *
 * @example
 * ```ts
 * quantforge(model).use(uniform({ weights: { bits: 4, granularity: 'per-group', blockSize: 32 }, calibrator: 'entropy' }));
 * quantforge(model).use(uniform({ weights: parseFormatSpec('int8,per-channel,sym') }));
 * ```
 */
export function uniform(options: UniformOptions = {}): SchemeUse {
  return { plugin: uniformPlugin, scheme: 'uniform', options: resolveUniformOptions(options) as Record<string, unknown> };
}
