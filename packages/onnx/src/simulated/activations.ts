import { QuantforgeError, type LogEncoding, type PlanEntry } from '@quantforge/core';
import type { ExportState } from '../qdq/state.js';
import { encodingOf } from './entries.js';
import { logFakeQuant } from './log-fake-quant.js';

function exists(state: ExportState, name: string): boolean {
  const g = state.input.model.graph;
  return g.inputs.some((v) => v.name === name) || g.initializers.has(name) || state.edit.producer(name) !== undefined;
}

function checkExists(state: ExportState, name: string): void {
  if (!exists(state, name)) {
    throw new QuantforgeError('QF_PIPELINE_INVALID', `the plan quantizes activation "${name}", which the model does not have`, { details: { tensor: name } });
  }
}

function sameLog(a: LogEncoding, b: LogEncoding): boolean {
  const fields = (e: LogEncoding) => JSON.stringify([e.bits, e.signed, e.step, e.fsr, e.minExponent, e.zeroCode, e.axis, e.channelFsr === undefined ? null : [...e.channelFsr]]);
  return fields(a) === fields(b);
}

/**
 * Log-encoded activations: the fake-quantization ops of {@link logFakeQuant} right after each producer, consumers
 * rewired to the result. Members of a tie group must carry identical encodings. The ops need opset
 * `LOG_FAKE_QUANT_OPSET`.
 */
export function fakeQuantizeLogActivations(state: ExportState, entries: readonly PlanEntry[]): void {
  const ties = new Map<string, { leader: string; e: LogEncoding }>();
  for (const entry of entries) {
    const name = entry.tensor;
    const q = encodingOf(state.input, name);
    const e = q.encoding as LogEncoding;
    checkExists(state, name);
    if (entry.tieGroup !== undefined) {
      const tie = ties.get(entry.tieGroup);
      if (tie === undefined) ties.set(entry.tieGroup, { leader: name, e });
      else if (!sameLog(tie.e, e)) {
        throw new QuantforgeError('QF_PIPELINE_INVALID', `tie group "${entry.tieGroup}": "${name}" and "${tie.leader}" have different encodings`, {
          details: { tieGroup: entry.tieGroup, tensors: [tie.leader, name] },
          hint: 'Tied tensors must share one encoding',
        });
      }
    }
    const refs = state.consumers(entry);
    const { nodes, output } = logFakeQuant(state.edit, name, e, q.dims.length);
    state.edit.insertAfterProducerOf(name, nodes);
    state.rewire(refs, output);
    state.origin.set(output, name);
    state.valueMap[name] = output;
  }
}

/**
 * Dynamic mode: each planned activation is quantized with the range of the running batch, as onnxruntime's dynamic
 * kernels do (`DynamicQuantizeLinear`: uint8, asymmetric), and dequantized again. The ops need opset 11.
 */
export function fakeQuantizeDynamic(state: ExportState, entries: readonly PlanEntry[]): void {
  const edit = state.edit;
  for (const entry of entries) {
    const name = entry.tensor;
    checkExists(state, name);
    const refs = state.consumers(entry);
    const [q, scale, zp, out] = ['quantized', 'scale', 'zero_point', 'dequantized'].map((s) => edit.names.take(`${name}_${s}`)) as [string, string, string, string];
    edit.insertAfterProducerOf(name, [
      edit.node('DynamicQuantizeLinear', `${name}_DynamicQuantizeLinear`, [name], [q, scale, zp]),
      edit.node('DequantizeLinear', `${name}_DequantizeLinear`, [q, scale, zp], [out]),
    ]);
    state.rewire(refs, out);
    state.origin.set(out, name);
    state.valueMap[name] = out;
  }
}
