/**
 * @quantforge/core — the IR, dtypes, tensors, graph passes, contracts (calibrator, scheme, backend), plugin manifest,
 * registry and loader, pipeline, worker pool, errors and progress events. It imports no other Quantforge package.
 */
export * from './errors/index.js';
export * from './ir/index.js';
export * from './passes/index.js';
export * from './plugins/index.js';
export * from './workers/index.js';
export * from './quant/index.js';
export * from './pipeline/index.js';
export * from './progress.js';
export * from './backend/index.js';
