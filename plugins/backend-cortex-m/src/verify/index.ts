export { runProcess, type ProcessOptions, type ProcessResult } from './process.js';
export { probeToolchain, TOOLCHAIN_PACKAGES, type Toolchain } from './toolchain.js';
export { buildProject, runProject, type BuildRunOptions, type Platform } from './build-run.js';
export { compareOutputs, type OutputComparison } from './compare.js';
export { verifyCortexM, verifyCProject, type CProjectVerification, type PlatformVerdict, type VerifyOptions } from './verify.js';
export { createProgramRunner, evaluateProgram, type ProgramEvaluationInput, type ProgramRunner, type RecordedSamples } from './evaluate.js';
