/**
 * @quantforge/backend-cortex-m — Cortex-M deployment backend (CMSIS-NN / TFLite-Micro int8 kernels): target
 * profiles, per-node check, plan constraints, lowering to an integer program with a tensor-arena plan.
 */
import { cortexMPlugin } from './plugin.js';

export { CORTEX_M_TARGET_NAMES, type CortexMTargetName } from './profiles/names.js';
export { CORTEX_M_INT16X8_PROFILES, CORTEX_M_PROFILES, activationBits, kernelVariant, type CortexMInt16x8TargetName } from './profiles/profiles.js';
export { cmsisNnOps, cmsisNnOps16, INT16X8_MISSING, type KernelVariant } from './profiles/op-table.js';
export { cortexMBackend, cortexMInt16x8Backend, emitCArtifacts } from './backend.js';
export { cortexMPlugin } from './plugin.js';
export { cortexMInt16x8Plugin } from './plugin-int16x8.js';
export { checkCortexM } from './check.js';
export { constrainCortexMPlan } from './constrain.js';
export { lowerCortexM } from './lower/index.js';
export { dispatchedKernel, scratchBytes, type ScratchQuery } from './lower/scratch.js';
export { simulateCortexM } from './simulate.js';
export { dequantizeOutput, quantizeInput } from './simulate-io.js';
export { emitC, writeCProject, type CProjectFiles, type EmitCOptions } from './emit/index.js';
export { countInstructions, type CountInstructionsOptions, type InstructionCounts, type LayerInstructions } from './verify/insns.js';
export {
  buildProject, compareOutputs, createProgramRunner, evaluateProgram, probeToolchain, runProcess, runProject, TOOLCHAIN_PACKAGES, verifyCortexM, verifyCProject,
  type BuildRunOptions, type CProjectVerification, type OutputComparison, type Platform, type PlatformVerdict, type ProcessOptions, type ProcessResult,
  type ProgramEvaluationInput, type ProgramRunner, type RecordedSamples, type Toolchain, type VerifyOptions,
} from './verify/index.js';
export { denseWeights, depthwiseWeights, nchwToNhwc, nhwcDims, nhwcToNchw, oihwToOhwi } from './lower/layout.js';

export default cortexMPlugin;
