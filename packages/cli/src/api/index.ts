/**
 * The programmatic entry of the `quantforge` package: core's pipeline with the default services wired in, data and
 * labels by path, and atomic writing of the result. It wires; all quantization logic lives in core and the plugins.
 */
export { quantforge, type ApiCalibrateOptions, type ApiEvaluateOptions, type ModelInput, type Pipeline, type QuantforgeOptions } from './pipeline.js';
export { defaultServices, type ServiceOptions } from './services.js';
export { openData, openLabels, type DataInput, type LabelsInput, type OpenDataOptions, type OpenedData } from './data.js';
export { reportJson, writeResult, type ResultPaths } from './write.js';
export { compareModels, type CompareOptions, type Comparison } from './compare.js';
export { formatSummary, metricLines, targetLines, type SummaryContext } from './summary.js';
export {
  checkEmitDir, emitFormat, emitTarget, evaluateTarget, requireProgram, targetBackend, verifyTarget,
  type TargetEmitOptions, type TargetEvaluateOptions, type TargetVerifyInput,
} from './target.js';
