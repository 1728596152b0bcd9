import { QuantforgeError, type Graph, type Model } from '@quantforge/core';
import { modelOpset } from '../qdq/opset.js';
import type { ExportState } from '../qdq/state.js';

/**
 * The result model of an export pass: the edit's nodes and initializers, with float initializers that nothing reads
 * any more dropped (and their graph-input and value-info entries). The ops these passes write exist unchanged from
 * opset `needed` on; a model below it is refused (`QF_ENCODING_UNSUPPORTED`) rather than silently converted — the QDQ
 * pass, which these exporters run first for affine tensors, is where models are raised to a higher opset.
 */
export function assemble(state: ExportState, needed: number, exporter: string): Model {
  const source = state.input.model;
  const from = modelOpset(source);
  if (needed > from) {
    throw new QuantforgeError('QF_ENCODING_UNSUPPORTED', `the ${exporter} export needs opset ${needed}, the model is at opset ${from}`, {
      details: { exporter, neededOpset: needed, modelOpset: from },
      hint: `Re-export the float model at opset ${needed} or higher`,
    });
  }
  const edit = state.edit;
  const graph: Graph = { ...source.graph, nodes: edit.nodes(), initializers: edit.initializers };
  const dropped = [...state.replaced].filter((name) => !edit.isRead(name));
  for (const name of dropped) edit.initializers.delete(name);
  const gone = new Set(dropped);
  graph.inputs = source.graph.inputs.filter((v) => !gone.has(v.name));
  graph.valueInfo = source.graph.valueInfo.filter((v) => !gone.has(v.name));
  return { ...source, graph };
}
