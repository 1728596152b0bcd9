import { nodeReads, QuantforgeError, subgraphsOf, topologicalOrder, type Graph, type Node } from '@quantforge/core';

/**
 * How one graph executes: the nodes to run in order and, after each, the values whose last reader it was, so that the
 * executor drops them and memory stays bounded by the live set rather than by the whole graph.
 */
export interface GraphPlan {
  steps: Node[];
  /** freeAfter[i]: values defined by this graph's nodes that nobody reads after step i. */
  freeAfter: string[][];
}

/**
 * Orders `graph` and computes value lifetimes. When `targets` is given only the nodes needed for those values run
 * (plus nothing else); `keep` values are never freed.
 */
export function planGraph(graph: Graph, targets: readonly string[] | undefined, keep: ReadonlySet<string>): GraphPlan {
  const order = topologicalOrder(graph);
  let steps = order;
  if (targets) {
    const producer = new Map<string, Node>();
    for (const n of order) for (const o of n.outputs) if (o !== '') producer.set(o, n);
    const needed = new Set<Node>();
    const stack = targets.map((t) => producer.get(t)).filter((n): n is Node => n !== undefined);
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (needed.has(n)) continue;
      needed.add(n);
      for (const r of nodeReads(n)) {
        const p = producer.get(r);
        if (p && !needed.has(p)) stack.push(p);
      }
    }
    steps = order.filter((n) => needed.has(n));
  }
  const produced = new Set<string>();
  for (const n of steps) for (const o of n.outputs) if (o !== '') produced.add(o);
  const last = new Map<string, number>();
  steps.forEach((n, i) => {
    // A value nobody reads dies right after its producer.
    for (const o of n.outputs) if (o !== '') last.set(o, i);
    for (const r of nodeReads(n)) if (produced.has(r)) last.set(r, i);
  });
  const freeAfter: string[][] = steps.map(() => []);
  for (const [name, i] of last) if (!keep.has(name)) freeAfter[i]!.push(name);
  return { steps, freeAfter };
}

/**
 * Checks statically that every value a node reads is defined by its graph or an enclosing one, recursing into
 * subgraphs, so a broken model fails before anything runs.
 */
export function checkReferences(graph: Graph, outer: ReadonlySet<string> = new Set()): void {
  const visible = new Set(outer);
  for (const v of graph.inputs) visible.add(v.name);
  for (const k of graph.initializers.keys()) visible.add(k);
  for (const s of graph.sparseInitializers) visible.add(s.values.name);
  for (const n of graph.nodes) for (const o of n.outputs) if (o !== '') visible.add(o);
  for (const n of graph.nodes) {
    for (const name of n.inputs) {
      if (name !== '' && !visible.has(name)) {
        throw new QuantforgeError('QF_GRAPH_DANGLING_VALUE', `node "${n.name}" (${n.opType}) reads "${name}", which nothing defines`, {
          details: { node: n.name, opType: n.opType, value: name, graph: graph.name },
        });
      }
    }
    for (const g of subgraphsOf(n)) checkReferences(g, visible);
  }
  for (const o of graph.outputs) {
    if (!visible.has(o.name)) {
      throw new QuantforgeError('QF_GRAPH_DANGLING_VALUE', `graph output "${o.name}" is not defined`, { details: { value: o.name, graph: graph.name } });
    }
  }
}
