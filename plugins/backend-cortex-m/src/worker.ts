/**
 * Worker module of the Cortex-M backend (manifest `worker`): core's worker pool calls `simulate` with a lowered
 * program and a batch of int8 samples (structured-cloned), so bit-exact simulation of large batches runs off the
 * main thread.
 */
import type { IntegerFeed, Program } from '@quantforge/core';
import { simulateCortexM } from './simulate.js';

/**
 * Pool export: `{ program, samples }` → the outputs of every sample.
 *
 * @example
 * ```ts
 * const { value } = await pool.run({ workerUrl: cortexMPlugin.workerUrl!, export: 'simulate', options: { program, samples } });
 * ```
 */
export function simulate(options: { program: Program; samples: IntegerFeed[] }): IntegerFeed[] {
  return simulateCortexM(options.program, options.samples);
}
