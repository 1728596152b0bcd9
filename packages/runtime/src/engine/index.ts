export { Executor, createExecutor, type ExecutorOptions, type RunOptions, type RunStats } from './executor.js';
export { unsupportedOps, defaultKernels, findKernel, type UnsupportedOp, type DomainKernels } from './unsupported.js';
export { validateFeeds } from './feeds.js';
