// Shared vitest suites and expectations of the scheme plugins' own tests (exported by @quantforge/testing/vitest).
export { describeImportBoundaries } from './import-walls-suite.js';
export {
  usePipelineHarness, type HarnessRunOptions, type PipelineDoubles, type PipelineHarness, type PipelineHarnessOptions, type PipelineModels,
} from './pipeline-harness.js';
export {
  expectActivationTaskMatches, expectBuiltPlugin, expectWeightTaskMatches, useWorkerPool, type ActivationTaskCheck, type WeightTaskCheck,
} from './worker-identity.js';
