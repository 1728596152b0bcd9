import { readFileSync } from 'node:fs';
import { definePlugin, targetProviders, type QuantforgePlugin } from '@quantforge/core';
import { cortexMBackend } from './backend.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The `cortex-m` backend plugin value (default export): one target per CPU, each a provider carrying its profile and
 * the backend.
 *
 * @example
 * ```ts
 * import cortexM from '@quantforge/backend-cortex-m';
 * registerPlugin(cortexM);
 * findTarget('cortex-m4')?.plugin.name; // 'cortex-m'
 * ```
 */
export const cortexMPlugin: QuantforgePlugin = definePlugin({
  name: 'cortex-m',
  kind: 'backend',
  version: packageJson.version,
  hostApi: '^1.0.0',
  packageName: '@quantforge/backend-cortex-m',
  mainUrl: import.meta.url,
  workerUrl: new URL('./worker.js', import.meta.url).href,
  targets: targetProviders(cortexMBackend),
});
