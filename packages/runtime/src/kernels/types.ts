import type { Graph, Node, Tensor } from '@quantforge/core';

/** What a kernel may know about where it runs. */
export interface KernelContext {
  node: Node;
  /** Opset version of the node's domain in the model being run. */
  opset: number;
  /**
   * Runs a subgraph (If branch, Loop body) with the given values; values of enclosing scopes are visible to it.
   * Returns the subgraph's outputs in order.
   */
  runSubgraph(graph: Graph, feeds: ReadonlyMap<string, Tensor>): Tensor[];
}

/**
 * A float (or integer) reference kernel: inputs in the node's order (`undefined` for an omitted optional input),
 * outputs in the node's order. Kernels never mutate their inputs and always return tensors owning fresh buffers.
 */
export type Kernel = (inputs: (Tensor | undefined)[], ctx: KernelContext) => Tensor[];

/** Kernels keyed by op type (default ONNX domain). */
export type KernelTable = Record<string, Kernel>;
