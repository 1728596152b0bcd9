import { sortFloat32 } from './radix-sort.js';
import { seededRandom } from './random.js';

/** How much each value counts when clustering: equally, by its square (w²), or by its magnitude (|w|). */
export type Importance = 'none' | 'square' | 'magnitude';

/** Centroid initialisation: evenly spaced over [min, max], or k-means++ (D² sampling, seeded). */
export type Init1d = 'linear' | 'kmeans++';

/**
 * Values sorted ascending with prefix sums of their weights (`w`), weight·value (`s`) and weight·value² (`q`), each
 * `n + 1` long with a leading 0: any contiguous run's weight, mean and squared error is O(1).
 */
export interface SortedValues {
  x: Float64Array;
  importance: Importance;
  w: Float64Array;
  s: Float64Array;
  q: Float64Array;
}

/** Options of {@link kmeans1d}. */
export interface Kmeans1dOptions {
  k: number;
  init: Init1d;
  maxIterations: number;
  seed: number;
  importance?: Importance;
}

/** What {@link kmeans1d} found. */
export interface Kmeans1dResult {
  /** k centroids, ascending. */
  centroids: Float64Array;
  /** Lloyd updates performed. */
  iterations: number;
  /** True when an assignment repeated the previous one (a fixed point) before `maxIterations`. */
  converged: boolean;
}

/**
 * Weight of a value under an importance rule.
 *
 * @example
 * ```ts
 * importanceOf(-0.5, 'square'); // 0.25
 * ```
 */
export function importanceOf(v: number, importance: Importance): number {
  return importance === 'none' ? 1 : importance === 'square' ? v * v : Math.abs(v);
}

/**
 * Sorts float32 values once (radix sort) and builds the prefix sums every Lloyd iteration reads.
 *
 * @example
 * ```ts
 * const sv = sortValues(Float32Array.of(3, 1, 2), 'none'); // sv.x = [1, 2, 3], sv.w = [0, 1, 2, 3]
 * ```
 */
export function sortValues(values: Float32Array, importance: Importance = 'none'): SortedValues {
  const x = sortFloat32(values);
  const n = x.length;
  const w = new Float64Array(n + 1);
  const s = new Float64Array(n + 1);
  const q = new Float64Array(n + 1);
  let sw = 0;
  let ss = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    const wi = importance === 'none' ? 1 : importance === 'square' ? v * v : v < 0 ? -v : v;
    sw += wi;
    ss += wi * v;
    sq += wi * v * v;
    w[i + 1] = sw;
    s[i + 1] = ss;
    q[i + 1] = sq;
  }
  return { x, importance, w, s, q };
}

/** First index whose value is greater than `m` (the count of values ≤ m). */
function upperBound(x: Float64Array, m: number, lo: number): number {
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! <= m) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Nearest-centroid assignment of sorted values to ascending centroids, as cluster ends: cluster j holds the values at
 * indices `[ends[j−1], ends[j])`. The boundary between j and j+1 is their midpoint; a value on it goes to j (the lower
 * index, as nearest-first-on-ties does). O(k log n).
 *
 * @example
 * ```ts
 * assign1d(sortValues(Float32Array.of(0, 1, 9, 10)), Float64Array.of(0.5, 9.5)); // Int32Array [2, 4]
 * ```
 */
export function assign1d(sv: SortedValues, centroids: Float64Array): Int32Array {
  const k = centroids.length;
  const ends = new Int32Array(k);
  let lo = 0;
  for (let j = 0; j < k - 1; j++) {
    lo = upperBound(sv.x, (centroids[j]! + centroids[j + 1]!) / 2, lo);
    ends[j] = lo;
  }
  ends[k - 1] = sv.x.length;
  return ends;
}

function clusterError(sv: SortedValues, lo: number, hi: number): number {
  const w = sv.w[hi]! - sv.w[lo]!;
  if (!(w > 0)) return 0;
  const s = sv.s[hi]! - sv.s[lo]!;
  return Math.max(0, sv.q[hi]! - sv.q[lo]! - (s * s) / w);
}

/**
 * The Lloyd update for an assignment: each centroid is the weighted mean of its run (O(1) from the prefix sums). A
 * run of weightless values (all zero under `square`/`magnitude`) takes its value. An empty cluster moves, in index
 * order, to the end value farthest from the centroid of the cluster with the largest squared error (lowest index on
 * ties; that cluster is then not split again this round); with no cluster left to split it stays. Returns the
 * centroids ascending.
 *
 * @example
 * ```ts
 * const next = update1d(sv, assign1d(sv, c), c); // one Lloyd iteration
 * ```
 */
export function update1d(sv: SortedValues, ends: Int32Array, previous: Float64Array): Float64Array {
  const k = ends.length;
  const c = new Float64Array(k);
  const err = new Float64Array(k).fill(-1);
  const empty: number[] = [];
  for (let j = 0; j < k; j++) {
    const lo = j === 0 ? 0 : ends[j - 1]!;
    const hi = ends[j]!;
    if (hi <= lo) {
      empty.push(j);
      c[j] = previous[j]!;
      continue;
    }
    const w = sv.w[hi]! - sv.w[lo]!;
    // Prefix differences can round a mean just outside its run; clamping keeps the centroids in run order.
    const m = w > 0 ? (sv.s[hi]! - sv.s[lo]!) / w : sv.x[lo]!;
    c[j] = Math.min(Math.max(m, sv.x[lo]!), sv.x[hi - 1]!);
    err[j] = clusterError(sv, lo, hi);
  }
  for (const j of empty) {
    let worst = -1;
    for (let t = 0; t < k; t++) if (err[t]! > 0 && (worst < 0 || err[t]! > err[worst]!)) worst = t;
    if (worst < 0) break;
    const lo = worst === 0 ? 0 : ends[worst - 1]!;
    const hi = ends[worst]!;
    const first = sv.x[lo]!;
    const last = sv.x[hi - 1]!;
    c[j] = c[worst]! - first >= last - c[worst]! ? first : last;
    err[worst] = 0;
  }
  return c.sort();
}

function sameEnds(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** First index i with `prefix[i + 1] > target` (prefix ascending, length n + 1). */
function pickByPrefix(prefix: Float64Array, target: number): number {
  let lo = 0;
  let hi = prefix.length - 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (prefix[mid + 1]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Values per block of D² sums in 1-D k-means++; part of the seeding's arithmetic, so changing it changes results.
 *
 * @example
 * ```ts
 * Math.ceil(n / PLUS_PLUS_BLOCK); // blocks of D² sums for n values
 * ```
 */
export const PLUS_PLUS_BLOCK = 1024;

/** First index whose value is at least `m`. */
function lowerBound(x: Float64Array, m: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! < m) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * k-means++ on sorted values in O(n/k + n/B) per centroid instead of O(n). D² values live in blocks of
 * B = {@link PLUS_PLUS_BLOCK} with a sum per block (summed in index order): the total is the sum of the block sums,
 * and a draw `u · total` walks the block sums, then the values of its block (the block's last value when rounding
 * leaves the walk short). A new centroid v can only be nearer than the current nearest for values strictly between
 * its chosen neighbours, so only that run of D² values and its blocks are recomputed; the numbers are exactly those of
 * updating every value.
 */
function plusPlus1d(sv: SortedValues, k: number, seed: number): Float64Array {
  const { x, w } = sv;
  const n = x.length;
  const c = new Float64Array(k);
  const next = seededRandom(seed);
  const total = w[n]!;
  c[0] = total > 0 ? x[pickByPrefix(w, next() * total)]! : x[Math.floor(next() * n)]!;
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const diff = x[i]! - c[0]!;
    d2[i] = importanceOf(x[i]!, sv.importance) * diff * diff;
  }
  const B = PLUS_PLUS_BLOCK;
  const blocks = Math.ceil(n / B);
  const blockSum = new Float64Array(blocks);
  const refresh = (b: number): void => {
    let s = 0;
    for (let i = b * B, end = Math.min(n, i + B); i < end; i++) s += d2[i]!;
    blockSum[b] = s;
  };
  for (let b = 0; b < blocks; b++) refresh(b);
  for (let j = 1; j < k; j++) {
    let sum = 0;
    for (let b = 0; b < blocks; b++) sum += blockSum[b]!;
    if (!(sum > 0)) {
      c.fill(c[j - 1]!, j);
      break;
    }
    const target = next() * sum;
    let acc = 0;
    let b = 0;
    while (b < blocks && !(acc + blockSum[b]! > target)) acc += blockSum[b++]!;
    let pick = n - 1;
    if (b < blocks) {
      const end = Math.min(n, (b + 1) * B);
      pick = end - 1;
      for (let i = b * B; i < end; i++) {
        acc += d2[i]!;
        if (acc > target) {
          pick = i;
          break;
        }
      }
    }
    const v = x[pick]!;
    c[j] = v;
    let left = -Infinity;
    let right = Infinity;
    for (let t = 0; t < j; t++) {
      const ct = c[t]!;
      if (ct < v && ct > left) left = ct;
      if (ct > v && ct < right) right = ct;
    }
    const lo = left === -Infinity ? 0 : upperBound(x, left, 0);
    const hi = right === Infinity ? n : lowerBound(x, right);
    for (let i = lo; i < hi; i++) {
      const diff = x[i]! - v;
      const d = importanceOf(x[i]!, sv.importance) * diff * diff;
      if (d < d2[i]!) d2[i] = d;
    }
    if (hi > lo) for (let bb = Math.floor(lo / B); bb <= Math.floor((hi - 1) / B); bb++) refresh(bb);
  }
  return c.sort();
}

/**
 * Initial centroids, ascending. `linear`: k values evenly spaced from min to max. `kmeans++`: the first centroid a
 * value drawn in proportion to its weight, each next one in proportion to weight × squared distance to the nearest
 * chosen centroid (blocked sums, see {@link plusPlus1d}); when every value already sits on a centroid the rest repeat
 * the last chosen.
 *
 * @example
 * ```ts
 * initCentroids1d(sortValues(values), 16, 'kmeans++', seed);
 * ```
 */
export function initCentroids1d(sv: SortedValues, k: number, init: Init1d, seed: number): Float64Array {
  const { x } = sv;
  const n = x.length;
  const c = new Float64Array(k);
  if (init === 'linear') {
    const min = x[0]!;
    const max = x[n - 1]!;
    for (let j = 0; j < k; j++) c[j] = k === 1 ? (min + max) / 2 : min + ((max - min) * j) / (k - 1);
    return c;
  }
  return plusPlus1d(sv, k, seed);
}

/**
 * Exact Lloyd k-means on scalars: sort once, then every iteration is a boundary search (O(k log n)) and an O(1)
 * update per centroid. Stops when an assignment repeats (no boundary moved) or after `maxIterations` updates.
 *
 * @example
 * ```ts
 * const { centroids, iterations } = kmeans1d(weights, { k: 16, init: 'kmeans++', maxIterations: 300, seed: 7 });
 * ```
 */
export function kmeans1d(values: Float32Array | SortedValues, options: Kmeans1dOptions): Kmeans1dResult {
  const sv = values instanceof Float32Array ? sortValues(values, options.importance) : values;
  let c = initCentroids1d(sv, options.k, options.init, options.seed);
  let previous: Int32Array | undefined;
  let iterations = 0;
  for (let it = 0; it <= options.maxIterations; it++) {
    const ends = assign1d(sv, c);
    if (previous !== undefined && sameEnds(previous, ends)) return { centroids: c, iterations, converged: true };
    if (it === options.maxIterations) break;
    c = update1d(sv, ends, c);
    iterations++;
    previous = ends;
  }
  return { centroids: c, iterations, converged: false };
}

/**
 * Σ weight · (x − nearest centroid)² over sorted values, for ascending centroids (one O(n) pass).
 *
 * @example
 * ```ts
 * inertia1d(sv, result.centroids);
 * ```
 */
export function inertia1d(sv: SortedValues, centroids: Float64Array): number {
  const ends = assign1d(sv, centroids);
  let total = 0;
  let lo = 0;
  for (let j = 0; j < ends.length; j++) {
    const c = centroids[j]!;
    for (let i = lo; i < ends[j]!; i++) {
      const diff = sv.x[i]! - c;
      total += importanceOf(sv.x[i]!, sv.importance) * diff * diff;
    }
    lo = ends[j]!;
  }
  return total;
}
