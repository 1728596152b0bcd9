import type { FloatRunner, Model } from '@quantforge/core';
import { createExecutor } from '../engine/index.js';

/** What {@link referenceRunner} reports as its executor. */
export const REFERENCE_DESCRIPTION = 'reference executor (@quantforge/runtime)';

/**
 * A runner on the TypeScript reference executor. Building the executor is what checks that every op has a kernel
 * (`QF_OP_UNSUPPORTED` otherwise), so a caller learns at creation, not at the first run, that the model cannot run.
 */
export function referenceRunner(model: Model, exposeOutputs: readonly string[]): FloatRunner {
  const exec = createExecutor(model);
  const outputs = [...new Set([...exec.outputNames, ...exposeOutputs])];
  return {
    description: REFERENCE_DESCRIPTION,
    run: async (feed) => exec.run(feed, { outputs }),
    close: async () => {},
  };
}
