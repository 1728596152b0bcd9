export { createOrtSession, withExposedOutputs, type OrtSession, type OrtSessionOptions } from './session.js';
export { toOrtTensor, fromOrtTensor, type OrtModule } from './convert.js';
export { withReductions, type ReducedModel, type ReductionOutputs } from './reductions.js';
