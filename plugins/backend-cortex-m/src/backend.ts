import { defineBackend, type BackendDefinition } from '@quantforge/core';
import { checkCortexM } from './check.js';
import { constrainCortexMPlan } from './constrain.js';
import { lowerCortexM } from './lower/index.js';
import { CORTEX_M_INT16X8_PROFILES, CORTEX_M_PROFILES } from './profiles/profiles.js';
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

/**
 * The Cortex-M backend in TFLite's int16x8 mode: the same CPUs as `cortex-m4-int16x8`, ...; int16 symmetric
 * activations, int8 per-channel weights, int64 biases (CMSIS-NN `arm_convolve_s16` family). Same steps as
 * {@link cortexMBackend}: every step reads the activation width from the profile.
 *
 * @example
 * ```ts
 * const profile = cortexMInt16x8Backend.targets['cortex-m4-int16x8']!;
 * const plan16 = cortexMInt16x8Backend.constrainPlan(plan, model, profile); // activations 16-bit, zero point 0
 * ```
 */
export const cortexMInt16x8Backend: BackendDefinition = defineBackend({
  name: 'cortex-m',
  targets: { ...CORTEX_M_INT16X8_PROFILES },
  constrainPlan: constrainCortexMPlan,
  check: checkCortexM,
  lower: lowerCortexM,
  simulate: async (program, samples) => simulateCortexM(program, samples),
  describe: () => 'Arm Cortex-M via CMSIS-NN int16x8 kernels (int16 symmetric activations, int8 weights, int64 bias; TFLM int64 requantization)',
});
