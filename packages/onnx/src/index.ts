/**
 * @quantforge/onnx — lossless ONNX <-> IR conversion: models (with external data), TensorProto `.pb` files and
 * NumPy `.npy` files, plus atomic file writes.
 */
export {
  decodeModel,
  encodeModel,
  loadModel,
  saveModel,
  decodeTensorProto,
  encodeTensorProto,
  type DecodeOptions,
  type SaveOptions,
} from './model-io.js';
export { validateModel } from './validate.js';
export { modelStats, tensorByteLength, type ModelStats } from './stats.js';
export { readNpy, encodeNpy } from './npy.js';
export { writeFileAtomic } from './fs-atomic.js';
export { DEFAULT_SIZE_LIMIT, DEFAULT_THRESHOLD, type ExternalDataOption } from './external.js';
export { qdqExporter, encodingOpset, minIrVersion, adaptNode, type QdqExporterOptions, type AdaptContext } from './qdq/index.js';
export { simulatedExporter, logFakeQuant, logLadder, LOG_FAKE_QUANT_OPSET, type LogLadder } from './simulated/index.js';
export { codebookExporter, expandCodebook, expandLogWeight, CODEBOOK_OPSET, OPSET_PACKED_INDICES, type CodebookExporterOptions, type Expansion } from './codebook/index.js';
