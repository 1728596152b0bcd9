export { createRunner, runnerFactory, type RunnerFactoryOptions } from './factory.js';
export { REFERENCE_DESCRIPTION } from './reference-runner.js';
export type { OrtOptimizationLevel } from './ort-runner.js';
