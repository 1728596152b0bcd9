/**
 * @quantforge/scheme-vq — codebook quantization of weights: scalar k-means weight sharing (k = 2^bits centroids per
 * tensor or per channel, exact sorted-data Lloyd, linear or k-means++ init, optional importance weighting) and product
 * quantization (one codebook per sub-space, optional residual stage). Produces core's codebook encoding.
 */
import { vqPlugin } from './plugin.js';

export { kmeans, pq, vqPlugin } from './plugin.js';
export { kmeansScheme, pqScheme } from './scheme.js';
export {
  DEFAULT_KMEANS_OPTIONS, DEFAULT_PQ_OPTIONS, KmeansOptionsSchema, PqOptionsSchema, VqOptionsSchema, resolveVqOptions,
  type VqOptions, type VqOptionsInput,
} from './options.js';
export { compressionRatio, compressionStats, type CompressionStats } from './compression.js';
export {
  assign1d, importanceOf, inertia1d, initCentroids1d, kmeans1d, sortValues, update1d,
  type Importance, type Init1d, type Kmeans1dOptions, type Kmeans1dResult, type SortedValues,
} from './kmeans1d.js';
export { assignNd, kmeansNd, kmeansPlusPlus, updateNd, type KmeansNdOptions, type KmeansNdResult } from './kmeans-nd.js';
export { kmeansLayout, quantizeKmeans, type KmeansLayout } from './quantize-kmeans.js';
export { pqLayout, quantizePq, type PqLayout } from './quantize-pq.js';
export { assignCodes, finishCodebook, floatWeights, stageResidual } from './weights.js';
export { scalarCodes } from './scalar-codes.js';
export { seededRandom } from './random.js';
export { sortFloat32 } from './radix-sort.js';

export default vqPlugin;
