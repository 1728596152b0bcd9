import { QuantforgeError, isQuantforgeError } from '../../errors/error.js';
import { subgraphsOf } from '../../ir/attributes.js';
import type { Dim, Graph, Model, Node, TypeInfo, ValueInfo } from '../../ir/graph.js';
import { opsetVersion } from '../../ir/graph.js';
import { isDefaultDomain } from '../scope.js';
import { topologicalOrder } from '../topological-order.js';
import { knownFromTensor } from './known.js';
import { SHAPE_RULES } from './rules.js';
import { UNKNOWN, type InferShapesOptions, type InferShapesResult, type KnownValue, type OpContext, type OpResult, type ValueType } from './types.js';

const DEFAULT_OPSET = 21;

interface State {
  values: Map<string, ValueType>;
  unsupported: Set<string>;
  opset: (domain: string) => number;
  write: boolean;
}

/** Types and known contents of one graph's values; lookups fall through to the enclosing graph. */
class Scope {
  readonly types = new Map<string, ValueType>();
  readonly known = new Map<string, KnownValue | undefined>();
  constructor(
    readonly graph: Graph,
    readonly parent: Scope | undefined,
    private readonly overridable: Set<string>,
  ) {}

  type(name: string): ValueType | undefined {
    return this.types.get(name) ?? this.parent?.type(name);
  }

  value(name: string): KnownValue | undefined {
    if (this.known.has(name)) return this.known.get(name);
    const init = this.graph.initializers.get(name);
    // An initializer that is also a graph input is only a default: the caller may feed another value.
    if (init && !this.overridable.has(name)) {
      const v = knownFromTensor(init.tensor);
      this.known.set(name, v);
      return v;
    }
    if (this.types.has(name)) return undefined;
    return this.parent?.value(name);
  }
}

/**
 * Infers the element type and shape of every value of a model or graph (and of If branches and other subgraphs).
 * Dims are exact or `null` (unknown), never guessed: values that shapes depend on (Reshape targets, Slice starts,
 * Resize scales, ...) are used when they are initializers or follow from light constant propagation of
 * `Shape`/`Gather`/`Concat`/`Unsqueeze`/`Cast`/`Slice`/arithmetic chains. Operators without a rule give unknown outputs
 * (existing `valueInfo` annotations are used for them) and are listed in `unsupported`.
 *
 * @throws QuantforgeError `QF_SHAPE_INFERENCE` naming the node when shapes contradict each other (Conv channels,
 *   MatMul inner dims, broadcasting, Reshape sizes, ...); `QF_GRAPH_CYCLE` for a cyclic graph.
 * @example
 * ```ts
 * const { values, unsupported } = inferShapes(model, { writeValueInfo: true });
 * values.get('logits'); // { dtype: 'float32', shape: ['batch', 1000] }
 * ```
 */
export function inferShapes(target: Model | Graph, options: InferShapesOptions = {}): InferShapesResult {
  const model = 'opsetImports' in target ? target : undefined;
  const graph = model ? model.graph : (target as Graph);
  const opsets = typeof options.opset === 'number' ? { '': options.opset } : options.opset ?? {};
  const opset = (domain: string): number => {
    const d = isDefaultDomain(domain) ? '' : domain;
    const v = model ? opsetVersion(model, d) : (opsets[d] ?? (d === '' ? opsets['ai.onnx'] : undefined));
    return v ?? (d === '' ? DEFAULT_OPSET : 1);
  };
  const state: State = { values: new Map(), unsupported: new Set(), opset, write: options.writeValueInfo === true };
  inferGraph(state, graph, undefined);
  return { values: state.values, unsupported: [...state.unsupported].sort() };
}

/**
 * The IR type of a value as a {@link ValueType} (non-tensor and missing types are unknown).
 *
 * @example
 * ```ts
 * valueTypeOf(model.graph.inputs[0]!.type); // { dtype: 'float32', shape: ['batch', 3, 224, 224] }
 * ```
 */
export function valueTypeOf(type: TypeInfo | undefined): ValueType {
  if (!type || type.kind !== 'tensor') return UNKNOWN;
  return { dtype: type.elemType === 'undefined' ? null : type.elemType, shape: type.shape ? [...type.shape] : null };
}

function inferGraph(state: State, graph: Graph, parent: Scope | undefined): ValueType[] {
  const overridable = new Set(graph.inputs.map((v) => v.name));
  const scope = new Scope(graph, parent, overridable);
  const record = (name: string, t: ValueType): void => {
    scope.types.set(name, t);
    state.values.set(name, t);
  };
  for (const [name, init] of graph.initializers) record(name, { dtype: init.tensor.dtype, shape: [...init.tensor.dims] });
  for (const v of graph.inputs) {
    const declared = valueTypeOf(v.type);
    const init = graph.initializers.get(v.name);
    record(v.name, init && !declared.shape ? { dtype: declared.dtype ?? init.tensor.dtype, shape: [...init.tensor.dims] } : declared);
  }
  const annotations = new Map<string, ValueType>();
  for (const v of [...graph.valueInfo, ...graph.outputs]) if (v.type) annotations.set(v.name, valueTypeOf(v.type));

  for (const node of topologicalOrder(graph)) {
    const result = inferNode(state, scope, node);
    node.outputs.forEach((name, i) => {
      if (name === '') return;
      record(name, withAnnotation(result.outputs[i] ?? UNKNOWN, annotations.get(name)));
      const v = result.values?.[i];
      scope.known.set(name, v);
    });
  }
  if (state.write) writeValueInfo(graph, scope);
  return graph.outputs.map((o) => scope.type(o.name) ?? UNKNOWN);
}

function inferNode(state: State, scope: Scope, node: Node): OpResult {
  const rule = isDefaultDomain(node.domain) ? SHAPE_RULES.get(node.opType) : undefined;
  if (!rule) {
    state.unsupported.add(isDefaultDomain(node.domain) ? node.opType : `${node.domain}.${node.opType}`);
    // Bodies of Loop/Scan and unknown ops still get their inner values typed from their declared inputs.
    for (const g of subgraphsOf(node)) inferGraph(state, g, scope);
    return { outputs: [] };
  }
  const inputName = (i: number): string | undefined => {
    const n = node.inputs[i];
    return n === undefined || n === '' ? undefined : n;
  };
  const ctx: OpContext = {
    node,
    opset: state.opset(node.domain),
    has: (i) => inputName(i) !== undefined,
    input: (i) => {
      const n = inputName(i);
      return n === undefined ? undefined : scope.type(n) ?? UNKNOWN;
    },
    value: (i) => {
      const n = inputName(i);
      return n === undefined ? undefined : scope.value(n);
    },
    numbers: (i) => {
      const v = ctx.value(i);
      return v && v.values.every((x) => typeof x === 'number') ? (v.values as number[]) : undefined;
    },
    subgraph: (g) => inferGraph(state, g, scope),
    fail: (message, details = {}) => {
      throw new QuantforgeError('QF_SHAPE_INFERENCE', `${node.opType} node "${node.name}": ${message}`, {
        details: { node: node.name, opType: node.opType, ...details },
      });
    },
  };
  try {
    return rule(ctx);
  } catch (e) {
    if (isQuantforgeError(e)) throw e;
    throw new QuantforgeError('QF_INTERNAL', `shape inference failed on ${node.opType} node "${node.name}": ${e instanceof Error ? e.message : String(e)}`, {
      details: { node: node.name, opType: node.opType },
      cause: e,
    });
  }
}

/** Fills what inference left unknown from the exporter's own annotation of the value. */
function withAnnotation(inferred: ValueType, annotation: ValueType | undefined): ValueType {
  if (!annotation) return inferred;
  const dtype = inferred.dtype ?? annotation.dtype;
  if (!inferred.shape) return { dtype, shape: annotation.shape };
  const ann = annotation.shape;
  if (!ann || ann.length !== inferred.shape.length) return { dtype, shape: inferred.shape };
  return { dtype, shape: inferred.shape.map((d, i): Dim => d ?? ann[i]!) };
}

function writeValueInfo(graph: Graph, scope: Scope): void {
  const skip = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.outputs.map((v) => v.name), ...graph.initializers.keys()]);
  const existing = new Map<string, ValueInfo>(graph.valueInfo.map((v) => [v.name, v]));
  for (const node of graph.nodes) {
    for (const name of node.outputs) {
      if (name === '' || skip.has(name)) continue;
      const t = scope.types.get(name);
      if (!t || (t.dtype === null && t.shape === null)) continue;
      const type: TypeInfo = { kind: 'tensor', elemType: t.dtype ?? 'undefined' };
      if (t.shape) type.shape = [...t.shape];
      const entry = existing.get(name);
      if (entry) entry.type = type;
      else {
        const info: ValueInfo = { name, type };
        graph.valueInfo.push(info);
        existing.set(name, info);
      }
    }
  }
}
