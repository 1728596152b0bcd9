import { allocate, QuantforgeError, sizeOf, stridesOf, tensor, type Graph, type SparseTensor, type Tensor } from '@quantforge/core';

/** Dense form of a sparse initializer (indices flat [NNZ] or coordinates [NNZ, rank]). */
export function densify(s: SparseTensor): Tensor {
  const vals = s.values.tensor;
  const out = allocate(vals.dtype, sizeOf(s.dims)) as unknown as { [i: number]: unknown };
  const src = vals.data as unknown as ArrayLike<unknown>;
  const idx = s.indices.tensor;
  const ix = Array.from(idx.data as ArrayLike<number | bigint>, Number);
  const nnz = vals.dims[0] ?? 0;
  const strides = stridesOf(s.dims);
  const coords = idx.dims.length === 2;
  for (let i = 0; i < nnz; i++) {
    let flat = 0;
    if (coords) for (let r = 0; r < s.dims.length; r++) flat += ix[i * s.dims.length + r]! * strides[r]!;
    else flat = ix[i]!;
    out[flat] = src[i];
  }
  return tensor(vals.dtype, s.dims, out as never);
}

/**
 * Values visible while one graph runs: its own (feeds and node outputs), its initializers, then the enclosing scopes.
 * Subgraphs (If branches, Loop bodies) get a child scope, which is how they read outer values by name.
 */
export class Scope {
  readonly values = new Map<string, Tensor>();
  private sparse: Map<string, Tensor> | undefined;

  constructor(
    readonly graph: Graph,
    readonly parent: Scope | undefined,
  ) {}

  /** The value, searching enclosing scopes; undefined if no scope defines it. */
  find(name: string): Tensor | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.values.get(name) ?? s.graph.initializers.get(name)?.tensor ?? s.sparseValue(name);
      if (v) return v;
    }
    return undefined;
  }

  /** The value, or a coded error when nothing defines it (a value freed too early would also land here). */
  get(name: string, reader: string): Tensor {
    const v = this.find(name);
    if (!v) {
      throw new QuantforgeError('QF_GRAPH_DANGLING_VALUE', `"${reader}" reads "${name}", which has no value`, {
        details: { value: name, node: reader, graph: this.graph.name },
      });
    }
    return v;
  }

  private sparseValue(name: string): Tensor | undefined {
    if (this.graph.sparseInitializers.length === 0) return undefined;
    if (!this.sparse) this.sparse = new Map();
    let t = this.sparse.get(name);
    if (!t) {
      const s = this.graph.sparseInitializers.find((x) => x.values.name === name);
      if (!s) return undefined;
      t = densify(s);
      this.sparse.set(name, t);
    }
    return t;
  }
}
