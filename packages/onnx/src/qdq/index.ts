export { qdqExporter, type QdqExporterOptions } from './exporter.js';
export type { DynamicWeights } from './dynamic.js';
export { encodingOpset, minIrVersion, OPSET_DYNAMIC, OPSET_PER_AXIS, OPSET_PER_TENSOR, OPSET_WIDE_TYPES } from './opset.js';
export { adaptNode, MIN_ADAPTABLE_OPSET, type AdaptContext } from './opset-adapter.js';
