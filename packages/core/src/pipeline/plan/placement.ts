import type { Node } from '../../ir/graph.js';
import type { ConsumerRef, ExcludedNode } from '../../quant/plan.js';
import type { QuantMode } from '../services.js';
import type { GraphIndex } from './graph-index.js';
import { ARITHMETIC_OPS, biasInput, COMPUTE_OPS, FOLDABLE_ACTIVATIONS, MOVEMENT_OPS, rangePreserving } from './op-rules.js';

/** A tensor the placement pass wants quantized, before formats and schemes are chosen. */
export interface Draft {
  tensor: string;
  role: 'weight' | 'bias' | 'activation';
  consumers: ConsumerRef[];
  producer?: string;
  /** For weights and biases: the compute node that reads them (decides the channel axis). */
  owner?: Node;
  /** Constant operand of Add/Mul: always per tensor. */
  elementwise?: boolean;
  /** For biases: the input activation and weight whose scales make the bias scale. */
  dependsOn?: { input: string; weight: string };
}

/** Where quantization goes: drafts in plan order, output→input ties, and nodes left in float. */
export interface Placement {
  drafts: Map<string, Draft>;
  ties: [output: string, input: string][];
  excluded: ExcludedNode[];
}

/**
 * Decides which tensors are quantized, by operator (see op-rules.ts) and mode, without looking at schemes.
 */
export function placeQuantization(idx: GraphIndex, mode: QuantMode, isExcluded: (n: Node) => boolean): Placement {
  const drafts = new Map<string, Draft>();
  const ties: [string, string][] = [];
  const excluded: ExcludedNode[] = [];

  const activation = (name: string | undefined, ref?: ConsumerRef): boolean => {
    if (name === undefined || name === '' || idx.constants.has(name) || !idx.isFloat(name)) return false;
    let d = drafts.get(name);
    if (d === undefined) {
      d = { tensor: name, role: 'activation', consumers: [] };
      const p = idx.producer.get(name);
      if (p !== undefined) d.producer = p.name;
      drafts.set(name, d);
    }
    if (ref !== undefined) d.consumers.push(ref);
    return true;
  };
  const constant = (name: string | undefined, ref: ConsumerRef, role: 'weight' | 'bias', extra: Partial<Draft>): boolean => {
    if (name === undefined || name === '' || !idx.constants.has(name) || idx.dtype(name) !== 'float32') return false;
    const d = drafts.get(name);
    if (d !== undefined) {
      d.consumers.push(ref);
      return d.role === role;
    }
    drafts.set(name, { tensor: name, role, consumers: [ref], ...extra });
    return true;
  };
  const ref = (n: Node, input: number): ConsumerRef => ({ node: n.name, opType: n.opType, input });
  const floatCarrying = (n: Node) => [...n.inputs, ...n.outputs].some((v) => v !== '' && !idx.constants.has(v) && idx.isFloat(v));
  const constantBounds = (n: Node) => [n.inputs[1], n.inputs[2]].every((v) => v === undefined || v === '' || idx.constants.has(v));

  // Compute outputs whose only reader is a Relu / constant-bounded Clip: the activation folds into the output range.
  const folded = new Set<string>();
  if (mode === 'static') {
    for (const n of idx.nodes) {
      if (!FOLDABLE_ACTIVATIONS.has(n.opType) || isExcluded(n) || (n.opType === 'Clip' && !constantBounds(n))) continue;
      const x = n.inputs[0] ?? '';
      const p = idx.producer.get(x);
      if (p !== undefined && COMPUTE_OPS.has(p.opType) && !isExcluded(p) && idx.consumers.get(x)?.length === 1 && !idx.graphOutputs.has(x)) folded.add(n.name);
    }
  }
  const foldedOutputs = new Set([...folded].map((name) => idx.nodes.find((n) => n.name === name)!.inputs[0]!));

  for (const n of idx.nodes) {
    if (isExcluded(n)) {
      if (floatCarrying(n) || COMPUTE_OPS.has(n.opType)) excluded.push({ node: n.name, opType: n.opType, reason: 'excluded by the recipe' });
      continue;
    }
    if (COMPUTE_OPS.has(n.opType)) {
      const [x, w] = n.inputs;
      const isWeight = w !== undefined && idx.constants.has(w);
      if (mode === 'weight-only') {
        if (isWeight) constant(w, ref(n, 1), 'weight', { owner: n });
        continue;
      }
      const hasX = activation(x, ref(n, 0));
      const hasW = isWeight ? constant(w, ref(n, 1), 'weight', { owner: n }) : activation(w, ref(n, 1));
      if (mode === 'dynamic') continue;
      const bi = biasInput(n);
      const b = bi === undefined ? undefined : n.inputs[bi];
      if (bi !== undefined && hasX && hasW && isWeight && b !== undefined && b !== '') {
        constant(b, ref(n, bi), 'bias', { owner: n, dependsOn: { input: x!, weight: w! } });
      }
      const y = n.outputs[0];
      if (y !== undefined && !foldedOutputs.has(y)) activation(y);
      continue;
    }
    if (mode !== 'static') continue;
    if (FOLDABLE_ACTIVATIONS.has(n.opType)) {
      if (n.opType === 'Clip' && !constantBounds(n)) {
        excluded.push({ node: n.name, opType: n.opType, reason: 'Clip with non-constant bounds runs in float' });
        continue;
      }
      if (!folded.has(n.name)) activation(n.inputs[0], ref(n, 0));
      activation(n.outputs[0]);
      continue;
    }
    const data = MOVEMENT_OPS.get(n.opType);
    if (data !== undefined) {
      const inputs = data === 'all' ? n.inputs.map((_, i) => i) : [0];
      const quantized = inputs.filter((i) => activation(n.inputs[i], ref(n, i)));
      if (quantized.length === 0) continue;
      const tie = data === 'first' && rangePreserving(n, (v) => idx.scalar(v));
      for (const o of n.outputs) {
        if (activation(o) && tie) ties.push([o, n.inputs[0]!]);
      }
      continue;
    }
    if (ARITHMETIC_OPS.has(n.opType)) {
      if (!floatCarrying(n)) continue;
      n.inputs.forEach((v, i) => {
        if (!constant(v, ref(n, i), 'weight', { elementwise: true })) activation(v, ref(n, i));
      });
      for (const o of n.outputs) activation(o);
      continue;
    }
    if (floatCarrying(n)) excluded.push({ node: n.name, opType: n.opType, reason: `${n.opType} has no quantized form in this pipeline; it runs in float` });
  }
  return { drafts, ties, excluded };
}
