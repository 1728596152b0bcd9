import { QuantforgeError } from '../errors/error.js';
import { subgraphsOf } from '../ir/attributes.js';
import type { Graph, Node } from '../ir/graph.js';
import { nodeReads } from './scope.js';

// A binary min-heap of node indices: Kahn's algorithm always takes the earliest ready node in file order, so an already
// sorted graph comes back unchanged and the result is deterministic.
class IndexHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= v) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r]! < a[l]! ? r : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/**
 * Index (in `graph.nodes`) of the node that writes each value; two writers of one name is a coded error
 * (`QF_GRAPH_DUPLICATE_VALUE`).
 *
 * @example
 * ```ts
 * const producer = graph.nodes[producerIndex(graph).get('conv1_out')!];
 * ```
 */
export function producerIndex(graph: Graph): Map<string, number> {
  const producer = new Map<string, number>();
  graph.nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (o === '') continue;
      const prev = producer.get(o);
      if (prev !== undefined) {
        throw new QuantforgeError('QF_GRAPH_DUPLICATE_VALUE', `value "${o}" is written by two nodes ("${graph.nodes[prev]!.name}" and "${n.name}")`, {
          details: { value: o, nodes: [graph.nodes[prev]!.name, n.name], graph: graph.name },
        });
      }
      producer.set(o, i);
    }
  });
  return producer;
}

/**
 * The nodes of a graph in a dependency order (Kahn's algorithm). Among nodes that are ready at the same time the
 * earlier one in file order comes first. Values read implicitly by subgraphs (If/Loop/Scan bodies reading outer values)
 * count as inputs of the node that owns the subgraph. Subgraphs themselves are not reordered (see {@link sortGraph}).
 *
 * @throws QuantforgeError `QF_GRAPH_CYCLE` (details.cycle names the nodes on one cycle), `QF_GRAPH_DUPLICATE_VALUE`.
 * @example
 * ```ts
 * for (const node of topologicalOrder(model.graph)) run(node);
 * ```
 */
export function topologicalOrder(graph: Graph): Node[] {
  const nodes = graph.nodes;
  const producer = producerIndex(graph);
  const preds: number[][] = nodes.map((n) => {
    const set = new Set<number>();
    for (const name of nodeReads(n)) {
      const p = producer.get(name);
      if (p !== undefined) set.add(p);
    }
    return [...set];
  });
  const succs: number[][] = nodes.map(() => []);
  const indegree = new Int32Array(nodes.length);
  preds.forEach((ps, i) => {
    indegree[i] = ps.length;
    for (const p of ps) succs[p]!.push(i);
  });

  const heap = new IndexHeap();
  for (let i = 0; i < nodes.length; i++) if (indegree[i] === 0) heap.push(i);
  const order: Node[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    order.push(nodes[i]!);
    for (const s of succs[i]!) if (--indegree[s]! === 0) heap.push(s);
  }
  if (order.length < nodes.length) throw cycleError(graph, preds, indegree);
  return order;
}

function cycleError(graph: Graph, preds: number[][], indegree: Int32Array): QuantforgeError {
  // Every unprocessed node has an unprocessed predecessor, so walking predecessors must come back to a visited node.
  let start = indegree.findIndex((d) => d > 0);
  const position = new Map<number, number>();
  const walk: number[] = [];
  while (!position.has(start)) {
    position.set(start, walk.length);
    walk.push(start);
    start = preds[start]!.find((p) => indegree[p]! > 0)!;
  }
  const cycle = walk.slice(position.get(start)!).reverse().map((i) => graph.nodes[i]!.name || `#${i}`);
  return new QuantforgeError('QF_GRAPH_CYCLE', `graph "${graph.name}" has a cycle through ${cycle.map((n) => `"${n}"`).join(' -> ')}`, {
    details: { graph: graph.name, cycle },
    hint: 'ONNX graphs must be acyclic; the exporter or a rewrite produced a loop of values',
  });
}

/**
 * Reorders `graph.nodes` in place into {@link topologicalOrder}, and does the same inside every subgraph.
 *
 * @example
 * ```ts
 * sortGraph(model.graph);
 * ```
 */
export function sortGraph(graph: Graph): void {
  const order = topologicalOrder(graph);
  // Index writes rather than splice(...order): spreading a large node list would overflow the argument stack.
  order.forEach((n, i) => {
    graph.nodes[i] = n;
  });
  for (const n of graph.nodes) for (const g of subgraphsOf(n)) sortGraph(g);
}
