/**
 * @quantforge/scheme-logquant — logarithmic quantization (Miyashita et al. 2016): weights and activations as
 * `sign · 2^clip(round(log2|x|))` with an exact zero, base 2 or √2, full-scale range from the maximum or searched
 * for the least squared error, per tensor or per channel.
 */
import { logQuantPlugin } from './plugin.js';

export { logQuant, logQuantPlugin } from './plugin.js';
export { logQuantScheme } from './scheme.js';
export {
  DEFAULT_LOGQUANT_OPTIONS, LogQuantOptionsSchema, resolveLogQuantOptions, type LogQuantOptions, type ResolvedLogQuantOptions,
} from './options.js';
export { fsrForMax, ladderError, logQuantEncoding, logStep, magnitudeLevels, searchFsr, type MagnitudeSample } from './ladder.js';
export { channelMaxAbs, quantizeLogWeight } from './weights.js';
export { BINS_PER_OCTAVE, binChannels, binnedError, searchBinnedFsr, type BinnedChannels } from './binned.js';
export { encodeLogActivation, histogramSample, logActivationRequest } from './activations.js';
export { weightValues } from './values.js';

export default logQuantPlugin;
