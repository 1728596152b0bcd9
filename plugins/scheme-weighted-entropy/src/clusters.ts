/**
 * Clusters of weight magnitudes chosen by Park et al.'s weighted entropy (CVPR 2017, Algorithm 1). Importance of a
 * weight is its square; with magnitudes sorted, cluster n holds a run of them, `Pₙ` is its share of the weights and
 * `Iₙ` its mean importance, and the clustering maximises `S = −Σ Iₙ Pₙ ln Pₙ`.
 */
export interface MagnitudeClusters {
  /** Cluster k holds sorted positions `starts[k] … starts[k + 1] − 1` (length clusters + 1). */
  starts: Int32Array;
  /** Smallest magnitude of each cluster: a magnitude belongs to the last cluster whose threshold it reaches. */
  thresholds: Float64Array;
  /** `√(mean importance)` of each cluster: its representative magnitude. */
  representatives: Float64Array;
  /** The weighted entropy of the final clustering. */
  entropy: number;
  /** Boundary sweeps run until no boundary moved (or the cap). */
  sweeps: number;
}

/** Improvements below this relative size do not move a boundary, so float noise cannot make the search oscillate. */
const MIN_GAIN = 1e-12;

function lowerBound(a: Int32Array, target: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Weighted entropy `−Σ Iₙ Pₙ ln Pₙ` of a clustering given the prefix sums of the sorted importances
 * (`prefix[i]` = sum of the first i) and the cluster starts (last entry = n).
 *
 * @example
 * ```ts
 * weightedEntropyScore(Float64Array.of(0, 1, 5, 14, 30), [0, 2, 4]); // s = [1, 2, 3, 4]² split in two
 * ```
 */
export function weightedEntropyScore(prefix: Float64Array, starts: ArrayLike<number>): number {
  const n = prefix.length - 1;
  let s = 0;
  for (let k = 0; k + 1 < starts.length; k++) {
    const count = starts[k + 1]! - starts[k]!;
    if (count === 0) continue;
    const p = count / n;
    s -= ((prefix[starts[k + 1]!]! - prefix[starts[k]!]!) / count) * p * Math.log(p);
  }
  return s;
}

/** Coarse-stage candidates per clustering: above this many distinct magnitudes, boundaries first move on a grid. */
export const COARSE_GRID = 8192;
const REFINE = 8;

/**
 * Park's OPTSEARCH on sorted magnitudes: boundaries start at equal counts, then each boundary in turn moves to the
 * position between its neighbours with the largest weighted entropy, sweep after sweep until none moves (at most
 * `maxSweeps` in all). Boundaries only sit where the magnitude changes, so equal weights share a cluster and the
 * clusters are magnitude intervals. With fewer distinct magnitudes than clusters, every distinct magnitude is its own
 * cluster and the spare representatives repeat the largest.
 *
 * Speed: a move is scored on the two clusters it changes, from prefix sums and a table of logarithms. Above
 * {@link COARSE_GRID} distinct magnitudes the boundaries first settle on every ⌈d / COARSE_GRID⌉-th position, then
 * on grids 8× finer at a time within one cell of the previous grid, then full sweeps run until none moves — so the
 * result is still settled in Park's sense (no boundary can gain anywhere between its neighbours), at a few full O(n)
 * sweeps instead of hundreds.
 *
 * @example
 * ```ts
 * const c = clusterMagnitudes(Float32Array.of(1, 2, 3, 4), 2);
 * c.starts; // [0, 2, 4]: C0 = {1, 2}, C1 = {3, 4}
 * ```
 */
export function clusterMagnitudes(sorted: ArrayLike<number>, clusters: number, maxSweeps = 100000): MagnitudeClusters {
  const n = sorted.length;
  const prefix = new Float64Array(n + 1);
  let valid = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    prefix[i + 1] = prefix[i]! + v * v;
    if (i > 0 && sorted[i - 1]! < v) valid++;
  }
  const positions = new Int32Array(valid);
  for (let i = 1, at = 0; i < n; i++) if (sorted[i - 1]! < sorted[i]!) positions[at++] = i;
  const m = Math.max(1, Math.min(clusters, valid + 1));
  // Boundary k (1 … m−1) is positions[at[k]]; at[0] and at[m] stand for positions 0 and n.
  const at = new Int32Array(m + 1);
  at[0] = -1;
  at[m] = valid;
  for (let k = 1; k < m; k++) {
    const wanted = lowerBound(positions, Math.round((k * n) / m));
    at[k] = Math.min(Math.max(wanted, at[k - 1]! + 1), valid - (m - k));
  }
  const pos = (k: number) => (k === 0 ? 0 : k === m ? n : positions[at[k]!]!);
  const logs = new Float64Array(n + 1);
  for (let c = 1; c <= n; c++) logs[c] = Math.log(c);
  const logN = logs[n]!;
  // Both clusters' terms, times n (a constant factor does not change the argmax).
  const score = (left: number, c: number, right: number) =>
    (prefix[c]! - prefix[left]!) * (logN - logs[c - left]!) + (prefix[right]! - prefix[c]!) * (logN - logs[right - c]!);
  let sweeps = 0;
  // One sweep over the boundaries; candidates are every `stride`-th index between the neighbours, or those within
  // `radius` of the boundary. The current position is the baseline, so ties never move a boundary.
  const sweep = (stride: number, radius: number): boolean => {
    let moved = false;
    for (let k = 1; k < m; k++) {
      const left = pos(k - 1);
      const right = pos(k + 1);
      const cur = at[k]!;
      let bestAt = cur;
      let best = score(left, positions[cur]!, right);
      let from = at[k - 1]! + 1;
      let to = at[k + 1]! - 1;
      if (radius > 0) {
        // Stay on the boundary's own grid: cur ± multiples of stride, at most radius away.
        from = cur - stride * Math.floor((cur - Math.max(from, cur - radius)) / stride);
        to = Math.min(to, cur + radius);
      } else if (stride > 1) from = Math.ceil(from / stride) * stride;
      for (let j = from; j <= to; j += stride) {
        const s = score(left, positions[j]!, right);
        if (s > best + MIN_GAIN * Math.abs(best)) {
          best = s;
          bestAt = j;
        }
      }
      if (bestAt !== cur) {
        at[k] = bestAt;
        moved = true;
      }
    }
    sweeps++;
    return moved;
  };
  if (m > 1) {
    let stride = Math.ceil(valid / COARSE_GRID);
    if (stride > 1) {
      while (sweeps < maxSweeps && sweep(stride, 0));
      // Refine an 8× finer grid at a time within one cell of the coarser one: many cheap sweeps instead of many
      // full-range ones, as settling spreads slowly along a chain of boundaries.
      while (stride > 1) {
        const cell = stride;
        stride = Math.max(1, Math.floor(stride / REFINE));
        while (sweeps < maxSweeps && sweep(stride, cell));
      }
    }
    while (sweeps < maxSweeps && sweep(1, 0));
  }
  const starts = new Int32Array(m + 1);
  for (let k = 0; k <= m; k++) starts[k] = pos(k);
  const representatives = new Float64Array(Math.max(clusters, 1));
  const thresholds = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const count = starts[k + 1]! - starts[k]!;
    representatives[k] = count === 0 ? 0 : Math.sqrt((prefix[starts[k + 1]!]! - prefix[starts[k]!]!) / count);
    thresholds[k] = n === 0 ? 0 : sorted[starts[k]!]!;
  }
  for (let k = m; k < representatives.length; k++) representatives[k] = representatives[m - 1]!;
  return { starts, thresholds, representatives, entropy: n === 0 ? 0 : weightedEntropyScore(prefix, starts), sweeps };
}
