import { subgraphsOf } from '../ir/attributes.js';
import type { Attribute, Graph, NamedTensor, Node } from '../ir/graph.js';
import { tensor, type Tensor } from '../ir/tensor.js';
import { isDefaultDomain } from './scope.js';

/** Why a Constant node was left in place. */
export interface SkippedConstant {
  node: string;
  graph: string;
  reason: 'sparse_value' | 'no_value' | 'name_taken';
}

export interface FoldConstantsOptions {
  /** Called for each Constant node that stays a node (sparse values, malformed nodes, name clashes). */
  onSkipped?: (skipped: SkippedConstant) => void;
}

/**
 * Turns every `Constant` node into an initializer of the graph that holds it (subgraphs included) and removes the node.
 * Handles the `value` tensor and the `value_float(s)`, `value_int(s)` and `value_string(s)` forms; `sparse_value`
 * constants stay nodes and are reported through `onSkipped`. Mutates the graph in place.
 *
 * @returns how many Constant nodes were folded, over all nested graphs.
 * @example
 * ```ts
 * const folded = foldConstants(model.graph, { onSkipped: (s) => console.warn(s) });
 * ```
 */
export function foldConstants(graph: Graph, options: FoldConstantsOptions = {}): number {
  let folded = 0;
  const kept: Node[] = [];
  const inputs = new Set(graph.inputs.map((v) => v.name));
  for (const node of graph.nodes) {
    if (node.opType !== 'Constant' || !isDefaultDomain(node.domain)) {
      kept.push(node);
      continue;
    }
    const result = constantValue(node);
    const name = node.outputs[0] ?? '';
    const taken = graph.initializers.has(name) || inputs.has(name);
    if (typeof result === 'string' || name === '' || taken) {
      const reason = typeof result === 'string' ? result : name === '' ? 'no_value' : 'name_taken';
      options.onSkipped?.({ node: node.name, graph: graph.name, reason });
      kept.push(node);
      continue;
    }
    const named: NamedTensor = { ...result, name };
    if (node.docString !== undefined && named.docString === undefined) named.docString = node.docString;
    graph.initializers.set(name, named);
    folded++;
  }
  graph.nodes.splice(0, graph.nodes.length);
  for (const n of kept) graph.nodes.push(n);
  for (const n of graph.nodes) for (const g of subgraphsOf(n)) folded += foldConstants(g, options);
  return folded;
}

/**
 * The tensor a Constant node produces (named after its output), or why it cannot be read.
 *
 * @example
 * ```ts
 * const v = constantValue(node);
 * if (typeof v !== 'string') console.log(v.tensor.dims);
 * ```
 */
export function constantValue(node: Node): NamedTensor | 'sparse_value' | 'no_value' {
  const attr = node.attributes.find((a) => a.name.startsWith('value') || a.name === 'sparse_value');
  if (!attr) return 'no_value';
  if (attr.name === 'sparse_value') return 'sparse_value';
  const t = tensorOf(attr);
  if (t === undefined) return 'no_value';
  return 'tensor' in t ? t : { name: node.outputs[0] ?? '', tensor: t };
}

function tensorOf(a: Attribute): NamedTensor | Tensor | undefined {
  switch (a.name) {
    case 'value':
      return a.type === 'tensor' ? a.value : undefined;
    case 'value_float':
      return a.type === 'float' ? tensor('float32', [], new Float32Array([a.value])) : undefined;
    case 'value_floats':
      return a.type === 'floats' ? tensor('float32', [a.value.length], Float32Array.from(a.value)) : undefined;
    case 'value_int':
      return a.type === 'int' ? tensor('int64', [], BigInt64Array.of(BigInt(a.value))) : undefined;
    case 'value_ints':
      return a.type === 'ints' ? tensor('int64', [a.value.length], BigInt64Array.from(a.value, (v) => BigInt(v))) : undefined;
    case 'value_string':
      return a.type === 'string' ? tensor('string', [], [new TextDecoder().decode(a.value)]) : undefined;
    case 'value_strings': {
      if (a.type !== 'strings') return undefined;
      const dec = new TextDecoder();
      return tensor('string', [a.value.length], a.value.map((v) => dec.decode(v)));
    }
    default:
      return undefined;
  }
}
