import type { Attribute, Graph, Model, Node, Tensor } from '@quantforge/core';
import type { KernelContext } from '../src/kernels/types.js';

/** Attribute shorthand: numbers become ints or floats, arrays ints, strings strings. */
export type AttrSpec = Record<string, number | number[] | string | { float: number }>;

export function attrs(spec: AttrSpec): Attribute[] {
  return Object.entries(spec).map(([name, v]): Attribute => {
    if (typeof v === 'string') return { name, type: 'string', value: new TextEncoder().encode(v) };
    if (Array.isArray(v)) return { name, type: 'ints', value: v };
    if (typeof v === 'object') return { name, type: 'float', value: v.float };
    return { name, type: 'int', value: v };
  });
}

export function makeNode(opType: string, inputs: string[], outputs: string[], spec: AttrSpec = {}, name = `${opType}_0`): Node {
  return { name, opType, domain: '', inputs, outputs, attributes: attrs(spec) };
}

export function ctxFor(node: Node, opset = 13): KernelContext {
  return { node, opset, runSubgraph: () => [] };
}

/** Deterministic pseudo-random floats in [-1, 1) (xorshift32). */
export function randomFloats(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Deterministic integers in [lo, hi]. */
export function randomInts(n: number, lo: number, hi: number, seed: number): number[] {
  const f = randomFloats(n, seed);
  return Array.from(f, (v) => Math.min(hi, lo + Math.floor(((v + 1) / 2) * (hi - lo + 1))));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? m : Infinity;
}

/** A single-graph model around `nodes`. */
export function makeModel(nodes: Node[], inputs: Graph['inputs'], outputs: Graph['outputs'], initializers: Record<string, Tensor> = {}, opset = 13): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    graph: {
      name: 'g', nodes, inputs, outputs, valueInfo: [], sparseInitializers: [],
      initializers: new Map(Object.entries(initializers).map(([name, tensor]) => [name, { name, tensor }])),
    },
  };
}
