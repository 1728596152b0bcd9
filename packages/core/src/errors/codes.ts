/**
 * Every error code Quantforge raises, with what it means. Codes are stable: a code, once shipped, keeps its meaning.
 * Packages add their codes here so that users find them all in one table (docs/errors.md is generated from it).
 */
export const ERROR_CODES = {
  QF_INTERNAL: 'An unexpected internal failure (a bug); the message carries the original error.',
  QF_INVALID_ARGUMENT: 'An API was called with an argument of the wrong shape or value.',
  QF_IO: 'A file could not be read or written.',
  // graph
  QF_GRAPH_CYCLE: 'The graph has a cycle; ONNX graphs must be acyclic.',
  QF_GRAPH_DANGLING_VALUE: 'A node reads a value that no node, input or initializer produces.',
  QF_GRAPH_DUPLICATE_VALUE: 'Two producers write the same value name.',
  QF_SHAPE_INFERENCE: 'Shapes of an operator could not be inferred from its inputs.',
  QF_TENSOR_INVALID: 'A tensor does not match its dtype or dims.',
  QF_DTYPE_UNSUPPORTED: 'A tensor element type is not supported by this operation.',
  QF_NAN_WEIGHTS: 'A weight tensor holds NaN or infinite values.',
  // onnx
  QF_ONNX_DECODE: 'The bytes are not a valid ONNX protobuf (garbage, truncated, or wrong field types).',
  QF_ONNX_INVALID_MODEL: 'The model decodes but breaks an ONNX rule (missing graph, bad reference, ...).',
  QF_ONNX_EXTERNAL_DATA: 'External tensor data could not be read or written.',
  QF_ONNX_EXTERNAL_DATA_PATH: 'An external-data location escapes the model folder (absolute path or "..").',
  QF_ONNX_TOO_LARGE: 'The model exceeds the 2 GB protobuf limit and must be written with external data.',
  QF_ONNX_ENCODE: 'The model could not be encoded.',
  // runtime
  QF_OP_UNSUPPORTED: 'The model uses operators the executor does not implement.',
  QF_RUNTIME_INPUT: 'A model input is missing or has the wrong dtype or shape.',
  QF_RUNTIME_KERNEL: 'A kernel failed while executing a node.',
  QF_ORT_FAILED: 'onnxruntime-node refused or failed to run the model.',
  // plugins
  QF_MANIFEST_MISSING: 'The package has no "quantforge" manifest key.',
  QF_MANIFEST_INVALID: 'The "quantforge" manifest has a missing or wrong key (the details name it).',
  QF_PLUGIN_API_MISMATCH: 'The plugin supports a host API range that this core does not meet.',
  QF_PLUGIN_NOT_FOUND: 'The plugin could not be resolved from the project directory.',
  QF_PLUGIN_LOAD: 'The plugin module failed to load or did not export a plugin.',
  QF_PLUGIN_CONFLICT: 'A different plugin is already registered under this name.',
  QF_PLUGIN_UNKNOWN: 'No plugin or provider is registered under this name.',
  QF_OPTIONS_INVALID: 'Plugin or pipeline options do not match their schema.',
  // workers
  QF_WORKER_CRASHED: 'A worker thread died while running a task.',
  QF_WORKER_TASK: 'A worker task failed; details carry the worker-side error.',
  QF_WORKER_CONFIG: 'The worker pool configuration is invalid.',
  QF_WORKER_TIMEOUT: 'A worker task did not answer within its timeoutMs; the worker was stopped.',
  QF_WORKER_CLOSED: 'The worker pool was destroyed before or while the task ran.',
  // data / calibration
  QF_DATA_MISSING: 'Calibration or evaluation data is missing for a model input.',
  QF_DATA_MISMATCH: 'Calibration or evaluation data has the wrong name, shape or dtype for a model input.',
  QF_DATA_FORMAT: 'A data file could not be parsed (.npy, .pb, image, labels).',
  QF_CALIBRATION: 'Calibration failed.',
  // quantization / pipeline
  QF_PIPELINE_FROZEN: 'The pipeline already ran; it cannot be changed.',
  QF_PIPELINE_INVALID: 'The pipeline or recipe is incomplete or inconsistent.',
  QF_RECIPE_INVALID: 'A recipe does not match the recipe JSON Schema.',
  QF_ENCODING_UNSUPPORTED: 'An exporter or backend cannot write this encoding kind.',
  QF_QUANTIZE: 'A scheme failed to quantize a tensor.',
  QF_TARGET_UNSUPPORTED: 'The deployment target cannot run this model or option.',
  // cli
  QF_CLI_USAGE: 'The command line is wrong (unknown command, flag or missing argument).',
  // backends
  QF_TARGET_OP_UNSUPPORTED: 'The deployment target has no kernel for this operator (or this form of it).',
  QF_TARGET_CONSTRAINT: 'A tensor or node breaks a constraint of the target kernel (dtype, granularity, zero point, fixed scale, shape).',
  QF_TOOLCHAIN: 'A build tool (C compiler, make, QEMU) is missing, failed or timed out while building or running emitted code.',
  QF_TARGET_MISMATCH: 'Emitted target code gave outputs that differ from the backend\'s bit-exact simulator.',
} as const;

/** A known Quantforge error code. */
export type ErrorCode = keyof typeof ERROR_CODES;
