import {
  QuantforgeError, permute, sizeOf, tensorSeed, type CodebookEncoding, type QuantizedTensor, type Tensor, type TensorQuantInfo,
} from '@quantforge/core';
import { kmeansNd } from './kmeans-nd.js';
import type { VqOptions } from './options.js';
import { finishCodebook, floatWeights } from './weights.js';

/** Rows and row length of a weight for product quantization, after the optional transpose. */
export interface PqLayout {
  perm?: number[];
  rows: number;
  rowLength: number;
  /** Zeros appended to each row so that d divides it (0 when it already does). */
  pad: number;
}

/**
 * The PQ row layout: transpose by `perm`, then rows are the first dimension and a row is everything else (a Conv
 * weight `[O, I, kh, kw]` gives O rows of I·kh·kw). When d does not divide the row length, the last sub-vector of
 * every row is completed with zeros (`pad` of them, fewer than d): each row stays one output channel, and because the
 * padded coordinates are zero in every point of that sub-space they add nothing to any distance; the codebook keeps
 * them (they are counted in the compression ratio) and dequantization drops them.
 *
 * @example
 * ```ts
 * pqLayout([64, 32, 3, 3], 4); // { rows: 64, rowLength: 288, pad: 0 }
 * pqLayout([16, 1, 3, 3], 4); // { rows: 16, rowLength: 9, pad: 3 }: sub-vectors w0..3, w4..7, (w8, 0, 0, 0)
 * pqLayout([64, 32, 3, 3], 4, [0, 2, 3, 1]); // sub-vectors of 4 input channels at one tap
 * ```
 */
export function pqLayout(dims: readonly number[], d: number, perm?: readonly number[]): PqLayout {
  if (perm !== undefined) {
    const sorted = [...perm].sort((a, b) => a - b);
    if (sorted.length !== dims.length || sorted.some((v, i) => v !== i)) {
      throw new QuantforgeError('QF_OPTIONS_INVALID', `perm [${perm.join(', ')}] is not a permutation of a rank-${dims.length} weight`, {
        details: { perm: [...perm], dims: [...dims] },
        hint: 'Give every axis once, e.g. [0, 2, 3, 1] for a Conv weight',
      });
    }
  }
  const n = sizeOf(dims);
  const first = dims.length === 0 ? 1 : dims[perm?.[0] ?? 0]!;
  const rowLength = dims.length >= 2 ? n / first : n;
  const layout: PqLayout = { rows: n / rowLength, rowLength, pad: (d - (rowLength % d)) % d };
  if (perm !== undefined && perm.some((p, i) => p !== i)) layout.perm = [...perm];
  return layout;
}

/** One d-dimensional k-means per sub-space of `rows` (layout order); centroids `[groups][k][d]`, float32. */
function clusterSubspaces(rows: Float32Array, layout: PqLayout, d: number, k: number, o: VqOptions, seed: number, stage: string): Float32Array {
  const groups = (layout.rowLength + layout.pad) / d;
  const centroids = new Float32Array(groups * k * d);
  const points = new Float64Array(layout.rows * d);
  for (let g = 0; g < groups; g++) {
    // Only the last sub-space reaches into the padding; its padded coordinates stay 0 in every point.
    const width = Math.min(d, layout.rowLength - g * d);
    for (let r = 0; r < layout.rows; r++) {
      const src = r * layout.rowLength + g * d;
      for (let u = 0; u < d; u++) points[r * d + u] = u < width ? rows[src + u]! : 0;
    }
    const res = kmeansNd(points, layout.rows, d, { k, maxIterations: o.maxIterations, seed: tensorSeed(seed, `${stage}/${g}`) });
    centroids.set(res.centroids, g * k * d);
  }
  return centroids;
}

/**
 * Product quantization: each row is cut into sub-vectors of `pqDim` (the last one zero-padded when needed, see
 * {@link pqLayout}), sub-space g gets its own codebook of
 * `pqCentroids` centroids (k-means++ then Lloyd), codes are one index per row and sub-space; `residual` adds a second
 * codebook per sub-space trained on what the first left. Deterministic in `info.seed`.
 *
 * @example
 * ```ts
 * const q = quantizePq(weight, resolveVqOptions({ method: 'pq', pqDim: 4, pqCentroids: 256 }), info);
 * ```
 */
export function quantizePq(t: Tensor, o: VqOptions, info: TensorQuantInfo): QuantizedTensor {
  const values = floatWeights(t, info.name);
  const d = o.pqDim;
  const k = o.pqCentroids;
  const layout = pqLayout(t.dims, d, o.perm);
  const rows = permute(values, t.dims, layout.perm);
  const encoding: CodebookEncoding = {
    kind: 'codebook', k, groups: (layout.rowLength + layout.pad) / d, subvectorLength: d, grouping: 'subspace',
    centroids: clusterSubspaces(rows, layout, d, k, o, info.seed, 'pq'),
    layout: layout.perm === undefined ? { rowLength: layout.rowLength } : { perm: layout.perm, rowLength: layout.rowLength },
  };
  if (layout.pad > 0) encoding.layout.pad = layout.pad;
  const residual = o.residual
    ? (r: Float32Array) => ({ k, centroids: clusterSubspaces(permute(r, t.dims, layout.perm), layout, d, k, o, info.seed, 'pq-residual') })
    : undefined;
  return finishCodebook(encoding, values, t.dims, residual);
}
