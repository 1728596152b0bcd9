/**
 * @quantforge/scheme-uniform — uniform (affine) post-training quantization: 2–16-bit signed or unsigned codes,
 * symmetric or asymmetric, narrow range, per-tensor / per-channel / per-group weights, power-of-two scales, int32
 * biases, activations from calibration statistics.
 */
import { uniformPlugin } from './plugin.js';

export { uniform, uniformPlugin } from './plugin.js';
export { uniformScheme } from './scheme.js';
export { parseFormatSpec, type FormatTarget } from './format-spec.js';
export {
  ActivationOptionsSchema, CalibratorSchema, DEFAULT_UNIFORM_OPTIONS, ResolvedUniformOptionsSchema, UniformOptionsSchema, WeightClippingSchema,
  WeightOptionsSchema, checkConsistency, resolveUniformOptions,
  type ActivationOptions, type CalibratorKind, type ResolvedUniformOptions, type UniformOptions, type WeightOptions,
} from './options.js';
export { activationFormat, codeBits, weightFormat } from './formats.js';
export { activationStatRequest, encodeActivationStats } from './activations.js';
export { quantizeBias } from './bias.js';
export {
  DEFAULT_BLOCK_SIZE, DEFAULT_WEIGHT_PERCENTILE, defaultBlockAxis, defaultChannelAxis, floatValues, quantizeWeightTensor, weightLayout, weightRanges,
  type LayoutInfo, type WeightLayout,
} from './weights.js';
export { groupByParam, mseClip, percentileClip, type ParamGroups } from './clipping.js';

export default uniformPlugin;
