import { defineBackend, QuantforgeError, type BackendDefinition, type EmitOptions, type EmittedArtifact, type Program } from '@quantforge/core';
import { checkCortexM } from './check.js';
import { constrainCortexMPlan } from './constrain.js';
import { emitC, type EmitCOptions } from './emit/index.js';
import { lowerCortexM } from './lower/index.js';
import { CORTEX_M_INT16X8_PROFILES, CORTEX_M_PROFILES } from './profiles/profiles.js';
import { simulateCortexM } from './simulate.js';
import { verifyCortexM } from './verify/verify.js';

/**
 * The backend's `emit` step: {@link emitC}'s C99 project as artifacts, in its sorted file order. The only format is
 * `c`; the other options are {@link EmitCOptions} (`rounding`, `cpu`, `incbinBytes`).
 *
 * @example
 * ```ts
 * const files = emitCArtifacts(program, { format: 'c' });
 * await writeArtifacts('out/fashion-m4', files); // @quantforge/core
 * ```
 */
export function emitCArtifacts(program: Program, options: EmitOptions = {}): EmittedArtifact[] {
  const { format, ...rest } = options;
  if (format !== undefined && format !== 'c') {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `the cortex-m backend emits format "c", not ${JSON.stringify(format)}`, { details: { format, formats: ['c'] } });
  }
  const c: EmitCOptions = {};
  if (rest.rounding !== undefined) c.rounding = rest.rounding as EmitCOptions['rounding'];
  if (rest.cpu !== undefined) c.cpu = rest.cpu as string;
  if (rest.incbinBytes !== undefined) c.incbinBytes = rest.incbinBytes as number;
  return Object.entries(emitC(program, c)).map(([path, contents]) => ({ path, contents }));
}

// The steps both variants share: every step reads the activation width from the profile.
const steps = {
  constrainPlan: constrainCortexMPlan,
  check: checkCortexM,
  lower: lowerCortexM,
  simulate: async (program: Program, samples: Parameters<NonNullable<BackendDefinition['simulate']>>[1]) => simulateCortexM(program, samples),
  emitFormats: ['c'],
  emit: emitCArtifacts,
  verify: verifyCortexM,
} satisfies Partial<BackendDefinition>;

/**
 * The Cortex-M backend: CMSIS-NN int8 kernels as TFLite Micro runs them, on six example CPUs. `simulate` runs the
 * program bit-exactly on the main thread (the worker module exports the same as `simulate` for core's pool); `emit`
 * returns a C99 project ({@link emitCArtifacts}); `verify` builds it for the host and QEMU and compares it with the
 * simulator bit for bit, counting instructions on QEMU ({@link verifyCortexM}).
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
  ...steps,
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
  ...steps,
  describe: () => 'Arm Cortex-M via CMSIS-NN int16x8 kernels (int16 symmetric activations, int8 weights, int64 bias; TFLM int64 requantization)',
});
