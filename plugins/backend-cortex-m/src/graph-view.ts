import { inferShapes, topologicalOrder, type Model, type NamedTensor, type Node, type QuantPlan } from '@quantforge/core';

/** What check and lower need of a prepared model: nodes in order, producers, readers, constants and static shapes. */
export interface GraphView {
  nodes: Node[];
  producer: Map<string, Node>;
  consumers: Map<string, Node[]>;
  constants: Map<string, NamedTensor>;
  inputs: string[];
  outputs: string[];
  /** The shape with symbolic or unknown dims read as 1 (batch 1 on a microcontroller); undefined when the rank is unknown. */
  shape(name: string): number[] | undefined;
  /** True when the value is an initializer no graph input overrides. */
  isConstant(name: string): boolean;
  /** True when the plan quantizes the value. */
  planned(name: string): boolean;
}

/**
 * Indexes a model for the backend.
 *
 * @example
 * ```ts
 * const g = viewGraph(model, plan);
 * g.shape('conv1_out'); // [1, 8, 28, 28]
 * ```
 */
export function viewGraph(model: Model, plan: QuantPlan): GraphView {
  const graph = model.graph;
  const nodes = topologicalOrder(graph);
  const producer = new Map<string, Node>();
  const consumers = new Map<string, Node[]>();
  for (const n of nodes) {
    for (const o of n.outputs) if (o !== '') producer.set(o, n);
    for (const i of n.inputs) {
      if (i === '') continue;
      const list = consumers.get(i) ?? [];
      if (!list.includes(n)) list.push(n);
      consumers.set(i, list);
    }
  }
  const inputs = graph.inputs.map((i) => i.name);
  const overridden = new Set(inputs);
  const constants = new Map<string, NamedTensor>();
  for (const [name, t] of graph.initializers) if (!overridden.has(name)) constants.set(name, t);
  const { values } = inferShapes(model);
  return {
    nodes, producer, consumers, constants,
    inputs: inputs.filter((n) => !constants.has(n)),
    outputs: graph.outputs.map((o) => o.name),
    shape(name) {
      const c = constants.get(name);
      if (c !== undefined) return [...c.tensor.dims];
      const s = values.get(name)?.shape;
      if (s === null || s === undefined) return undefined;
      return s.map((d) => (typeof d === 'number' ? d : 1));
    },
    isConstant: (name) => constants.has(name),
    planned: (name) => plan.tensors[name] !== undefined,
  };
}
