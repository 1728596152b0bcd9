import {
  QuantforgeError, permute, sizeOf, tensorSeed, type CodebookEncoding, type QuantizedTensor, type Tensor, type TensorQuantInfo,
} from '@quantforge/core';
import { kmeans1d, type Importance } from './kmeans1d.js';
import type { VqOptions } from './options.js';
import { finishCodebook, floatWeights } from './weights.js';

/** How a k-means weight is grouped: one codebook, or one per channel of `axis` (moved first by `perm`). */
export interface KmeansLayout {
  grouping: 'tensor' | 'channel';
  groups: number;
  axis?: number;
  perm?: number[];
  rowLength: number;
}

/**
 * The k-means grouping of a weight: per channel along the plan's axis (default 0) when `perChannel` (or, absent, when
 * the plan asks for per-channel), else one codebook whose rows are the first dimension.
 *
 * @example
 * ```ts
 * kmeansLayout([64, 32, 3, 3], true, 0); // { grouping: 'channel', groups: 64, axis: 0, rowLength: 288 }
 * ```
 */
export function kmeansLayout(dims: readonly number[], perChannel: boolean, axis: number | undefined): KmeansLayout {
  const n = sizeOf(dims);
  if (!perChannel || dims.length === 0) {
    return { grouping: 'tensor', groups: 1, rowLength: dims.length >= 2 ? n / dims[0]! : n };
  }
  const a = axis === undefined ? 0 : axis < 0 ? axis + dims.length : axis;
  if (!Number.isInteger(a) || a < 0 || a >= dims.length) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `channel axis ${axis} is outside a rank-${dims.length} weight`, { details: { axis, dims: [...dims] } });
  }
  const channels = dims[a]!;
  const layout: KmeansLayout = { grouping: 'channel', groups: channels, axis: a, rowLength: n / channels };
  if (a !== 0) layout.perm = [a, ...dims.map((_, i) => i).filter((i) => i !== a)];
  return layout;
}

function resolveBits(o: VqOptions, info: TensorQuantInfo): number {
  const bits = o.bits ?? info.bits;
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `k-means takes 1–8 bits (k = 2^bits), ${info.name} asks for ${bits}`, {
      details: { tensor: info.name, bits },
      hint: 'Set the kmeans option bits (1–8); it overrides the plan\'s bit width',
    });
  }
  return bits;
}

/** One scalar k-means per group of `rows` (the weight in layout order); centroids ascending, float32. */
function clusterGroups(rows: Float32Array, groups: number, k: number, o: VqOptions, importance: Importance, seed: number, stage: string): Float32Array {
  const length = rows.length / groups;
  const centroids = new Float32Array(groups * k);
  for (let g = 0; g < groups; g++) {
    const r = kmeans1d(rows.subarray(g * length, (g + 1) * length), {
      k, init: o.init, maxIterations: o.maxIterations, importance, seed: tensorSeed(seed, `${stage}/${g}`),
    });
    centroids.set(r.centroids, g * k);
  }
  return centroids;
}

/**
 * Scalar k-means weight sharing: k = 2^bits float32 centroids per tensor or per channel, exact sorted-data Lloyd
 * iterations, optional importance weighting and residual stage (trained unweighted on what stage one left). Codes
 * are core's nearest-centroid indices. Deterministic in `info.seed`.
 *
 * @example
 * ```ts
 * const q = quantizeKmeans(weight, resolveVqOptions({ bits: 4, perChannel: true }), info);
 * sqnr(weight.data as Float32Array, dequantize(q));
 * ```
 */
export function quantizeKmeans(t: Tensor, o: VqOptions, info: TensorQuantInfo): QuantizedTensor {
  const values = floatWeights(t, info.name);
  const k = 2 ** resolveBits(o, info);
  const layout = kmeansLayout(t.dims, o.perChannel ?? info.granularity === 'per-channel', info.axis);
  const rows = permute(values, t.dims, layout.perm);
  const encoding: CodebookEncoding = {
    kind: 'codebook', k, groups: layout.groups, subvectorLength: 1, grouping: layout.grouping,
    centroids: clusterGroups(rows, layout.groups, k, o, o.importance, info.seed, 'kmeans'),
    layout: layout.perm === undefined ? { rowLength: layout.rowLength } : { perm: layout.perm, rowLength: layout.rowLength },
  };
  if (layout.axis !== undefined) encoding.axis = layout.axis;
  const residual = o.residual
    ? (r: Float32Array) => ({ k, centroids: clusterGroups(permute(r, t.dims, layout.perm), layout.groups, k, o, 'none', info.seed, 'kmeans-residual') })
    : undefined;
  return finishCodebook(encoding, values, t.dims, residual);
}
