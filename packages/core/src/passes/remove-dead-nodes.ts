import { subgraphsOf } from '../ir/attributes.js';
import type { Graph, Node } from '../ir/graph.js';
import { nodeReads } from './scope.js';

/** What {@link removeDeadNodes} dropped, over all nested graphs. */
export interface RemoveDeadNodesResult {
  nodes: number;
  initializers: number;
}

export interface RemoveDeadNodesOptions {
  /** Values of the top-level graph to keep alive as if they were outputs (e.g. read by training graphs). */
  keep?: Iterable<string>;
}

/**
 * Removes nodes whose outputs reach no graph output, and initializers nothing reads (initializers that are also listed
 * as graph inputs stay: they are overridable inputs with defaults). Values read implicitly by subgraphs keep their
 * producers alive. Dead nodes inside subgraphs are removed first, so an outer node only a dead inner node read also
 * goes. Mutates the graph in place; annotations (`valueInfo`) of removed values are dropped too.
 *
 * @example
 * ```ts
 * const { nodes, initializers } = removeDeadNodes(model.graph);
 * ```
 */
export function removeDeadNodes(graph: Graph, options: RemoveDeadNodesOptions = {}): RemoveDeadNodesResult {
  const result: RemoveDeadNodesResult = { nodes: 0, initializers: 0 };
  for (const n of graph.nodes) {
    for (const g of subgraphsOf(n)) {
      const inner = removeDeadNodes(g);
      result.nodes += inner.nodes;
      result.initializers += inner.initializers;
    }
  }

  const producers = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o !== '') producers.set(o, n);
  const live = new Set<Node>();
  const needed = new Set<string>();
  const stack: string[] = [];
  const need = (name: string): void => {
    if (name === '' || needed.has(name)) return;
    needed.add(name);
    stack.push(name);
  };
  for (const v of graph.outputs) need(v.name);
  for (const name of options.keep ?? []) need(name);
  // A worklist instead of a reverse topological walk: it needs no order and terminates on cyclic graphs too.
  while (stack.length > 0) {
    const node = producers.get(stack.pop()!);
    if (node === undefined || live.has(node)) continue;
    live.add(node);
    for (const name of nodeReads(node)) need(name);
  }

  const removedValues = new Set<string>();
  const kept: Node[] = [];
  for (const n of graph.nodes) {
    if (live.has(n)) kept.push(n);
    else for (const o of n.outputs) if (o !== '') removedValues.add(o);
  }
  result.nodes += graph.nodes.length - kept.length;
  graph.nodes.length = 0;
  for (const n of kept) graph.nodes.push(n);

  const inputs = new Set(graph.inputs.map((v) => v.name));
  for (const name of [...graph.initializers.keys()]) {
    if (needed.has(name) || inputs.has(name)) continue;
    graph.initializers.delete(name);
    removedValues.add(name);
    result.initializers++;
  }
  if (removedValues.size > 0) graph.valueInfo = graph.valueInfo.filter((v) => !removedValues.has(v.name));
  return result;
}
