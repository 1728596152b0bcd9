import { attrFloat, attrInt, subgraphsOf } from '../ir/attributes.js';
import type { Graph, NamedTensor, Node } from '../ir/graph.js';
import { tensor, type Tensor } from '../ir/tensor.js';
import { producerIndex } from './topological-order.js';
import { isDefaultDomain, readCounts } from './scope.js';

/**
 * Folds inference-mode `BatchNormalization` nodes into the `Conv` that feeds them:
 * `W' = W·γ/√(var+ε)` per output channel and `b' = (b−mean)·γ/√(var+ε)+β`. The Conv then writes the BN's output and
 * the BN node goes away. Only float32 Convs whose weight, bias and BN parameters are all initializers of the same
 * graph, and whose output only the BN reads, are folded; everything else is left as it is. Weights shared with other
 * nodes are copied under a new name rather than changed. Recurses into subgraphs. Mutates the graph in place; the BN
 * parameters become unused initializers that {@link removeDeadNodes} drops.
 *
 * @returns how many BatchNormalization nodes were folded.
 * @example
 * ```ts
 * const folded = foldBatchNorm(model.graph);
 * ```
 */
export function foldBatchNorm(graph: Graph): number {
  let folded = 0;
  const reads = readCounts(graph);
  const producer = producerIndex(graph);
  const removed = new Set<Node>();
  for (const bn of graph.nodes) {
    if (bn.opType !== 'BatchNormalization' || !isDefaultDomain(bn.domain)) continue;
    const convIndex = producer.get(bn.inputs[0] ?? '');
    if (convIndex === undefined) continue;
    const conv = graph.nodes[convIndex]!;
    if (removed.has(conv) || !foldable(graph, conv, bn, reads)) continue;
    fold(graph, conv, bn, reads);
    removed.add(bn);
    folded++;
  }
  if (removed.size > 0) {
    const kept = graph.nodes.filter((n) => !removed.has(n));
    graph.nodes.length = 0;
    for (const n of kept) graph.nodes.push(n);
  }
  for (const n of graph.nodes) for (const g of subgraphsOf(n)) folded += foldBatchNorm(g);
  return folded;
}

function f32(graph: Graph, name: string | undefined): Tensor<'float32'> | undefined {
  if (name === undefined || name === '') return undefined;
  const t = graph.initializers.get(name)?.tensor;
  if (t === undefined || t.dtype !== 'float32' || graph.inputs.some((v) => v.name === name)) return undefined;
  return t as Tensor<'float32'>;
}

function foldable(graph: Graph, conv: Node, bn: Node, reads: Map<string, number>): boolean {
  if (conv.opType !== 'Conv' || !isDefaultDomain(conv.domain)) return false;
  // Training-mode BN (extra outputs, training_mode=1) and the pre-opset-9 per-activation form (spatial=0) change the math.
  if (bn.outputs.slice(1).some((o) => o !== '') || attrInt(bn, 'training_mode', 0) !== 0 || attrInt(bn, 'spatial', 1) !== 1) return false;
  const convOut = conv.outputs[0] ?? '';
  if (convOut === '' || conv.outputs.length !== 1 || reads.get(convOut) !== 1 || !bn.outputs[0]) return false;
  const w = f32(graph, conv.inputs[1]);
  if (!w || w.dims.length < 1) return false;
  const m = w.dims[0]!;
  if (conv.inputs[2] && f32(graph, conv.inputs[2])?.data.length !== m) return false;
  const params = bn.inputs.slice(1, 5);
  return params.length === 4 && params.every((name) => f32(graph, name)?.data.length === m);
}

function fold(graph: Graph, conv: Node, bn: Node, reads: Map<string, number>): void {
  const w = f32(graph, conv.inputs[1])!;
  const b = conv.inputs[2] ? f32(graph, conv.inputs[2]) : undefined;
  const [gamma, beta, mean, variance] = bn.inputs.slice(1, 5).map((n) => f32(graph, n)!.data) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const eps = attrFloat(bn, 'epsilon', 1e-5);
  const m = w.dims[0]!;
  const per = m === 0 ? 0 : w.data.length / m;
  const newW = new Float32Array(w.data.length);
  const newB = new Float32Array(m);
  for (let c = 0; c < m; c++) {
    // Math in float64, one rounding to float32 at the end.
    const k = gamma[c]! / Math.sqrt(variance[c]! + eps);
    const base = c * per;
    for (let j = 0; j < per; j++) newW[base + j] = w.data[base + j]! * k;
    newB[c] = ((b ? b.data[c]! : 0) - mean[c]!) * k + beta[c]!;
  }
  const wName = conv.inputs[1]!;
  conv.inputs[1] = store(graph, wName, tensor('float32', w.dims, newW), reads);
  const bName = conv.inputs[2] ? conv.inputs[2] : `${bn.name || bn.outputs[0]}_folded_bias`;
  const biasName = store(graph, bName, tensor('float32', [m], newB), reads, !conv.inputs[2]);
  conv.inputs[2] = biasName;
  const oldOut = conv.outputs[0]!;
  conv.outputs[0] = bn.outputs[0]!;
  // The Conv's old output no longer exists; a stale annotation of it would describe nothing.
  graph.valueInfo = graph.valueInfo.filter((v) => v.name !== oldOut);
}

/** Writes a tensor under `name` when only this Conv reads it, else under a fresh name; returns the name used. */
function store(graph: Graph, name: string, t: Tensor, reads: Map<string, number>, fresh = false): string {
  let target = name;
  if (fresh || (reads.get(name) ?? 0) > 1) {
    const base = fresh ? name : `${name}_bn_folded`;
    target = base;
    for (let i = 1; graph.initializers.has(target) || reads.has(target); i++) target = `${base}_${i}`;
    if (!fresh) reads.set(name, reads.get(name)! - 1);
  }
  const prev = graph.initializers.get(name);
  const named: NamedTensor = { name: target, tensor: t };
  if (prev?.docString !== undefined && target === name) named.docString = prev.docString;
  graph.initializers.set(target, named);
  reads.set(target, 1);
  return target;
}
