import type { DType } from '../../ir/dtype.js';
import type { Dim, Model, NamedTensor, Node } from '../../ir/graph.js';
import { toFloat64 } from '../../ir/tensor.js';
import { topologicalOrder } from '../../passes/topological-order.js';
import { inferShapes } from '../../passes/shapes/infer.js';
import type { ConsumerRef } from '../../quant/plan.js';

/** What the planner needs to know about a model's values. */
export interface GraphIndex {
  nodes: Node[];
  producer: Map<string, Node>;
  consumers: Map<string, ConsumerRef[]>;
  /** Initializers that no graph input overrides. */
  constants: Map<string, NamedTensor>;
  graphInputs: Set<string>;
  graphOutputs: Set<string>;
  dtype(name: string): DType | null;
  dims(name: string): Dim[] | undefined;
  /** True for float32 values, and for values whose type inference could not tell (they are float in practice). */
  isFloat(name: string): boolean;
  /** The scalar value of a constant, if it is one. */
  scalar(name: string): number | undefined;
}

/**
 * Indexes a (prepared) model: nodes in topological order, producers, consumers, constants, inferred types.
 */
export function indexGraph(model: Model): GraphIndex {
  const g = model.graph;
  const nodes = topologicalOrder(g);
  const producer = new Map<string, Node>();
  const consumers = new Map<string, ConsumerRef[]>();
  for (const n of nodes) {
    for (const o of n.outputs) if (o !== '') producer.set(o, n);
    n.inputs.forEach((name, input) => {
      if (name === '') return;
      let list = consumers.get(name);
      if (list === undefined) consumers.set(name, (list = []));
      list.push({ node: n.name, opType: n.opType, input });
    });
  }
  const graphInputs = new Set(g.inputs.map((i) => i.name));
  const constants = new Map<string, NamedTensor>();
  for (const [name, t] of g.initializers) if (!graphInputs.has(name)) constants.set(name, t);
  const { values } = inferShapes(model);
  const dtype = (name: string): DType | null => constants.get(name)?.tensor.dtype ?? values.get(name)?.dtype ?? null;
  return {
    nodes,
    producer,
    consumers,
    constants,
    graphInputs,
    graphOutputs: new Set(g.outputs.map((o) => o.name)),
    dtype,
    dims(name) {
      const c = constants.get(name);
      if (c !== undefined) return [...c.tensor.dims];
      const s = values.get(name)?.shape;
      return s === null || s === undefined ? undefined : [...s];
    },
    isFloat(name) {
      const d = dtype(name);
      return d === 'float32' || d === null;
    },
    scalar(name) {
      const c = constants.get(name);
      if (c === undefined || c.tensor.data.length !== 1 || Array.isArray(c.tensor.data)) return undefined;
      try {
        return toFloat64(c.tensor)[0];
      } catch {
        // float8 / complex scalars: not a bound the planner can read, so the op is treated as range-changing.
        return undefined;
      }
    },
  };
}
