import { QuantforgeError, codebookIndexDtype, allocate, tensor, type CodebookEncoding, type QuantizedTensor, type Tensor, type TensorQuantInfo } from '@quantforge/core';
import { clusterMagnitudes, type MagnitudeClusters } from './clusters.js';
import { weightLevels } from './profile.js';
import { sortedMagnitudes } from './sort.js';
import type { ResolvedWeightedEntropyOptions } from './options.js';
import { weightValues } from './values.js';

/** A weighted-entropy codebook for one tensor, with the clustering behind it. */
export interface WeightedEntropyCodebook {
  /** Ascending levels: `−r` for the negative side, `+r` for the positive one, and 0 in the middle when `levels` is odd. */
  centroids: Float32Array;
  /** Codebook index of every weight, in the tensor's order. */
  indices: Uint8Array | Uint16Array | Int32Array;
  clusters: MagnitudeClusters;
}

function clusterOf(thresholds: Float64Array, a: number): number {
  let lo = 0;
  let hi = thresholds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (a >= thresholds[mid]!) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Weighted-entropy quantization of weights into `levels` values (Park et al. 2017). Importance is w², so sorting by
 * importance is sorting by |w| (the seed's Algorithm 1 sorts all weights by importance): the magnitudes are
 * clustered ({@link clusterMagnitudes}) and every weight keeps its sign, so the levels are symmetric. Even `levels`:
 * `levels / 2` magnitude clusters, each giving `±√(Iₙ)`. Odd `levels`: one more cluster, whose magnitudes (the
 * smallest) go to an exact 0 — 3 levels is `{−r, 0, r}`. A weight's index comes from its cluster (the boundaries
 * the search chose), not from the nearest centroid.
 *
 * @example
 * ```ts
 * const { centroids, indices } = weightedEntropyCodebook(Float32Array.of(-2, -0.1, 0.05, 0.3, 1.5), 4);
 * ```
 */
export function weightedEntropyCodebook(values: Float32Array, levels: number, maxSweeps = 100000): WeightedEntropyCodebook {
  const zeroLevel = levels % 2 === 1;
  const half = zeroLevel ? (levels - 1) / 2 : levels / 2;
  const sorted = sortedMagnitudes(values);
  const clusters = clusterMagnitudes(sorted, zeroLevel ? half + 1 : half, maxSweeps);
  const r = clusters.representatives;
  const centroids = new Float32Array(levels);
  if (zeroLevel) {
    for (let k = 1; k <= half; k++) {
      centroids[half + k] = r[k]!;
      centroids[half - k] = -r[k]!;
    }
  } else {
    for (let k = 0; k < half; k++) {
      centroids[half + k] = r[k]!;
      centroids[half - 1 - k] = -r[k]!;
    }
  }
  const indices = allocate(codebookIndexDtype(levels), values.length) as Uint8Array | Uint16Array | Int32Array;
  const t = clusters.thresholds;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const k = clusterOf(t, v < 0 ? -v : v);
    if (zeroLevel) indices[i] = k === 0 ? half : v < 0 ? half - k : half + k;
    else indices[i] = v < 0 ? half - 1 - k : half + k;
  }
  return { centroids, indices, clusters };
}

/**
 * Quantizes a weight tensor with weighted entropy: levels from the options or the layer's bit profile, a scalar
 * codebook (`subvectorLength: 1`, one codebook for the tensor, rows of the last dimension) and its indices, dims
 * `[1, rows, rowLength]` as core's codebook contract has them. Deterministic: no randomness is involved.
 *
 * @example
 * ```ts
 * const q = quantizeWeightedEntropy(weight, resolveWeightedEntropyOptions({ bits: 3 }), info);
 * dequantize(q); // every value one of 8 levels
 * ```
 */
export function quantizeWeightedEntropy(t: Tensor, o: ResolvedWeightedEntropyOptions, info: TensorQuantInfo): QuantizedTensor {
  const values = weightValues(t, info.name);
  if (values.length === 0) {
    throw new QuantforgeError('QF_QUANTIZE', `weighted-entropy quantization of ${info.name}: the tensor is empty`, { details: { tensor: info.name, dims: [...t.dims] } });
  }
  const levels = weightLevels(o, info);
  const book = weightedEntropyCodebook(values, levels, o.maxSweeps);
  const rowLength = t.dims.length === 0 ? 1 : t.dims[t.dims.length - 1]!;
  const rows = values.length / rowLength;
  const encoding: CodebookEncoding = {
    kind: 'codebook', centroids: book.centroids, k: levels, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength },
  };
  return { encoding, dims: [...t.dims], codes: tensor(codebookIndexDtype(levels), [1, rows, rowLength], book.indices as never) };
}
