import { QuantforgeError, type AffineEncoding, type PlanEntry } from '@quantforge/core';
import { encodingOpset } from './opset.js';
import { ExportState } from './state.js';

function sameEncoding(a: AffineEncoding, b: AffineEncoding): boolean {
  const eq = (x: ArrayLike<number>, y: ArrayLike<number>): boolean => x.length === y.length && Array.from(x).every((v, i) => v === y[i]);
  return a.storage === b.storage && a.axis === b.axis && a.blockSize === b.blockSize && eq(a.scale, b.scale) && eq(a.zeroPoint, b.zeroPoint);
}

/** Whether the graph has a value of this name (input, initializer or node output). */
function exists(state: ExportState, name: string): boolean {
  const g = state.input.model.graph;
  return g.inputs.some((v) => v.name === name) || g.initializers.has(name) || state.edit.producer(name) !== undefined;
}

/**
 * Static activations: `QuantizeLinear -> DequantizeLinear` right after each planned activation's producer (or at the
 * front for graph inputs), with its consumers rewired to the DQ output. The members of a tie group share one
 * scale / zero-point pair, named after the group's first member in name order; their encodings must be identical.
 */
export function quantizeActivations(state: ExportState): void {
  const entries = state.entries((e) => e.role === 'activation').sort((a, b) => (a.tensor < b.tensor ? -1 : a.tensor > b.tensor ? 1 : 0));
  const groups = new Map<string, { leader: string; e: AffineEncoding; scale: string; zeroPoint: string | undefined }>();
  for (const entry of entries) emit(state, entry, groups);
}

function emit(state: ExportState, entry: PlanEntry, groups: Map<string, { leader: string; e: AffineEncoding; scale: string; zeroPoint: string | undefined }>): void {
  const name = entry.tensor;
  const e = state.affine(name);
  if (e.storage === 'int32') {
    throw new QuantforgeError('QF_ENCODING_UNSUPPORTED', `activation "${name}" has int32 storage; QuantizeLinear cannot produce int32`, {
      details: { tensor: name, storage: e.storage },
    });
  }
  if (!exists(state, name)) {
    throw new QuantforgeError('QF_PIPELINE_INVALID', `the plan quantizes activation "${name}", which the model does not have`, { details: { tensor: name } });
  }
  const dims = state.input.encodings[name]!.dims;
  let params: { scale: string; zeroPoint: string | undefined };
  const group = entry.tieGroup === undefined ? undefined : groups.get(entry.tieGroup);
  if (group !== undefined) {
    if (!sameEncoding(group.e, e)) {
      throw new QuantforgeError('QF_PIPELINE_INVALID', `tie group "${entry.tieGroup}": "${name}" and "${group.leader}" have different encodings`, {
        details: { tieGroup: entry.tieGroup, tensors: [group.leader, name] },
        hint: 'Tied tensors must share one scale and zero point',
      });
    }
    params = group;
  } else {
    params = state.params(name, e, dims);
    if (entry.tieGroup !== undefined) groups.set(entry.tieGroup, { leader: name, e, ...params });
  }
  const edit = state.edit;
  const refs = state.consumers(entry);
  const quantized = edit.names.take(`${name}_quantized`);
  const out = edit.names.take(`${name}_dequantized`);
  const qp = params.zeroPoint === undefined ? [params.scale] : [params.scale, params.zeroPoint];
  const attrs = ExportState.axisAttributes(e);
  edit.insertAfterProducerOf(name, [
    edit.node('QuantizeLinear', `${name}_QuantizeLinear`, [name, ...qp], [quantized], attrs),
    edit.node('DequantizeLinear', `${name}_DequantizeLinear`, [quantized, ...qp], [out], attrs),
  ]);
  state.rewire(refs, out);
  state.need(encodingOpset(e));
  state.origin.set(out, name);
  state.valueMap[name] = out;
}
