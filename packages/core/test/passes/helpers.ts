// Builders for small hand-made IR graphs in the pass tests.
import type { Attribute, Dim, Graph, Model, NamedTensor, Node, ValueInfo } from '../../src/ir/graph.js';
import type { DType } from '../../src/ir/dtype.js';
import { tensor, type Tensor } from '../../src/ir/tensor.js';
import { inferShapes, type ValueType } from '../../src/passes/index.js';

const enc = new TextEncoder();

export const attr = {
  int: (name: string, value: number): Attribute => ({ name, type: 'int', value }),
  ints: (name: string, value: number[]): Attribute => ({ name, type: 'ints', value }),
  float: (name: string, value: number): Attribute => ({ name, type: 'float', value }),
  floats: (name: string, value: number[]): Attribute => ({ name, type: 'floats', value }),
  string: (name: string, value: string): Attribute => ({ name, type: 'string', value: enc.encode(value) }),
  strings: (name: string, value: string[]): Attribute => ({ name, type: 'strings', value: value.map((v) => enc.encode(v)) }),
  tensor: (name: string, value: Tensor, tensorName = ''): Attribute => ({ name, type: 'tensor', value: { name: tensorName, tensor: value } }),
  graph: (name: string, value: Graph): Attribute => ({ name, type: 'graph', value }),
};

let counter = 0;

/** A default-domain node; the name defaults to `<op>_<n>`. */
export function node(opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = [], name?: string): Node {
  return { name: name ?? `${opType.toLowerCase()}_${counter++}`, opType, domain: '', inputs, outputs, attributes };
}

export type ValueSpec = string | [name: string, dtype: DType, shape: Dim[]];

function info(spec: ValueSpec): ValueInfo {
  if (typeof spec === 'string') return { name: spec };
  const [name, elemType, shape] = spec;
  return { name, type: { kind: 'tensor', elemType, shape } };
}

export interface GraphSpec {
  name?: string;
  nodes: Node[];
  inputs?: ValueSpec[];
  outputs?: ValueSpec[];
  initializers?: Record<string, Tensor>;
}

export function graph(spec: GraphSpec): Graph {
  const initializers = new Map<string, NamedTensor>();
  for (const [name, t] of Object.entries(spec.initializers ?? {})) initializers.set(name, { name, tensor: t });
  return {
    name: spec.name ?? 'g',
    nodes: spec.nodes,
    inputs: (spec.inputs ?? []).map(info),
    outputs: (spec.outputs ?? []).map(info),
    valueInfo: [],
    initializers,
    sparseInitializers: [],
  };
}

export function model(g: Graph, opset = 17): Model {
  return { irVersion: 9, opsetImports: [{ domain: '', version: opset }], graph: g };
}

export function f32(dims: number[], data?: ArrayLike<number>): Tensor<'float32'> {
  return tensor('float32', dims, data ? Float32Array.from(data) : undefined);
}

export function i64(dims: number[], data: (number | bigint)[]): Tensor<'int64'> {
  return tensor('int64', dims, BigInt64Array.from(data, (v) => BigInt(v)));
}

/** Deterministic pseudo-random floats in [-1, 1) (a small LCG; tests must not depend on Math.random). */
export function seeded(count: number, seed = 1): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export interface InferOneSpec {
  /** Typed graph inputs; an input named '' is an omitted optional input. */
  inputs: ValueSpec[];
  attributes?: Attribute[];
  outputs?: number;
  initializers?: Record<string, Tensor>;
  opset?: number;
}

/** A graph of one node of `opType`, fed by `spec.inputs` and initializers (in that input order). */
export function oneNodeGraph(opType: string, spec: InferOneSpec): Graph {
  const typed = spec.inputs.filter((s) => s !== '');
  const inits = spec.initializers ?? {};
  const names = spec.inputs.map((s) => (typeof s === 'string' ? s : s[0]));
  const outs = Array.from({ length: spec.outputs ?? 1 }, (_, i) => `out${i}`);
  return graph({
    nodes: [node(opType, names, outs, spec.attributes ?? [], 'n0')],
    inputs: typed.filter((s) => typeof s !== 'string' || !(s in inits)),
    outputs: outs,
    initializers: inits,
  });
}

/** Inferred output types of a one-node graph. */
export function inferOne(opType: string, spec: InferOneSpec): ValueType[] {
  const g = oneNodeGraph(opType, spec);
  const { values } = inferShapes(g, spec.opset === undefined ? {} : { opset: spec.opset });
  return g.nodes[0]!.outputs.map((o) => values.get(o)!);
}

/** Output shapes of a one-node graph. */
export function shapesOf(opType: string, spec: InferOneSpec): (Dim[] | null)[] {
  return inferOne(opType, spec).map((t) => t.shape);
}
