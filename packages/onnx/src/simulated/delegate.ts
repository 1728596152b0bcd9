import type { ExportInput, ExportResult, PlanEntry } from '@quantforge/core';
import { qdqExporter } from '../qdq/exporter.js';
import { encodingOpset, modelOpset, OPSET_DYNAMIC, OPSET_PER_TENSOR } from '../qdq/opset.js';
import { subPlan } from './entries.js';

/**
 * Runs the QDQ exporter on the plan's affine part alone (their Q/DQ pairs, tie groups and opset policy live there) and
 * returns its model and value map. When the model's opset is below `needed` (what the other passes will write), the
 * QDQ exporter is asked for that opset too, so its version adapter converts the model's own nodes; the input comes
 * back unchanged when there is nothing to do.
 */
export function delegateAffine(input: ExportInput, keep: (entry: PlanEntry) => boolean, needed: number): ExportResult {
  const plan = subPlan(input.plan, keep);
  const from = modelOpset(input.model);
  if (Object.keys(plan.tensors).length === 0 && needed <= from) return { model: input.model, valueMap: {} };
  if (needed <= from) return qdqExporter().export({ ...input, plan });
  let opset = Math.max(needed, OPSET_PER_TENSOR);
  for (const entry of Object.values(plan.tensors)) {
    const e = input.encodings[entry.tensor]?.encoding;
    if (e?.kind === 'affine') opset = Math.max(opset, encodingOpset(e));
  }
  if (input.mode === 'dynamic') opset = Math.max(opset, OPSET_DYNAMIC);
  return qdqExporter({ opset }).export({ ...input, plan });
}
