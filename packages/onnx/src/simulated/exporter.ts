import { ENCODING_KINDS, type Exporter, type ExportInput, type ExportResult, type PlanEntry } from '@quantforge/core';
import { OPSET_DYNAMIC } from '../qdq/opset.js';
import { ExportState } from '../qdq/state.js';
import { fakeQuantizeDynamic, fakeQuantizeLogActivations } from './activations.js';
import { assemble } from './assemble.js';
import { delegateAffine } from './delegate.js';
import { LOG_FAKE_QUANT_OPSET } from './log-fake-quant.js';
import { checkMode, dequantizedInitializer, encodingOf, isConstant, unsupported } from './entries.js';

const ACTIVATION_KINDS = ['affine', 'log'] as const;

function exportSimulated(input: ExportInput): ExportResult {
  checkMode(input.mode);
  const entries = Object.values(input.plan.tensors).filter((e) => e.role !== 'gradient');
  const staticActs = input.mode === 'static' ? entries.filter((e) => e.role === 'activation') : [];
  // Every encoding is checked before any graph work, so a bad one fails the same way whatever else the plan holds.
  for (const entry of entries) {
    if (isConstant(entry)) encodingOf(input, entry.tensor);
  }
  for (const entry of staticActs) {
    const kind = encodingOf(input, entry.tensor).encoding.kind;
    if (!(ACTIVATION_KINDS as readonly string[]).includes(kind)) {
      throw unsupported('simulated', entry, kind, ACTIVATION_KINDS, 'Ternary and codebook encodings are for weights; quantize activations with an affine or log scheme');
    }
  }
  const isAffineAct = (e: PlanEntry) => staticActs.includes(e) && input.encodings[e.tensor]!.encoding.kind === 'affine';
  const logActs = staticActs.filter((e) => input.encodings[e.tensor]!.encoding.kind === 'log');
  const dynamicActs = input.mode === 'dynamic' ? entries.filter((e) => e.role === 'activation') : [];
  const needed = Math.max(logActs.length > 0 ? LOG_FAKE_QUANT_OPSET : 0, dynamicActs.length > 0 ? OPSET_DYNAMIC : 0);
  const qdq = delegateAffine(input, isAffineAct, needed);
  const state = new ExportState({ ...input, model: qdq.model });
  Object.assign(state.valueMap, qdq.valueMap);
  for (const entry of entries.filter(isConstant)) {
    const refs = state.consumers(entry);
    if (refs.length === 0) continue;
    const name = state.edit.addInitializer(`${entry.tensor}_dequantized`, dequantizedInitializer(input, entry.tensor));
    state.rewire(refs, name);
    state.replaced.add(entry.tensor);
    state.origin.set(name, entry.tensor);
    state.valueMap[entry.tensor] = name;
  }
  fakeQuantizeLogActivations(state, logActs);
  fakeQuantizeDynamic(state, dynamicActs);
  return { model: assemble(state, needed, 'simulated'), valueMap: state.valueMap };
}

/**
 * The simulated (fake-quantized) exporter, for evaluating any encoding in onnxruntime: every planned weight and bias
 * becomes a float initializer `<w>_dequantized` holding core's `dequantize` values; static activations are
 * fake-quantized in the graph — affine ones by the QDQ exporter's `QuantizeLinear → DequantizeLinear`, log ones by an
 * op sequence that reproduces core's log quantizer bit-exactly (see `logFakeQuant`); in dynamic mode the planned
 * activations go through `DynamicQuantizeLinear → DequantizeLinear`. Ternary and codebook activations are refused
 * with `QF_ENCODING_UNSUPPORTED`. A model below the opset these ops need (log 9, dynamic 11) is raised through the QDQ
 * exporter's version adapter (to at least opset 10). The input model is not mutated.
 *
 * @example
 * ```ts
 * const { model, valueMap } = simulatedExporter().export({ model: prepared, plan, encodings, mode: 'static' });
 * await saveModel(model, 'model.sim.onnx');
 * valueMap['relu_out']; // 'relu_out_log_dequantized'
 * ```
 */
export function simulatedExporter(): Exporter {
  return { name: 'simulated', kinds: [...ENCODING_KINDS], export: exportSimulated };
}
