import type { Graph, Node } from '../ir/graph.js';
import { subgraphsOf } from '../ir/attributes.js';

// If/Loop/Scan bodies read values of the enclosing graphs by name, without listing them as node inputs. Every pass that
// reasons about producers and consumers has to see those implicit reads, or it would reorder or delete their producers.

/**
 * Names a graph defines itself: its inputs, initializers (dense and sparse) and node outputs.
 *
 * @example
 * ```ts
 * definedNames(branch).has('x'); // false when x comes from the enclosing graph
 * ```
 */
export function definedNames(graph: Graph): Set<string> {
  const defined = new Set<string>();
  for (const v of graph.inputs) defined.add(v.name);
  for (const name of graph.initializers.keys()) defined.add(name);
  for (const s of graph.sparseInitializers) defined.add(s.values.name);
  for (const n of graph.nodes) for (const o of n.outputs) if (o !== '') defined.add(o);
  return defined;
}

/**
 * Values a (sub)graph reads from its enclosing scopes: names used by its nodes, by nested subgraphs or by its outputs
 * that the graph does not define itself.
 *
 * @example
 * ```ts
 * const reads = outerReads(attrGraph(ifNode, 'then_branch')!); // e.g. Set { 'x' }
 * ```
 */
export function outerReads(graph: Graph): Set<string> {
  const defined = definedNames(graph);
  const out = new Set<string>();
  const use = (name: string): void => {
    if (name !== '' && !defined.has(name)) out.add(name);
  };
  for (const n of graph.nodes) for (const name of nodeReads(n)) use(name);
  for (const v of graph.outputs) use(v.name);
  return out;
}

/**
 * Every value a node depends on: its non-empty inputs plus the outer-scope values its subgraphs read, without repeats,
 * in first-use order.
 *
 * @example
 * ```ts
 * nodeReads(ifNode); // ['cond', 'x'] when a branch reads the outer value x
 * ```
 */
export function nodeReads(node: Node): string[] {
  const seen = new Set<string>();
  for (const name of node.inputs) if (name !== '') seen.add(name);
  for (const g of subgraphsOf(node)) for (const name of outerReads(g)) seen.add(name);
  return [...seen];
}

/**
 * How many times each value is read in a graph (node inputs, subgraph outer reads, graph outputs).
 *
 * @example
 * ```ts
 * const onlyOneReader = readCounts(graph).get('conv_out') === 1;
 * ```
 */
export function readCounts(graph: Graph): Map<string, number> {
  const counts = new Map<string, number>();
  const bump = (name: string): void => {
    counts.set(name, (counts.get(name) ?? 0) + 1);
  };
  for (const n of graph.nodes) {
    for (const name of n.inputs) if (name !== '') bump(name);
    for (const g of subgraphsOf(n)) for (const name of outerReads(g)) bump(name);
  }
  for (const v of graph.outputs) bump(v.name);
  return counts;
}

/** True for the default ONNX domain ('' or 'ai.onnx'). Internal helper of the passes. */
export function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}
