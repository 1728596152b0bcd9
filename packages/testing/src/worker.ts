/**
 * Worker module of the conformance kit, run through core's worker pool. The task's `pluginUrl` makes core's worker
 * entry import and register the plugin's main module in the worker first; this export then reports what the worker's
 * registry holds and what the plugin's worker module exports.
 */
import { QuantforgeError, getPlugin, listPlugins } from '@quantforge/core';

/** Options of {@link probePlugin}. */
export interface ProbeOptions {
  name: string;
  workerUrl?: string;
}

/** What a worker thread sees of a plugin. */
export interface ProbeReport {
  registered: string[];
  found: boolean;
  schemes: string[];
  targets: string[];
  workerExports: string[];
}

/**
 * Reports the worker-side view of a plugin (run it with `pluginUrl` set to the plugin's main module URL).
 *
 * @example
 * ```ts
 * await pool.run({ workerUrl: probeUrl, export: 'probePlugin', pluginUrl: plugin.mainUrl, options: { name, workerUrl } });
 * ```
 */
export async function probePlugin(options: ProbeOptions): Promise<ProbeReport> {
  const plugin = getPlugin(options.name);
  let workerExports: string[] = [];
  if (options.workerUrl !== undefined) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(options.workerUrl)) as Record<string, unknown>;
    } catch (cause) {
      throw new QuantforgeError('QF_PLUGIN_LOAD', `the worker module ${options.workerUrl} failed to import in a worker: ${(cause as Error).message}`, {
        details: { workerUrl: options.workerUrl },
      });
    }
    workerExports = Object.keys(mod).filter((k) => typeof mod[k] === 'function').sort();
  }
  return {
    registered: listPlugins().map((p) => p.name),
    found: plugin !== undefined,
    schemes: Object.keys(plugin?.schemes ?? {}).sort(),
    targets: Object.keys(plugin?.targets ?? {}).sort(),
    workerExports,
  };
}
