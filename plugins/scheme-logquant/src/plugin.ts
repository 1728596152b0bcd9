import { readFileSync } from 'node:fs';
import { definePlugin, schemeProvider, type QuantforgePlugin, type SchemeUse } from '@quantforge/core';
import { resolveLogQuantOptions, type LogQuantOptions } from './options.js';
import { logQuantScheme } from './scheme.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The `scheme-logquant` plugin value (default export of the package): provides the `logquant` scheme; its worker
 * module is `dist/worker.js` next to this module.
 *
 * @example
 * ```ts
 * import logQuantPlugin from '@quantforge/scheme-logquant';
 * registerPlugin(logQuantPlugin);
 * ```
 */
export const logQuantPlugin: QuantforgePlugin = definePlugin({
  name: 'scheme-logquant',
  kind: 'scheme',
  version: packageJson.version,
  hostApi: '^1.0.0',
  packageName: '@quantforge/scheme-logquant',
  // Only bundled into dist/index.js, so both URLs point at the built modules.
  mainUrl: import.meta.url,
  workerUrl: new URL('./worker.js', import.meta.url).href,
  schemes: { logquant: schemeProvider(logQuantScheme) },
});

/**
 * The LogQuant scheme with options, for `pipeline.use(...)`; options are validated now (`QF_OPTIONS_INVALID`).
 *
 * @example
 * ```ts
 * quantforge(model).use(logQuant({ bits: 4, base: 'sqrt2', fsr: 'search' })).recipe({ scheme: 'logquant', mode: 'static' });
 * ```
 */
export function logQuant(options: LogQuantOptions = {}): SchemeUse {
  const { calibrator, ...rest } = resolveLogQuantOptions(options);
  // The calibrator is derived from fsr unless given, so only a written one is passed on.
  return { plugin: logQuantPlugin, scheme: 'logquant', options: options.calibrator === undefined ? rest : { ...rest, calibrator } };
}
