import { seededRandom } from './random.js';

/** Options of {@link kmeansNd}. */
export interface KmeansNdOptions {
  k: number;
  maxIterations: number;
  seed: number;
}

/** What {@link kmeansNd} found. */
export interface KmeansNdResult {
  /** Row-major `[k][d]`. */
  centroids: Float64Array;
  /** Lloyd updates performed. */
  iterations: number;
  /** True when an assignment repeated the previous one before `maxIterations`. */
  converged: boolean;
}

function distance(points: Float64Array, p: number, centroids: Float64Array, c: number, d: number): number {
  let sum = 0;
  for (let u = 0; u < d; u++) {
    const diff = points[p + u]! - centroids[c + u]!;
    sum += diff * diff;
  }
  return sum;
}

/**
 * k-means++ seeding in d dimensions: the first centroid a uniformly drawn point, each next one drawn in proportion to
 * its squared distance to the nearest chosen centroid. When every point already sits on a centroid (fewer distinct
 * points than k), the remaining centroids repeat the last chosen one.
 *
 * @example
 * ```ts
 * const c = kmeansPlusPlus(points, 1024, 4, 256, seed); // Float64Array of 256 × 4
 * ```
 */
export function kmeansPlusPlus(points: Float64Array, n: number, d: number, k: number, seed: number): Float64Array {
  const next = seededRandom(seed);
  const c = new Float64Array(k * d);
  let pick = Math.floor(next() * n);
  c.set(points.subarray(pick * d, pick * d + d), 0);
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) d2[i] = distance(points, i * d, c, 0, d);
  for (let j = 1; j < k; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d2[i]!;
    if (!(sum > 0)) {
      for (let t = j; t < k; t++) c.copyWithin(t * d, (j - 1) * d, j * d);
      break;
    }
    const target = next() * sum;
    let acc = 0;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      acc += d2[i]!;
      if (acc > target) {
        pick = i;
        break;
      }
    }
    c.set(points.subarray(pick * d, pick * d + d), j * d);
    for (let i = 0; i < n; i++) {
      const dist = distance(points, i * d, c, j * d, d);
      if (dist < d2[i]!) d2[i] = dist;
    }
  }
  return c;
}

/**
 * Squared distances between all centroid pairs, `[k][k]`, for the pruning in {@link assignNd}; the diagonal holds
 * each centroid's squared distance to its nearest other centroid (Infinity for k = 1) instead of 0.
 *
 * @example
 * ```ts
 * const cc = centroidDistances(centroids, 256, 4); // Float64Array of 256 × 256
 * ```
 */
export function centroidDistances(centroids: Float64Array, k: number, d: number): Float64Array {
  const cc = new Float64Array(k * k);
  for (let a = 0; a < k; a++) cc[a * k + a] = Infinity;
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const v = distance(centroids, a * d, centroids, b * d, d);
      cc[a * k + b] = v;
      cc[b * k + a] = v;
      if (v < cc[a * k + a]!) cc[a * k + a] = v;
      if (v < cc[b * k + b]!) cc[b * k + b] = v;
    }
  }
  return cc;
}

/**
 * Nearest centroid of every point (squared distance, first on ties), into `labels` (a label of −1 means none yet);
 * `dist` receives the distances. Returns how many labels changed. The result is that of a full scan; two exact
 * shortcuts skip most of it: a centroid c cannot beat the current best b when ‖b − c‖² > 4·‖x − b‖² (triangle
 * inequality, Elkan 2003; strict, with a margin for rounding, so ties still go to the lower index), and the partial
 * sums of a distance stop once they pass the best.
 *
 * @example
 * ```ts
 * const changed = assignNd(points, n, d, centroids, k, labels, dist);
 * ```
 */
export function assignNd(points: Float64Array, n: number, d: number, centroids: Float64Array, k: number, labels: Int32Array, dist: Float64Array): number {
  const cc = k > 8 ? centroidDistances(centroids, k, d) : undefined;
  // Per centroid, the squared distance to its nearest other centroid (kept on the diagonal of cc): a point within a
  // quarter of it cannot have a nearer centroid.
  let changed = 0;
  for (let i = 0; i < n; i++) {
    const p = i * d;
    // Start from the previous label (else centroid 0): a tight bound prunes the most.
    const prev = labels[i]!;
    let best = prev >= 0 ? prev : 0;
    let bestDist = distance(points, p, centroids, best * d, d);
    // The same test as inside the loop, for every c at once.
    const settled = cc !== undefined && cc[best * k + best]! > 4.000000004 * bestDist;
    for (let c = settled ? k : 0; c < k; c++) {
      if (c === best) continue;
      // 4·(1 + 1e-9) leaves room for the rounding of both squared distances.
      if (cc !== undefined && cc[best * k + c]! > 4.000000004 * bestDist) continue;
      const off = c * d;
      let dd = 0;
      let u = 0;
      for (; u < d && dd <= bestDist; u++) {
        const diff = points[p + u]! - centroids[off + u]!;
        dd += diff * diff;
      }
      // The first index among equal distances wins, whatever the starting label was.
      if (u === d && (dd < bestDist || (dd === bestDist && c < best))) {
        bestDist = dd;
        best = c;
      }
    }
    if (prev !== best) changed++;
    labels[i] = best;
    dist[i] = bestDist;
  }
  return changed;
}

/**
 * The Lloyd update: each centroid the mean of its points. An empty cluster takes, in index order, the point farthest
 * from its centroid that no earlier empty cluster took (lowest index on ties); with every point on its centroid it
 * keeps its place. Updates `centroids` in place.
 *
 * @example
 * ```ts
 * updateNd(points, n, d, centroids, k, labels, dist); // after assignNd
 * ```
 */
export function updateNd(points: Float64Array, n: number, d: number, centroids: Float64Array, k: number, labels: Int32Array, dist: Float64Array): void {
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    counts[l]!++;
    for (let u = 0; u < d; u++) sums[l * d + u]! += points[i * d + u]!;
  }
  const taken = dist.slice();
  for (let c = 0; c < k; c++) {
    const m = counts[c]!;
    if (m > 0) {
      for (let u = 0; u < d; u++) centroids[c * d + u] = sums[c * d + u]! / m;
      continue;
    }
    let far = -1;
    for (let i = 0; i < n; i++) if (taken[i]! > 0 && (far < 0 || taken[i]! > taken[far]!)) far = i;
    if (far < 0) continue;
    centroids.set(points.subarray(far * d, far * d + d), c * d);
    taken[far] = 0;
  }
}

/**
 * Lloyd k-means on `n` points of dimension `d` (row-major typed array, no per-point objects), seeded k-means++ start.
 * Stops when no label changes or after `maxIterations` updates.
 *
 * @example
 * ```ts
 * const { centroids } = kmeansNd(points, 1024, 4, { k: 256, maxIterations: 25, seed: 3 });
 * ```
 */
export function kmeansNd(points: Float64Array, n: number, d: number, options: KmeansNdOptions): KmeansNdResult {
  const { k } = options;
  const centroids = kmeansPlusPlus(points, n, d, k, options.seed);
  const labels = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  let iterations = 0;
  for (let it = 0; it <= options.maxIterations; it++) {
    const changed = assignNd(points, n, d, centroids, k, labels, dist);
    if (it > 0 && changed === 0) return { centroids, iterations, converged: true };
    if (it === options.maxIterations) break;
    updateNd(points, n, d, centroids, k, labels, dist);
    iterations++;
  }
  return { centroids, iterations, converged: false };
}
