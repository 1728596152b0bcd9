/**
 * @quantforge/scheme-weighted-entropy — weighted-entropy quantization (Park et al., CVPR 2017): weights clustered by
 * importance (w²) into a codebook of any number of levels, activations on a log ladder with a searched step and
 * range, per-layer bit profiles over depth, and plot data comparing level placements.
 */
import { weightedEntropyPlugin } from './plugin.js';

export { weightedEntropy, weightedEntropyPlugin } from './plugin.js';
export { weightedEntropyScheme } from './scheme.js';
export {
  DEFAULT_WEIGHTED_ENTROPY_OPTIONS, ProfileSchema, WeightedEntropyOptionsSchema, resolveWeightedEntropyOptions,
  type BitProfile, type ResolvedWeightedEntropyOptions, type WeightedEntropyOptions,
} from './options.js';
export { COARSE_GRID, clusterMagnitudes, weightedEntropyScore, type MagnitudeClusters } from './clusters.js';
export { quantizeWeightedEntropy, weightedEntropyCodebook, type WeightedEntropyCodebook } from './weights.js';
export { PARK_STEP_EIGHTHS, encodeWeightedEntropyActivation, searchLogLadder, weightedEntropyActivationRequest, type LogLadder } from './activations.js';
export { profileBits, weightLayerOrder, weightLevels } from './profile.js';
export { encodingLevels, levelsHistogram, type LevelsHistogram } from './levels-histogram.js';
export { weightValues } from './values.js';
export { sortedMagnitudes } from './sort.js';

export default weightedEntropyPlugin;
