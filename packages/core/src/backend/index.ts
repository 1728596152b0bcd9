export type { BiasConstraint, ExamplePart, FixedOutput, OpConstraint, RequantRounding, TargetDType, TargetProfile, WeightConstraint } from './profile.js';
export { validateProfile } from './validate-profile.js';
export { summarizeDiagnostics, type CheckOptions, type NodeDiagnostic, type NodeStatus } from './diagnostics.js';
export type { MemoryPlan, OpParams, TensorPlacement, Program, ProgramOp, ProgramTensor } from './program.js';
export {
  defineBackend, isBackendTarget, requireBackendStep, targetProviders,
  type BackendDefinition, type BackendStep, type BackendTarget, type BackendVerification, type EmitOptions, type EmittedArtifact,
  type IntegerFeed, type LowerInput, type RecordedSamples, type VerifyStepOptions, type VerifyVerdict,
} from './definition.js';
export { dequantizeProgramOutput, programOnnxDims, quantizeProgramInput } from './program-io.js';
export { createProgramRunner, evaluateProgram, type ProgramEvaluationInput, type ProgramRunner, type ProgramSimulator } from './evaluate-program.js';
export { writeArtifacts } from './write-artifacts.js';
export { planArena, type ArenaBuffer, type ArenaPlan } from './arena.js';
export { applyAffineFormat, fixedAffine, type TargetFormat } from './constrain.js';
export {
  isTargetUsable, lowerForTarget, planForTarget, resolveTarget,
  type ActiveTarget, type TargetOptions, type TargetOutcome,
} from './pipeline-target.js';
