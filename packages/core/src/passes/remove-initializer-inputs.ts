import type { Graph } from '../ir/graph.js';

/**
 * Removes graph inputs that only name an initializer. Before IR version 4 every initializer had to be listed as a
 * graph input, so old exports carry all their weights as "inputs"; runtimes then treat them as overridable and refuse
 * to fold them. Dropping the listing makes them plain constants again. Mutates the graph in place.
 *
 * @returns how many inputs were removed.
 * @example
 * ```ts
 * if (model.irVersion < 4) { removeInitializerInputs(model.graph); model.irVersion = 4; }
 * ```
 */
export function removeInitializerInputs(graph: Graph): number {
  const before = graph.inputs.length;
  graph.inputs = graph.inputs.filter((v) => !graph.initializers.has(v.name));
  return before - graph.inputs.length;
}
