import {
  attrFloat, attrInt, attrInts, attrString, QuantforgeError, subgraphsOf,
  type Attribute, type DType, type Graph, type Node,
} from '@quantforge/core';

/**
 * The version adapter: rewrites default-domain nodes written for opset `from` so they mean the same under opset `to`.
 * Converted: attribute → input moves (Slice 10, TopK 10, Clip 11, Pad 11, Squeeze/Unsqueeze/Split/ReduceSum 13,
 * the other Reduce* 18), Dropout 12 (ratio is training-only), Split 18 (`num_outputs`), Softmax/LogSoftmax/Hardmax
 * 13 (the old flatten-to-2-D axis meaning), Scatter → ScatterElements 11, RoiAlign 16 (old pixel mode), and the
 * bodies of If/Loop/Scan. Refused (`QF_ENCODING_UNSUPPORTED`): Upsample and opset-10 Resize across 11, Resize's
 * `tf_half_pixel_for_nn` across 13, GroupNormalization across 21, Scan across 9, training BatchNormalization across
 * 14, and models below opset 7 (their broadcast/consumed_inputs forms). Other ops kept their meaning across these
 * versions and are left as they are.
 */
export interface AdaptContext {
  /** Adds a constant initializer next to the node and returns its unique name. */
  constant(wanted: string, dtype: DType, dims: number[], values: readonly number[]): string;
  /** A fresh unique name. */
  unique(wanted: string): string;
  dtypeOf(value: string): DType | null;
  rankOf(value: string): number | null;
  /** Adapts a subgraph (If branch, Loop/Scan body) of a node. */
  subgraph(g: Graph): Graph;
}

/** The lowest opset the adapter converts from. */
export const MIN_ADAPTABLE_OPSET = 7;

const REDUCE_18 = ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

function refuse(node: Node, from: number, to: number, why: string): never {
  throw new QuantforgeError('QF_ENCODING_UNSUPPORTED', `the encodings need opset ${to}, but ${node.opType} node "${node.name}" (opset ${from}) cannot be converted: ${why}`, {
    details: { node: node.name, opType: node.opType, from, to, neededOpset: to },
    hint: `Re-export the float model at opset ${to} or choose encodings that need a lower opset (per-tensor int8/uint8 needs 10, per-channel 13)`,
  });
}

function without(attrs: readonly Attribute[], ...names: string[]): Attribute[] {
  return attrs.filter((a) => !names.includes(a.name));
}

function crosses(from: number, to: number, v: number): boolean {
  return from < v && to >= v;
}

/** Moves an ints attribute into an int64 input at `index` (padding skipped optional inputs with ''). */
function attrToInput(node: Node, ctx: AdaptContext, name: string, index: number): Node {
  const values = attrInts(node, name);
  if (values === undefined) return node;
  const inputs = [...node.inputs];
  while (inputs.length < index) inputs.push('');
  inputs[index] = ctx.constant(`${node.name || node.opType}_${name}`, 'int64', [values.length], values);
  return { ...node, inputs, attributes: without(node.attributes, name) };
}

function floatConstant(node: Node, ctx: AdaptContext, from: number, to: number, name: string, value: number): string {
  const dtype = ctx.dtypeOf(node.inputs[0]!) ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') refuse(node, from, to, `${name} of a ${dtype} input`);
  return ctx.constant(`${node.name || node.opType}_${name}`, dtype, [], [value]);
}

function softmaxAxis(node: Node, ctx: AdaptContext): Node[] {
  const axis = attrInt(node, 'axis', 1);
  const rank = ctx.rankOf(node.inputs[0]!);
  const rest = without(node.attributes, 'axis');
  if (rank !== null && (axis === rank - 1 || axis === -1)) return [{ ...node, attributes: [...rest, { name: 'axis', type: 'int', value: -1 }] }];
  // The old meaning: softmax over everything from `axis` on, as one flattened row.
  const base = node.name || node.opType;
  const shape = ctx.unique(`${base}_input_shape`);
  const flat = ctx.unique(`${base}_flattened`);
  const soft = ctx.unique(`${base}_flat_output`);
  return [
    { name: ctx.unique(`${base}_Shape`), opType: 'Shape', domain: '', inputs: [node.inputs[0]!], outputs: [shape], attributes: [] },
    { name: ctx.unique(`${base}_Flatten`), opType: 'Flatten', domain: '', inputs: [node.inputs[0]!], outputs: [flat], attributes: [{ name: 'axis', type: 'int', value: axis }] },
    { ...node, inputs: [flat], outputs: [soft], attributes: [...rest, { name: 'axis', type: 'int', value: 1 }] },
    { name: ctx.unique(`${base}_Reshape`), opType: 'Reshape', domain: '', inputs: [soft, shape], outputs: [node.outputs[0]!], attributes: [] },
  ];
}

function adaptOne(node: Node, from: number, to: number, ctx: AdaptContext): Node[] {
  let n = node;
  const op = n.opType;
  if (['Upsample'].includes(op) && crosses(from, to, 10)) refuse(n, from, to, 'Upsample was replaced by Resize with different coordinate rules');
  if (op === 'Resize' && crosses(from, to, 11)) refuse(n, from, to, 'opset-10 Resize has no coordinate_transformation_mode equivalent');
  if (op === 'Resize' && crosses(from, to, 13) && attrString(n, 'coordinate_transformation_mode') === 'tf_half_pixel_for_nn') refuse(n, from, to, 'tf_half_pixel_for_nn was removed');
  if (op === 'GroupNormalization' && crosses(from, to, 21)) refuse(n, from, to, 'scale and bias changed from per-group to per-channel');
  if (op === 'Scan' && crosses(from, to, 9)) refuse(n, from, to, 'opset-8 Scan has a batch axis');
  if (op === 'BatchNormalization') {
    if (crosses(from, to, 9) && attrInt(n, 'spatial', 1) !== 1) refuse(n, from, to, 'spatial=0');
    if (crosses(from, to, 9)) n = { ...n, attributes: without(n.attributes, 'spatial') };
    if (crosses(from, to, 14) && n.outputs.slice(1).some((o) => o !== '')) refuse(n, from, to, 'training-mode outputs changed');
  }
  if (op === 'Slice' && crosses(from, to, 10)) {
    for (const [name, i] of [['starts', 1], ['ends', 2], ['axes', 3]] as const) n = attrToInput(n, ctx, name, i);
  }
  if (op === 'TopK' && crosses(from, to, 10)) {
    const k = attrInt(n, 'k');
    if (k !== undefined) n = { ...n, inputs: [n.inputs[0]!, ctx.constant(`${n.name || op}_k`, 'int64', [1], [k])], attributes: without(n.attributes, 'k') };
  }
  if (op === 'Scatter' && crosses(from, to, 11)) n = { ...n, opType: 'ScatterElements' };
  if (op === 'Clip' && crosses(from, to, 11)) {
    const lo = attrFloat(n, 'min');
    const hi = attrFloat(n, 'max');
    const inputs = [n.inputs[0]!, lo === undefined ? '' : floatConstant(n, ctx, from, to, 'min', lo)];
    if (hi !== undefined) inputs.push(floatConstant(n, ctx, from, to, 'max', hi));
    while (inputs.length > 1 && inputs[inputs.length - 1] === '') inputs.pop();
    n = { ...n, inputs, attributes: without(n.attributes, 'min', 'max') };
  }
  if (op === 'Pad' && crosses(from, to, 11)) {
    const value = attrFloat(n, 'value', 0);
    n = attrToInput(n, ctx, 'pads', 1);
    if (value !== 0) n = { ...n, inputs: [...n.inputs, floatConstant(n, ctx, from, to, 'value', value)] };
    n = { ...n, attributes: without(n.attributes, 'value') };
  }
  if (op === 'Dropout' && crosses(from, to, 12)) n = { ...n, attributes: without(n.attributes, 'ratio', 'is_test') };
  if ((op === 'Squeeze' || op === 'Unsqueeze') && crosses(from, to, 13)) n = attrToInput(n, ctx, 'axes', 1);
  if (op === 'Split' && crosses(from, to, 13)) n = attrToInput(n, ctx, 'split', 1);
  if (op === 'Split' && crosses(from, to, 18) && (n.inputs[1] ?? '') === '' && attrInt(n, 'num_outputs') === undefined) {
    n = { ...n, attributes: [...n.attributes, { name: 'num_outputs', type: 'int', value: n.outputs.length }] };
  }
  if (op === 'ReduceSum' && crosses(from, to, 13)) n = attrToInput(n, ctx, 'axes', 1);
  if (REDUCE_18.includes(op) && crosses(from, to, 18)) n = attrToInput(n, ctx, 'axes', 1);
  if (op === 'RoiAlign' && crosses(from, to, 16) && attrString(n, 'coordinate_transformation_mode') === undefined) {
    n = { ...n, attributes: [...n.attributes, { name: 'coordinate_transformation_mode', type: 'string', value: new TextEncoder().encode('output_half_pixel') }] };
  }
  if (subgraphsOf(n).length > 0) {
    n = {
      ...n,
      attributes: n.attributes.map((a): Attribute => {
        if (a.type === 'graph') return { ...a, value: ctx.subgraph(a.value) };
        if (a.type === 'graphs') return { ...a, value: a.value.map((g) => ctx.subgraph(g)) };
        return a;
      }),
    };
  }
  if (['Softmax', 'LogSoftmax', 'Hardmax'].includes(op) && crosses(from, to, 13)) return softmaxAxis(n, ctx);
  return [n];
}

/**
 * Rewrites one default-domain node for a higher opset; returns the node itself when nothing changes, or the
 * nodes replacing it (same outputs).
 *
 * @example
 * ```ts
 * adaptNode(clipNode, 9, 13, ctx); // Clip with min/max inputs instead of attributes
 * ```
 */
export function adaptNode(node: Node, from: number, to: number, ctx: AdaptContext): Node[] {
  if (to <= from || !(node.domain === '' || node.domain === 'ai.onnx')) return [node];
  if (from < MIN_ADAPTABLE_OPSET) refuse(node, from, to, `the version adapter converts models from opset ${MIN_ADAPTABLE_OPSET} on`);
  return adaptOne(node, from, to, ctx);
}
