import {
  QuantforgeError, subgraphsOf, tensor,
  type Attribute, type DType, type Graph, type Model, type NamedTensor, type Node, type Tensor,
} from '@quantforge/core';

/** Every value and node name of a graph and its subgraphs, so new names never shadow an outer-scope value. */
function collectNames(graph: Graph, out: Set<string>): void {
  for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) out.add(v.name);
  for (const name of graph.initializers.keys()) out.add(name);
  for (const s of graph.sparseInitializers) out.add(s.values.name);
  for (const n of graph.nodes) {
    if (n.name !== '') out.add(n.name);
    for (const v of [...n.inputs, ...n.outputs]) if (v !== '') out.add(v);
    for (const g of subgraphsOf(n)) collectNames(g, out);
  }
}

/** Deterministic unique names: the wanted name when free, else `<name>_1`, `<name>_2`, ... */
export class NameAllocator {
  private readonly used = new Set<string>();

  constructor(graph?: Graph) {
    if (graph) collectNames(graph, this.used);
  }

  take(wanted: string): string {
    let name = wanted;
    for (let i = 1; this.used.has(name); i++) name = `${wanted}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** A small constant tensor of a numeric dtype from plain numbers (or bigints for 64-bit integers). */
export function constantTensor(dtype: DType, dims: number[], values: ArrayLike<number> | ArrayLike<bigint>): Tensor {
  const t = tensor(dtype, dims);
  const data = t.data as unknown as { [i: number]: number | bigint; length: number };
  const big = dtype === 'int64' || dtype === 'uint64';
  for (let i = 0; i < data.length; i++) data[i] = big ? BigInt(values[i]!) : Number(values[i]!);
  return t;
}

/** Attribute shorthands for generated nodes. */
export const attr = {
  int: (name: string, value: number): Attribute => ({ name, type: 'int', value }),
  ints: (name: string, value: number[]): Attribute => ({ name, type: 'ints', value }),
  float: (name: string, value: number): Attribute => ({ name, type: 'float', value }),
};

/**
 * An editable copy of a model's main graph. The input model is never touched: nodes are copied (their inputs can be
 * rewired), initializers live in a new map, and new nodes are placed relative to the original node order so the
 * result stays topologically sorted whenever the input was.
 */
export class GraphEdit {
  readonly names: NameAllocator;
  /** Copies of the original nodes, in file order. */
  readonly base: Node[];
  readonly initializers: Map<string, NamedTensor>;
  private readonly front: Node[] = [];
  private readonly after = new Map<number, Node[]>();
  private readonly replaced = new Map<number, Node[]>();
  private readonly producerOf = new Map<string, number>();

  constructor(readonly model: Model) {
    const g = model.graph;
    this.names = new NameAllocator(g);
    this.base = g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: [...n.attributes] }));
    this.initializers = new Map(g.initializers);
    this.base.forEach((n, i) => n.outputs.forEach((o) => o !== '' && this.producerOf.set(o, i)));
  }

  /** Index in {@link base} of the node writing `value`, or undefined for inputs and initializers. */
  producer(value: string): number | undefined {
    return this.producerOf.get(value);
  }

  /** A new initializer under a unique name derived from `wanted`; returns the name used. */
  addInitializer(wanted: string, t: Tensor): string {
    const name = this.names.take(wanted);
    this.initializers.set(name, { name, tensor: t });
    return name;
  }

  /** A scalar or 1-D initializer of `dtype` from plain numbers. */
  addConstant(wanted: string, dtype: DType, dims: number[], values: ArrayLike<number> | ArrayLike<bigint>): string {
    return this.addInitializer(wanted, constantTensor(dtype, dims, values));
  }

  /** A node with a unique name; outputs must already be unique names. */
  node(opType: string, wantedName: string, inputs: string[], outputs: string[], attributes: Attribute[] = [], domain = ''): Node {
    return { name: this.names.take(wantedName), opType, domain, inputs, outputs, attributes };
  }

  /** Places nodes after the producer of `value` (at the front of the graph for graph inputs and initializers). */
  insertAfterProducerOf(value: string, nodes: Node[]): void {
    const p = this.producerOf.get(value);
    if (p === undefined) this.front.push(...nodes);
    else this.after.set(p, [...(this.after.get(p) ?? []), ...nodes]);
  }

  /** Replaces base node `index` by `nodes` (which must write the same outputs others read). */
  replace(index: number, nodes: Node[]): void {
    if (this.replaced.has(index)) {
      throw new QuantforgeError('QF_INTERNAL', `node "${this.base[index]!.name}" was rewritten twice`, { details: { node: this.base[index]!.name } });
    }
    this.replaced.set(index, nodes);
  }

  isReplaced(index: number): boolean {
    return this.replaced.has(index);
  }

  /** True when a node of the result, a subgraph of one, or a graph output reads `value`. */
  isRead(value: string): boolean {
    if (this.model.graph.outputs.some((o) => o.name === value)) return true;
    const reads = (nodes: readonly Node[]): boolean =>
      nodes.some((n) => n.inputs.includes(value) || subgraphsOf(n).some((g) => reads(g.nodes)));
    return reads(this.nodes());
  }

  /** The nodes of the result, in order. */
  nodes(): Node[] {
    const out = [...this.front];
    this.base.forEach((n, i) => {
      out.push(...(this.replaced.get(i) ?? [n]));
      out.push(...(this.after.get(i) ?? []));
    });
    return out;
  }
}
