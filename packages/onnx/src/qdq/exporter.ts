import {
  inferShapes, QuantforgeError,
  type DType, type Exporter, type ExportInput, type ExportResult, type Graph, type Model, type NamedTensor, type Node,
} from '@quantforge/core';
import { quantizeActivations } from './activations.js';
import { constantTensor } from './graph-edit.js';
import { quantizeDynamic, type DynamicWeights } from './dynamic.js';
import { adaptNode, type AdaptContext } from './opset-adapter.js';
import { checkRequestedOpset, minIrVersion, modelOpset, withOpset } from './opset.js';
import { isConstantRole } from './params.js';
import { ExportState } from './state.js';

/** Options of {@link qdqExporter}. */
export interface QdqExporterOptions {
  /**
   * Default-domain opset to write, at least what the encodings need (see the policy in `opset.ts`). Default: the
   * lowest that fits, or the model's own when higher.
   */
  opset?: number;
  /** Dynamic mode only: how int8 weight codes are stored for the integer ops. Default `'uint8'` (see DynamicWeights). */
  dynamicWeights?: DynamicWeights;
}

const MODES = ['static', 'dynamic', 'weight-only'];

/** Weights and biases the integer pass did not take: `DequantizeLinear` feeding their consumers. */
function quantizeConstants(state: ExportState): void {
  for (const entry of state.entries(isConstantRole)) {
    const refs = state.consumers(entry).filter((r) => !state.edit.isReplaced(r.node));
    if (refs.length === 0) continue;
    state.rewire(refs, state.dequantizedWeight(entry.tensor));
  }
}

/** Rewrites the model's own nodes (and their subgraphs) from opset `from` to `to`. */
function adaptModel(state: ExportState, from: number, to: number): void {
  const model = state.input.model;
  // Types only refine the conversions (Clip/Pad constant dtypes, Softmax rank); without them the general forms apply.
  let types: ReturnType<typeof inferShapes>['values'];
  try {
    types = inferShapes(model).values;
  } catch {
    types = new Map();
  }
  const edit = state.edit;
  const typeOf = (v: string) => types.get(state.origin.get(v) ?? v);
  const context = (add: (name: string, t: NamedTensor) => void): AdaptContext => ({
    constant(wanted: string, dtype: DType, dims: number[], values: readonly number[]) {
      const name = edit.names.take(wanted);
      add(name, { name, tensor: constantTensor(dtype, dims, values) });
      return name;
    },
    unique: (w) => edit.names.take(w),
    dtypeOf: (v) => typeOf(v)?.dtype ?? null,
    rankOf: (v) => typeOf(v)?.shape?.length ?? null,
    subgraph(g: Graph): Graph {
      const initializers = new Map(g.initializers);
      const sub = context((name, t) => initializers.set(name, t));
      const nodes = g.nodes.flatMap((n) => adaptNode(n, from, to, sub));
      return { ...g, nodes, initializers };
    },
  });
  const main = context((name, t) => edit.initializers.set(name, t));
  edit.base.forEach((n, i) => {
    if (edit.isReplaced(i)) return;
    const out = adaptNode(n, from, to, main);
    if (out.length !== 1 || out[0] !== n) edit.replace(i, out);
  });
}

function exportQdq(input: ExportInput, options: QdqExporterOptions): ExportResult {
  if (!MODES.includes(input.mode)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `unknown quantization mode "${String(input.mode)}"`, { details: { mode: input.mode, modes: MODES } });
  }
  const state = new ExportState(input);
  // Check encodings first, so an unsupported kind fails before any work and whatever the mode; activations need
  // one only when the mode writes them (weight-only and dynamic plans may carry none).
  for (const entry of Object.values(input.plan.tensors)) {
    if (entry.role === 'gradient') continue;
    if (isConstantRole(entry) || input.mode === 'static' || input.encodings[entry.tensor] !== undefined) state.affine(entry.tensor);
  }
  if (input.mode === 'dynamic') quantizeDynamic(state, options.dynamicWeights);
  quantizeConstants(state);
  if (input.mode === 'static') quantizeActivations(state);

  const from = modelOpset(input.model);
  checkRequestedOpset(options.opset, state.neededOpset);
  const target = Math.max(from, state.neededOpset, options.opset ?? 0);
  if (target > from) adaptModel(state, from, target);

  const edit = state.edit;
  const nodes: Node[] = edit.nodes();
  const g = input.model.graph;
  const graph: Graph = { ...g, nodes, initializers: edit.initializers };
  const dropped = [...state.replaced].filter((name) => !edit.isRead(name));
  for (const name of dropped) edit.initializers.delete(name);
  const gone = new Set(dropped);
  graph.inputs = g.inputs.filter((v) => !gone.has(v.name));
  graph.valueInfo = g.valueInfo.filter((v) => !gone.has(v.name));
  const model: Model = {
    ...input.model,
    irVersion: target > from ? Math.max(input.model.irVersion, minIrVersion(target)) : input.model.irVersion,
    opsetImports: withOpset(input.model.opsetImports, target),
    graph,
  };
  return { model, valueMap: state.valueMap };
}

/**
 * The QDQ ONNX exporter: affine encodings become integer initializers + `DequantizeLinear` (weights, biases),
 * `QuantizeLinear -> DequantizeLinear` pairs (static activations) or `DynamicQuantizeLinear` + `MatMulInteger` /
 * `ConvInteger` (dynamic mode); weight-only mode writes only the weight and bias DQ. The input model is not mutated.
 * The opset is the lowest that fits (per-axis 13; int4/int16 and blocks 21), never below the model's; the model's own
 * nodes are converted when it rises. Names: `<t>_quantized`, `<t>_scale`, `<t>_zero_point`, `<t>_dequantized`.
 *
 * @example
 * ```ts
 * const { model, valueMap } = qdqExporter().export({ model: prepared, plan, encodings, mode: 'static' });
 * await saveModel(model, 'model.qdq.onnx');
 * valueMap['conv1_out']; // 'conv1_out_dequantized'
 * ```
 */
export function qdqExporter(options: QdqExporterOptions = {}): Exporter {
  checkRequestedOpset(options.opset, 0);
  if (options.dynamicWeights !== undefined && options.dynamicWeights !== 'uint8' && options.dynamicWeights !== 'encoding') {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `dynamicWeights must be 'uint8' or 'encoding', got ${String(options.dynamicWeights)}`, {
      details: { dynamicWeights: options.dynamicWeights },
    });
  }
  return {
    name: 'qdq',
    kinds: ['affine'],
    export: (input) => exportQdq(input, options),
  };
}
