export * from './services.js';
export * from './recipe.js';
export * from './scheme-use.js';
export * from './scheme-worker.js';
export * from './plan/index.js';
export { quantforge, type QuantforgePipeline } from './pipeline.js';
export type { CalibrateOptions, EvaluateOptions, RunOptions } from './run.js';
export { IN_PROCESS_HISTOGRAM_SEARCHES, IN_PROCESS_WEIGHT_ELEMENTS } from './run.js';
export { buildReport, QuantizeReportSchema, EncodingSummarySchema, TimingsSchema, type QuantizeReport, type ReportInput, type Timings } from './report.js';
export {
  targetReport, TargetReportSchema, TargetNodeSchema, TargetMemorySchema, TargetEvaluationSchema, TargetVerifyRunSchema, TargetVerifySchema, TargetInstructionsSchema, type TargetReport, type TargetVerifyRun,
} from './report.js';
export { createResult, serializeEncodings, type QuantizeResult, type QuantizeResultJson, type SerializedEncodingEntry } from './result.js';
export type { CalibrationResult } from './stages/calibrate.js';
export { evaluateModels, type EvaluateInput, type EvaluationResult } from './stages/evaluate.js';
export { checkFeed, requiredInputs, type InputSpec } from './stages/data.js';
