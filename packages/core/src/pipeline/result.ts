import type { TargetOutcome } from '../backend/pipeline-target.js';
import type { MemoryPlan } from '../backend/program.js';
import type { Model } from '../ir/graph.js';
import type { QuantizedTensor } from '../quant/encoding.js';
import { serializeEncoding, type SerializedEncoding } from '../quant/encoding-json.js';
import type { QuantPlan } from '../quant/plan.js';
import { targetReport, type QuantizeReport } from './report.js';
import type { CalibrationResult } from './stages/calibrate.js';

/** An encoding with its tensor dims, as JSON (codes live in the exported model). */
export interface SerializedEncodingEntry {
  encoding: SerializedEncoding;
  dims: number[];
}

/** `QuantizeResult` as JSON (the exported model is written by a format package, not here). */
export interface QuantizeResultJson {
  plan: QuantPlan;
  stats: CalibrationResult | null;
  encodings: Record<string, SerializedEncodingEntry>;
  valueMap: Record<string, string>;
  report: QuantizeReport;
  /** The target's diagnostics and the lowered program's memory plan (when a target was set). */
  target?: { name: string; backend: string; diagnostics: TargetOutcome['diagnostics']; memory?: MemoryPlan };
}

/**
 * What `pipeline.run()` returns. Every part is plain data or has a JSON form: `JSON.stringify(result)` gives
 * {@link QuantizeResultJson}.
 */
export interface QuantizeResult {
  /** The validated plan (JSON). */
  plan: QuantPlan;
  /** Calibration statistics and ranges; null when the plan needed none (dynamic, weight-only). */
  stats: CalibrationResult | null;
  /** Every planned tensor's encoding by name, in plan order (weights and biases with codes). */
  encodings: Record<string, QuantizedTensor>;
  /** The exported model (IR), as the exporter returned it. */
  model: Model;
  /** Float tensor name → value in the exported model carrying its quantized value. */
  valueMap: Record<string, string>;
  report: QuantizeReport;
  /** Present when the pipeline had a target: per-node diagnostics and the lowered program. */
  target?: TargetOutcome;
  toJSON(): QuantizeResultJson;
}

/**
 * Serializes encodings (without codes) for JSON.
 *
 * @example
 * ```ts
 * writeFileSync('encodings.json', JSON.stringify(serializeEncodings(result.encodings)));
 * ```
 */
export function serializeEncodings(encodings: Readonly<Record<string, QuantizedTensor>>): Record<string, SerializedEncodingEntry> {
  const out: Record<string, SerializedEncodingEntry> = {};
  for (const [name, q] of Object.entries(encodings)) out[name] = { encoding: serializeEncoding(q.encoding), dims: [...q.dims] };
  return out;
}

/**
 * Builds the result object with its `toJSON`.
 *
 * @example
 * ```ts
 * const result = createResult({ plan, stats: null, encodings, model, valueMap, report });
 * ```
 */
export function createResult(input: Omit<QuantizeResult, 'toJSON'>): QuantizeResult {
  // The report carries the target's mapping and memory so that report.json alone describes the deployment.
  const parts = input.target === undefined || input.report.target !== undefined ? input : { ...input, report: { ...input.report, target: targetReport(input.target) } };
  return {
    ...parts,
    toJSON(): QuantizeResultJson {
      const json: QuantizeResultJson = { plan: parts.plan, stats: parts.stats, encodings: serializeEncodings(parts.encodings), valueMap: parts.valueMap, report: parts.report };
      const t = parts.target;
      if (t !== undefined) {
        json.target = { name: t.name, backend: t.backend, diagnostics: t.diagnostics };
        if (t.program !== undefined) json.target.memory = t.program.memory;
      }
      return json;
    },
  };
}
