import { defineBackend, type BackendDefinition } from '@quantforge/core';
import { checkCortexM } from './check.js';
import { constrainCortexMPlan } from './constrain.js';
import { lowerCortexM } from './lower/index.js';
import { CORTEX_M_PROFILES } from './profiles/profiles.js';
import { simulateCortexM } from './simulate.js';

/**
 * The Cortex-M backend: CMSIS-NN int8 kernels as TFLite Micro runs them, on six example CPUs. `simulate` runs the
 * program bit-exactly on the main thread (the worker module exports the same as `simulate` for core's pool); `emit`
 * (C source) and QEMU verification are not part of this version.
 *
 * @example
 * ```ts
 * const profile = cortexMBackend.targets['cortex-m4']!;
 * const plan2 = cortexMBackend.constrainPlan(plan, model, profile);
 * const diagnostics = cortexMBackend.check(model, plan2, profile);
 * ```
 */
export const cortexMBackend: BackendDefinition = defineBackend({
  name: 'cortex-m',
  targets: { ...CORTEX_M_PROFILES },
  constrainPlan: constrainCortexMPlan,
  check: checkCortexM,
  lower: lowerCortexM,
  simulate: async (program, samples) => simulateCortexM(program, samples),
  describe: () => 'Arm Cortex-M via CMSIS-NN int8 kernels (TFLite int8 spec, TFLM double-rounding requantization)',
});
