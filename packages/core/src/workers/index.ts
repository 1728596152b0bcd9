export { createWorkerPool, type WorkerPool, type WorkerPoolOptions } from './pool.js';
export { MAX_WORKERS, WORKERS_ENV, resolveWorkerCount } from './pool-size.js';
export { mapInWorkers } from './map.js';
export { pluginTask } from './plugin-task.js';
export { isTensorResult, withTensors, type TaskResult, type TensorResult, type TransferMode, type WorkerTask } from './protocol.js';
export { shareTensor } from './transfer.js';
