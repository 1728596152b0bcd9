import { inferShapes, opsetVersion, tensor, type Attribute, type Model, type Node, type ValueInfo } from '@quantforge/core';

/** The graph outputs that carry one value's per-sample reductions. */
export interface ReductionOutputs {
  /** float32 `[n]`: minimum of each sample (index on axis 0). */
  min: string;
  /** float32 `[n]`: maximum of each sample. */
  max: string;
  /** float32 `[n]`: sum of each sample; only its finiteness is used (see {@link withReductions}). */
  sum: string;
  /** int64 `[2]`: `[n, elements per sample]` (the shape of the flattened value). */
  shape: string;
}

/** A rewritten model and, per reduced value, where its reductions come out. */
export interface ReducedModel {
  model: Model;
  /** Value → its reduction outputs; values that cannot be reduced (not float32, rank unknown or 0) are absent. */
  outputs: Map<string, ReductionOutputs>;
}

function rankOf(model: Model, name: string, inferred: () => ReturnType<typeof inferShapes>): { float: boolean; rank: number | null } {
  const graph = model.graph;
  const declared = [...graph.inputs, ...graph.valueInfo, ...graph.outputs].find((v) => v.name === name)?.type;
  if (declared?.kind === 'tensor' && declared.elemType !== 'undefined' && declared.shape !== undefined) {
    return { float: declared.elemType === 'float32', rank: declared.shape.length };
  }
  const vt = inferred().values.get(name);
  return { float: vt?.dtype === 'float32', rank: vt?.shape == null ? null : vt.shape.length };
}

function fresh(taken: Set<string>, base: string): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

const ints = (name: string, value: number[]): Attribute => ({ name, type: 'ints', value });
const int = (name: string, value: number): Attribute => ({ name, type: 'int', value });

/**
 * A shallow copy of `model` that returns, for each of `names`, its per-sample min, max and sum over all axes but 0
 * and its shape, instead of the value itself: `Reshape(x, [0, -1])` then `ReduceMin` / `ReduceMax` / `ReduceSum`
 * over axis 1 with keepdims = 0 (axes as an attribute below opset 18 for Min/Max and below 13 for Sum, as an input
 * from there), plus the flattened value's `Shape`. A batch of n samples gives `[n]` vectors, a few bytes instead of the whole value.
 *
 * Why the sum: it proves finiteness whatever the reduction kernels do with NaN. IEEE addition propagates NaN in any
 * order and grouping, and a sum holding ±∞ is ±∞ or NaN, so a finite sum means every summed value is finite. Then
 * ReduceMin / ReduceMax return an element of the sample that no element is below / above, which is the same number
 * a sequential finite-only scan finds (distinct finite floats compare unequal, except +0 and −0, whose sign the
 * kernel may pick differently: callers canonicalize it). A non-finite sum (also when finite values overflow) says
 * nothing, and the caller must look at the whole value.
 *
 * @example
 * ```ts
 * const { model: m, outputs } = withReductions(model, ['conv1_out']);
 * outputs.get('conv1_out'); // { min: '…', max: '…', sum: '…', shape: '…' } — graph outputs of m
 * ```
 */
export function withReductions(model: Model, names: readonly string[]): ReducedModel {
  const graph = model.graph;
  const outputs = new Map<string, ReductionOutputs>();
  if (names.length === 0) return { model, outputs };
  const taken = new Set<string>([...graph.inputs, ...graph.outputs, ...graph.valueInfo].map((v) => v.name));
  for (const n of graph.nodes) for (const o of [...n.inputs, ...n.outputs]) taken.add(o);
  for (const k of graph.initializers.keys()) taken.add(k);
  let shapes: ReturnType<typeof inferShapes> | undefined;
  const inferred = () => (shapes ??= inferShapes(model));
  const opset = opsetVersion(model) ?? 1;
  const flatShape = fresh(taken, 'qf_reduce_flat_shape');
  const axes = fresh(taken, 'qf_reduce_axes');
  const initializers = new Map(graph.initializers);
  initializers.set(flatShape, { name: flatShape, tensor: tensor('int64', [2], new BigInt64Array([0n, -1n])) });
  // Below opset 13 every reduction takes its axes as an attribute; an unused initializer would draw a warning.
  if (opset >= 13) initializers.set(axes, { name: axes, tensor: tensor('int64', [1], new BigInt64Array([1n])) });
  const nodes: Node[] = [];
  const extra: ValueInfo[] = [];
  const node = (opType: string, inputs: string[], output: string, attributes: Attribute[] = []): void => {
    nodes.push({ name: fresh(taken, `${output}_node`), opType, domain: '', inputs, outputs: [output], attributes });
  };
  const reduce = (opType: string, x: string, output: string, inputFrom: number): void => {
    if (opset >= inputFrom) node(opType, [x, axes], output, [int('keepdims', 0)]);
    else node(opType, [x], output, [ints('axes', [1]), int('keepdims', 0)]);
  };
  for (const name of new Set(names)) {
    const { float, rank } = rankOf(model, name, inferred);
    if (!float || rank === null || rank < 1) continue;
    const flat = fresh(taken, `${name}_qf_flat`);
    const out: ReductionOutputs = {
      min: fresh(taken, `${name}_qf_min`), max: fresh(taken, `${name}_qf_max`),
      sum: fresh(taken, `${name}_qf_sum`), shape: fresh(taken, `${name}_qf_shape`),
    };
    node('Reshape', [name, flatShape], flat);
    reduce('ReduceMin', flat, out.min, 18);
    reduce('ReduceMax', flat, out.max, 18);
    reduce('ReduceSum', flat, out.sum, 13);
    // Shape of the flattened value, not of the value: at level 'all' a Shape of a value onnxruntime keeps in its
    // blocked (NCHWc) layout needs a reorder of its own, and session creation took about twice as long.
    node('Shape', [flat], out.shape);
    for (const k of ['min', 'max', 'sum'] as const) extra.push({ name: out[k], type: { kind: 'tensor', elemType: 'float32', shape: [null] } });
    extra.push({ name: out.shape, type: { kind: 'tensor', elemType: 'int64', shape: [2] } });
    outputs.set(name, out);
  }
  if (outputs.size === 0) return { model, outputs };
  return { model: { ...model, graph: { ...graph, nodes: [...graph.nodes, ...nodes], initializers, outputs: [...graph.outputs, ...extra] } }, outputs };
}
