import { QuantforgeError } from '../errors/error.js';
import type { QuantforgePlugin } from '../plugins/types.js';
import type { WorkerTask } from './protocol.js';

/**
 * Builds a task that calls `exportName` of a loaded plugin's worker module and registers the plugin (from its main
 * module) in the worker first, so worker code can look up its own providers.
 *
 * @throws QuantforgeError `QF_PLUGIN_LOAD` when the plugin has no worker module URL (not loaded with `loadPlugin`, or its manifest lacks `worker`)
 * @example
 * ```ts
 * const plugin = await loadPlugin('@quantforge/scheme-uniform', { projectDir });
 * const { tensors } = await pool.run(pluginTask(plugin, 'quantize', { options: { bits: 8 }, tensors: { w }, transfer: 'move' }));
 * ```
 */
export function pluginTask(plugin: QuantforgePlugin, exportName: string, rest: Omit<WorkerTask, 'workerUrl' | 'export' | 'pluginUrl'> = {}): WorkerTask {
  if (plugin.workerUrl === undefined) {
    throw new QuantforgeError('QF_PLUGIN_LOAD', `plugin "${plugin.name}" has no worker module to run "${exportName}" in`, {
      details: { plugin: plugin.name, export: exportName },
      hint: 'Load the plugin with loadPlugin (which resolves manifest.worker to a file URL) and declare "worker" in its manifest.',
    });
  }
  const task: WorkerTask = { ...rest, workerUrl: plugin.workerUrl, export: exportName };
  if (plugin.mainUrl !== undefined) task.pluginUrl = plugin.mainUrl;
  return task;
}
