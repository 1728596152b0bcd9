/** @quantforge/runtime — the reference executor (float and integer kernels in TypeScript) and the onnxruntime-node fast path. */
export * from './kernels/index.js';
export * from './engine/index.js';
export * from './ort/index.js';
export * from './conformance/index.js';
export * from './runner/index.js';
export * from './data/index.js';
