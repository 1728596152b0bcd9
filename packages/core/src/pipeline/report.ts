import { Type, type Static } from '@sinclair/typebox';
import { dequantize } from '../quant/dequantize.js';
import type { QuantizedTensor } from '../quant/encoding.js';
import { encodingSummary } from '../quant/encoding-summary.js';
import { sqnr } from '../quant/metrics.js';
import { ExcludedNodeSchema, type QuantPlan } from '../quant/plan.js';
import type { Model } from '../ir/graph.js';
import { QuantModeSchema } from './recipe.js';
import type { QuantMode } from './services.js';
import type { CalibrationResult } from './stages/calibrate.js';
import type { EvaluationResult } from './stages/evaluate.js';

/** A metric that may be infinite (identical values) is `null` in JSON when it is not finite. */
const Metric = Type.Union([Type.Number(), Type.Null()]);

/** Schema of an encoding summary (`encodingSummary`). */
export const EncodingSummarySchema = Type.Object({
  kind: Type.Union([Type.Literal('affine'), Type.Literal('log'), Type.Literal('codebook'), Type.Literal('ternary')]),
  bitsPerElement: Type.Number(),
  granularity: Type.Union([Type.Literal('per-tensor'), Type.Literal('per-channel'), Type.Literal('per-group')]),
  axis: Type.Optional(Type.Integer()),
  parameterSets: Type.Integer(),
  detail: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()])),
});

/** Stage wall times in milliseconds; `load` is measured by the caller (file read + decode). */
export const TimingsSchema = Type.Object({
  load: Type.Number(), prepare: Type.Number(), calibrate: Type.Number(), quantize: Type.Number(),
  export: Type.Number(), evaluate: Type.Number(), total: Type.Number(),
});
/** `{ load, prepare, calibrate, quantize, export, evaluate, total }` in ms. */
export type Timings = Static<typeof TimingsSchema>;

/** Schema of {@link QuantizeReport} (documented in packages/core/docs/report-schema.md). */
export const QuantizeReportSchema = Type.Object({
  version: Type.Literal(1),
  mode: QuantModeSchema,
  schemes: Type.Array(Type.Object({ name: Type.String(), plugin: Type.String(), pluginVersion: Type.String(), options: Type.Record(Type.String(), Type.Unknown()) })),
  exporter: Type.String(),
  model: Type.Object({
    bytesBefore: Metric, bytesAfter: Metric,
    /** bytesBefore / bytesAfter. */
    compression: Metric,
    nodes: Type.Integer(),
    quantizedTensors: Type.Integer(),
  }),
  timingsMs: TimingsSchema,
  weights: Type.Array(Type.Object({
    tensor: Type.String(),
    role: Type.Union([Type.Literal('weight'), Type.Literal('bias'), Type.Literal('gradient')]),
    scheme: Type.String(),
    dims: Type.Array(Type.Integer()),
    encoding: EncodingSummarySchema,
    /** Float weight vs its dequantized codes, dB. */
    sqnrDb: Metric,
  })),
  activations: Type.Array(Type.Object({
    tensor: Type.String(),
    scheme: Type.String(),
    /** Observer kind, null for dynamic (run-time) or fixed encodings. */
    observer: Type.Union([Type.String(), Type.Null()]),
    range: Type.Union([Type.Object({ min: Type.Number(), max: Type.Number() }), Type.Null()]),
    tieGroup: Type.Optional(Type.String()),
    encoding: Type.Union([EncodingSummarySchema, Type.Null()]),
    /** Quantized-model value vs float-model value over the evaluation samples, dB; null without evaluation. */
    sqnrDb: Metric,
  })),
  excluded: Type.Array(ExcludedNodeSchema),
  calibration: Type.Union([Type.Object({ samples: Type.Integer(), executor: Type.String() }), Type.Null()]),
  evaluation: Type.Union([Type.Object({
    samples: Type.Integer(),
    outputs: Type.Array(Type.Object({ name: Type.String(), sqnrDb: Metric, cosine: Type.Number() })),
    sqnrDb: Metric,
    cosine: Type.Number(),
    argmaxAgreement: Type.Number(),
    accuracy: Type.Union([Type.Object({ float: Type.Number(), quantized: Type.Number(), rows: Type.Integer() }), Type.Null()]),
  }), Type.Null()]),
  executors: Type.Object({
    calibrate: Type.Union([Type.String(), Type.Null()]),
    evaluateFloat: Type.Union([Type.String(), Type.Null()]),
    evaluateQuantized: Type.Union([Type.String(), Type.Null()]),
  }),
  warnings: Type.Array(Type.String()),
});

/**
 * The run report: a stable JSON shape (version 1), see packages/core/docs/report-schema.md.
 *
 * @example
 * ```ts
 * writeFileSync('report.json', JSON.stringify(result.report, null, 2));
 * console.log(result.report.evaluation?.sqnrDb);
 * ```
 */
export type QuantizeReport = Static<typeof QuantizeReportSchema>;

const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

/** What {@link buildReport} assembles. */
export interface ReportInput {
  mode: QuantMode;
  schemes: QuantizeReport['schemes'];
  exporter: string;
  floatModel: Model;
  plan: QuantPlan;
  encodings: Readonly<Record<string, QuantizedTensor>>;
  calibration: CalibrationResult | null;
  evaluation: EvaluationResult | null;
  bytesBefore: number | null;
  bytesAfter: number | null;
  timingsMs: Timings;
  warnings: string[];
}

/**
 * Assembles the report: per-weight SQNR (float vs dequantized), per-activation range and evaluation SQNR, sizes,
 * timings, metrics and executor descriptions. Pure; the same inputs give the same JSON.
 *
 * @example
 * ```ts
 * const report = buildReport({ mode: 'static', schemes, exporter: 'qdq', floatModel, plan, encodings, calibration,
 *   evaluation: null, bytesBefore: 1000, bytesAfter: 300, timingsMs, warnings: [] });
 * ```
 */
export function buildReport(input: ReportInput): QuantizeReport {
  const weights: QuantizeReport['weights'] = [];
  const activations: QuantizeReport['activations'] = [];
  for (const e of Object.values(input.plan.tensors)) {
    const q = input.encodings[e.tensor];
    if (e.role === 'activation') {
      const range = input.calibration?.ranges[e.tensor];
      const a: QuantizeReport['activations'][number] = {
        tensor: e.tensor, scheme: e.scheme, observer: e.stats?.observer ?? null,
        range: range === undefined ? null : { min: range.min, max: range.max },
        encoding: q === undefined ? null : encodingSummary(q.encoding),
        sqnrDb: finite(input.evaluation?.activations[e.tensor]),
      };
      if (e.tieGroup !== undefined) a.tieGroup = e.tieGroup;
      activations.push(a);
      continue;
    }
    if (q === undefined) continue;
    const float = input.floatModel.graph.initializers.get(e.tensor)?.tensor;
    const db = q.codes !== undefined && float?.dtype === 'float32' ? sqnr(float.data as Float32Array, dequantize(q)) : undefined;
    weights.push({ tensor: e.tensor, role: e.role, scheme: e.scheme, dims: [...q.dims], encoding: encodingSummary(q.encoding), sqnrDb: finite(db) });
  }
  const ev = input.evaluation;
  const { bytesBefore, bytesAfter } = input;
  return {
    version: 1,
    mode: input.mode,
    schemes: input.schemes,
    exporter: input.exporter,
    model: {
      bytesBefore, bytesAfter,
      compression: bytesBefore !== null && bytesAfter !== null && bytesAfter > 0 ? bytesBefore / bytesAfter : null,
      nodes: input.floatModel.graph.nodes.length,
      quantizedTensors: Object.keys(input.plan.tensors).length,
    },
    timingsMs: input.timingsMs,
    weights,
    activations,
    excluded: input.plan.excluded,
    calibration: input.calibration === null || input.calibration.executor === null ? null : { samples: input.calibration.samples, executor: input.calibration.executor },
    evaluation: ev === null ? null : {
      samples: ev.samples,
      outputs: ev.outputs.map((o) => ({ name: o.name, sqnrDb: finite(o.sqnrDb), cosine: o.cosine })),
      sqnrDb: finite(ev.sqnrDb), cosine: ev.cosine, argmaxAgreement: ev.argmaxAgreement, accuracy: ev.accuracy,
    },
    executors: {
      calibrate: input.calibration?.executor ?? null,
      evaluateFloat: ev?.executors.float ?? null,
      evaluateQuantized: ev?.executors.quantized ?? null,
    },
    warnings: input.warnings,
  };
}
