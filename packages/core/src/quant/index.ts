/**
 * Quantization contracts and calibration observers: encodings and their reference (de)quantizers, the shared affine
 * math, observers, and the plan / scheme / calibrator contracts every scheme, exporter and backend builds on.
 */
export * from './encoding.js';
export { checkEncoding, logLevelCount, codebookShape } from './encoding-check.js';
export * from './encoding-json.js';
export * from './encoding-summary.js';
export { quantizeWith, codebookIndexDtype, codebookGroupOf, logChannelMinExponents } from './quantize.js';
export { dequantize } from './dequantize.js';
export { permute } from './codebook-layout.js';
export { forEachParamRun } from './param-runs.js';
export * from './rounding.js';
export * from './affine.js';
export * from './ranges.js';
export * from './metrics.js';
export * from './options.js';
export * from './observers/index.js';
export * from './plan.js';
export * from './scheme.js';
export * from './calibrator.js';
