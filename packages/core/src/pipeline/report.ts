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
import { summarizeDiagnostics } from '../backend/diagnostics.js';
import type { TargetOutcome } from '../backend/pipeline-target.js';

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

/** One node as the target treats it (a `NodeDiagnostic` without its free-form details). */
export const TargetNodeSchema = Type.Object({
  node: Type.String(),
  opType: Type.String(),
  status: Type.Union([Type.Literal('mapped'), Type.Literal('fused'), Type.Literal('fallback'), Type.Literal('error')]),
  targetOp: Type.Optional(Type.String()),
  kernel: Type.Optional(Type.String()),
  fusedInto: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});

/** RAM and flash of the lowered program (bytes): the memory plan plus the largest scratch buffer. */
export const TargetMemorySchema = Type.Object({
  flashBytes: Type.Integer(),
  /** Peak RAM: the tensor arena (activations and scratch buffers). */
  arenaBytes: Type.Integer(),
  /** The largest kernel scratch buffer (inside the arena); 0 when no kernel needs one. */
  scratchBytes: Type.Integer(),
  liveLowerBoundBytes: Type.Integer(),
  flash: Type.Object({ weightsBytes: Type.Integer(), biasBytes: Type.Integer(), paramsBytes: Type.Integer(), codeBytes: Type.Integer(), totalBytes: Type.Integer() }),
  fits: Type.Union([Type.Object({ part: Type.String(), ramBytes: Type.Integer(), flashBytes: Type.Integer(), ram: Type.Boolean(), flash: Type.Boolean() }), Type.Null()]),
});

/** The lowered integer program run by the backend's simulator against the float model (same metrics as `evaluation`). */
export const TargetEvaluationSchema = Type.Object({
  samples: Type.Integer(),
  /** What ran the program, e.g. the bit-exact simulator of the backend. */
  executor: Type.String(),
  outputs: Type.Array(Type.Object({ name: Type.String(), sqnrDb: Metric, cosine: Type.Number() })),
  sqnrDb: Metric,
  cosine: Type.Number(),
  argmaxAgreement: Type.Number(),
  /** Top-1 of the float model and of the simulated program over the labelled rows. */
  accuracy: Type.Union([Type.Object({ float: Type.Number(), simulated: Type.Number(), rows: Type.Integer() }), Type.Null()]),
});

/** Emitted code compared with the simulator on one platform, or why that platform was skipped. */
export const TargetVerifyRunSchema = Type.Union([
  Type.Object({
    samples: Type.Integer(),
    /** Every output byte equals the simulator's dequantized output. */
    identical: Type.Boolean(),
    /** Samples with at least one differing output value. */
    mismatches: Type.Integer(),
    /** Index of the first differing sample, when there is one. */
    firstMismatch: Type.Optional(Type.Integer()),
    buildMs: Type.Number(),
    runMs: Type.Number(),
  }),
  Type.Object({ skipped: Type.String() }),
]);

/** One platform's verdict (see {@link TargetVerifyRunSchema}). */
export type TargetVerifyRun = Static<typeof TargetVerifyRunSchema>;

/**
 * Emitted code compared with the simulator: `samples`, then one verdict per platform the backend verifies on, keyed
 * by platform name. The Cortex-M backend always reports `host` and `qemu` (typed here); another backend's platforms
 * are further keys of the same shape.
 */
export const TargetVerifySchema = Type.Object(
  { samples: Type.Integer(), host: Type.Optional(TargetVerifyRunSchema), qemu: Type.Optional(TargetVerifyRunSchema) },
  { additionalProperties: TargetVerifyRunSchema },
);

/** Executed instructions of the emitted program on an emulated CPU. */
export const TargetInstructionsSchema = Type.Object({
  cpu: Type.String(),
  perInference: Type.Number(),
  perLayer: Type.Array(Type.Object({ node: Type.String(), op: Type.String(), insns: Type.Number() })),
});

/** Schema of the report's `target` section (documented in packages/core/docs/report-schema.md). */
export const TargetReportSchema = Type.Object({
  name: Type.String(),
  backend: Type.String(),
  summary: Type.Object({ mapped: Type.Integer(), fused: Type.Integer(), fallback: Type.Integer(), error: Type.Integer() }),
  nodes: Type.Array(TargetNodeSchema),
  /** Null when no program was lowered (some node falls back to float, or lowering was off). */
  memory: Type.Union([TargetMemorySchema, Type.Null()]),
  evaluation: Type.Optional(TargetEvaluationSchema),
  emit: Type.Optional(Type.Object({ format: Type.String(), dir: Type.String(), files: Type.Integer() })),
  verify: Type.Optional(TargetVerifySchema),
  instructions: Type.Optional(Type.Union([TargetInstructionsSchema, Type.Object({ skipped: Type.String() })])),
  /** Wall times of the steps after the run, in ms (each present when the step ran). */
  timingsMs: Type.Optional(Type.Object({ simulate: Type.Optional(Type.Number()), emit: Type.Optional(Type.Number()), verify: Type.Optional(Type.Number()) })),
});
/** The report's `target` section. */
export type TargetReport = Static<typeof TargetReportSchema>;

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
  /** Present when the run had a deployment target (`pipeline.target(...)`); see {@link TargetReportSchema}. */
  target: Type.Optional(TargetReportSchema),
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

/**
 * The report's `target` section from a run's target outcome: every node's mapping and, when a program was lowered,
 * its memory (flash, arena, largest scratch buffer). Evaluation, emit, verify and instruction counts are filled in by
 * whoever runs them (the CLI).
 *
 * @example
 * ```ts
 * const section = targetReport(result.target!);
 * section.memory?.arenaBytes; // peak RAM of the program
 * ```
 */
export function targetReport(outcome: TargetOutcome): TargetReport {
  const nodes = outcome.diagnostics.map((d) => {
    const n: TargetReport['nodes'][number] = { node: d.node, opType: d.opType, status: d.status };
    for (const k of ['targetOp', 'kernel', 'fusedInto', 'code', 'reason'] as const) if (d[k] !== undefined) n[k] = d[k];
    return n;
  });
  const program = outcome.program;
  let memory: TargetReport['memory'] = null;
  if (program !== undefined) {
    const m = program.memory;
    const scratch = program.tensors.filter((t) => t.kind === 'scratch').reduce((max, t) => Math.max(max, t.bytes), 0);
    memory = {
      flashBytes: m.flash.totalBytes, arenaBytes: m.arenaBytes, scratchBytes: scratch, liveLowerBoundBytes: m.liveLowerBoundBytes,
      flash: { ...m.flash }, fits: m.fits === undefined ? null : { ...m.fits },
    };
  }
  return { name: outcome.name, backend: outcome.backend, summary: summarizeDiagnostics(outcome.diagnostics), nodes, memory };
}
