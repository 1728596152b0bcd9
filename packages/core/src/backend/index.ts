export type { BiasConstraint, ExamplePart, FixedOutput, OpConstraint, RequantRounding, TargetDType, TargetProfile, WeightConstraint } from './profile.js';
export { validateProfile } from './validate-profile.js';
export { summarizeDiagnostics, type CheckOptions, type NodeDiagnostic, type NodeStatus } from './diagnostics.js';
export type { MemoryPlan, OpParams, TensorPlacement, Program, ProgramOp, ProgramTensor } from './program.js';
export {
  defineBackend, isBackendTarget, targetProviders,
  type BackendDefinition, type BackendTarget, type EmittedArtifact, type IntegerFeed, type LowerInput,
} from './definition.js';
export { planArena, type ArenaBuffer, type ArenaPlan } from './arena.js';
export { applyAffineFormat, fixedAffine, type TargetFormat } from './constrain.js';
export {
  isTargetUsable, lowerForTarget, planForTarget, resolveTarget,
  type ActiveTarget, type TargetOptions, type TargetOutcome,
} from './pipeline-target.js';
