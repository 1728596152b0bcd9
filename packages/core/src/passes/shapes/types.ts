import type { DType } from '../../ir/dtype.js';
import type { Dim, Graph, Node } from '../../ir/graph.js';

/** Inferred type of one value: element type and shape; `null` means unknown (a `null` shape: unknown rank). */
export interface ValueType {
  dtype: DType | null;
  shape: Dim[] | null;
}

/**
 * The contents of a small tensor known while inferring (an initializer, a Constant, or computed from shapes such as
 * `Shape -> Gather -> Concat`). Entries may be symbolic (`"batch"`) or unknown (`null`) when they came from dims.
 */
export interface KnownValue {
  dims: number[];
  values: Dim[];
}

/** What an operator rule sees of one node. */
export interface OpContext {
  readonly node: Node;
  /** Opset version of the node's domain. */
  readonly opset: number;
  /** Type of input `i`, or undefined when the input is absent (`''` or past the end). */
  input(i: number): ValueType | undefined;
  /** True when input `i` is given (not omitted). */
  has(i: number): boolean;
  /** Known contents of input `i`, when they are known. */
  value(i: number): KnownValue | undefined;
  /** Known contents of input `i` when every entry is a number. */
  numbers(i: number): number[] | undefined;
  /** Infers a subgraph (an If branch) in the scope of this node and returns the types of its outputs. */
  subgraph(graph: Graph): ValueType[];
  /** Throws QF_SHAPE_INFERENCE naming this node. */
  fail(message: string, details?: Record<string, unknown>): never;
}

/** What a rule returns: one type per output (undefined = unknown) and optionally known contents. */
export interface OpResult {
  outputs: (ValueType | undefined)[];
  values?: (KnownValue | undefined)[];
}

export type OpRule = (ctx: OpContext) => OpResult;

/** Options of {@link inferShapes}. */
export interface InferShapesOptions {
  /**
   * Opset versions when a bare graph is given: a number for the default domain, or a record by domain. Ignored for a
   * model (its `opsetImports` rule). Defaults to 21 for the default domain.
   */
  opset?: number | Record<string, number>;
  /** Write the inferred types of intermediate values to `graph.valueInfo` (and into subgraphs). Default false. */
  writeValueInfo?: boolean;
}

/** Result of {@link inferShapes}. */
export interface InferShapesResult {
  /** Type of every value of the graph and its subgraphs (inputs, initializers, node outputs). */
  values: Map<string, ValueType>;
  /** Operators that have no shape rule (as `opType`, or `domain.opType` outside the default domain), sorted. */
  unsupported: string[];
}

export const UNKNOWN: ValueType = Object.freeze({ dtype: null, shape: null }) as ValueType;
