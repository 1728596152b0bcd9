/** @quantforge/runtime — the reference executor (float and integer kernels in TypeScript) and the onnxruntime-node fast path. */
export * from './kernels/index.js';
