import { describe, expect, it } from 'vitest';
import { heavyTailed, rng } from '@quantforge/testing';
import {
  PLUS_PLUS_BLOCK, assign1d, importanceOf, inertia1d, initCentroids1d, kmeans1d, sortValues, update1d, type Importance, type SortedValues,
} from '../src/kmeans1d.js';
import { seededRandom } from '../src/random.js';
import { sortFloat32 } from '../src/radix-sort.js';

/** Textbook Lloyd step over unsorted values: nearest centroid by squared distance (first on ties), weighted means. */
function bruteStep(values: Float32Array, centroids: number[], importance: Importance): { centroids: number[]; labels: number[] } {
  const k = centroids.length;
  const labels = Array.from(values, (v) => {
    let best = 0;
    for (let j = 1; j < k; j++) if ((v - centroids[j]!) ** 2 < (v - centroids[best]!) ** 2) best = j;
    return best;
  });
  const next = centroids.map((c, j) => {
    let w = 0;
    let s = 0;
    values.forEach((v, i) => {
      if (labels[i] !== j) return;
      w += importanceOf(v, importance);
      s += importanceOf(v, importance) * v;
    });
    return w > 0 ? s / w : c;
  });
  return { centroids: next, labels };
}

/** Labels of the sorted values from cluster ends, mapped back to the original order by value. */
function labelsFromEnds(values: Float32Array, sorted: Float64Array, ends: Int32Array): number[] {
  return Array.from(values, (v) => {
    const i = sorted.indexOf(v);
    return ends.findIndex((e) => e > i);
  });
}

/** k-means++ as specified, updating every D² value each step (the plugin visits only the run that can change). */
function plainPlusPlus(sv: SortedValues, k: number, seed: number): number[] {
  const next = seededRandom(seed);
  const n = sv.x.length;
  const wt = Array.from(sv.x, (v) => importanceOf(v, sv.importance));
  const first = next() * sv.w[n]!;
  const c = [sv.x[sv.w.findIndex((p, i) => i > 0 && p > first) - 1]!];
  const d2 = Array.from(sv.x, (v, i) => wt[i]! * (v - c[0]!) * (v - c[0]!));
  while (c.length < k) {
    const sums: number[] = [];
    for (let b = 0; b < n; b += PLUS_PLUS_BLOCK) sums.push(d2.slice(b, b + PLUS_PLUS_BLOCK).reduce((a, v) => a + v, 0));
    const target = next() * sums.reduce((a, v) => a + v, 0);
    let acc = 0;
    let b = 0;
    while (b < sums.length && !(acc + sums[b]! > target)) acc += sums[b++]!;
    let pick = Math.min(n, (b + 1) * PLUS_PLUS_BLOCK) - 1;
    for (let i = b * PLUS_PLUS_BLOCK; i <= pick; i++) {
      acc += d2[i]!;
      if (acc > target) {
        pick = i;
        break;
      }
    }
    const v = sv.x[pick]!;
    c.push(v);
    d2.forEach((d, i) => { d2[i] = Math.min(d, wt[i]! * (sv.x[i]! - v) * (sv.x[i]! - v)); });
  }
  return c.sort((a, b) => a - b);
}

function randomValues(n: number, seed: number): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => (next() - 0.5) * 4 + (next() < 0.3 ? 3 : 0));
}

describe('1-D k-means on sorted data', () => {
  it('radix-sorts float32 values like a comparison sort, signs, zeros and magnitudes included', () => {
    const next = rng(40);
    const values = Float32Array.from({ length: 5000 }, () => (next() - 0.5) * 10 ** Math.floor(next() * 80 - 40));
    values.set([0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, 1, -1], 0);
    const sorted = sortFloat32(values);
    expect(Array.from(sorted)).toEqual(Array.from(Float64Array.from(values).sort()));
    expect(Object.is(sorted[sorted.indexOf(0) - 1], -0) || Object.is(sorted[sorted.indexOf(0)], -0)).toBe(true);
    expect(Array.from(values.subarray(0, 2))).toEqual([0, -0]);
  });

  it.each([
    ['linear', 'none', 5, 11],
    ['kmeans++', 'none', 7, 12],
    ['kmeans++', 'square', 6, 13],
    ['linear', 'magnitude', 4, 14],
  ] as const)('matches a brute-force Lloyd after every iteration (%s init, importance %s, k = %i)', (init, importance, k, seed) => {
    const values = randomValues(300, seed);
    const sv = sortValues(values, importance);
    let fast = initCentroids1d(sv, k, init, seed);
    let brute = Array.from(fast);
    for (let it = 0; it < 8; it++) {
      const ends = assign1d(sv, fast);
      const step = bruteStep(values, brute, importance);
      expect(labelsFromEnds(values, sv.x, ends)).toEqual(step.labels);
      fast = update1d(sv, ends, fast);
      brute = step.centroids;
      // The brute-force clusters stay in ascending order (1-D Lloyd keeps order), so index j matches index j.
      for (let j = 0; j < k; j++) expect(fast[j]).toBeCloseTo(brute[j]!, 10);
    }
  });

  it('seeds k-means++ exactly as updating every D² value would, over several blocks', () => {
    for (const importance of ['none', 'square'] as const) {
      const sv = sortValues(heavyTailed(5000, 9), importance);
      expect(Array.from(initCentroids1d(sv, 32, 'kmeans++', 77))).toEqual(plainPlusPlus(sv, 32, 77));
    }
  });

  it('converges to a fixed point and reports it', () => {
    const sv = sortValues(heavyTailed(5000, 3));
    const r = kmeans1d(sv, { k: 8, init: 'kmeans++', maxIterations: 1000, seed: 4 });
    expect(r.converged).toBe(true);
    expect(r.iterations).toBeGreaterThan(1);
    expect(r.iterations).toBeLessThan(1000);
    expect(Array.from(update1d(sv, assign1d(sv, r.centroids), r.centroids))).toEqual(Array.from(r.centroids));
  });

  it('stops at maxIterations without claiming convergence, and inertia never rises', () => {
    const sv = sortValues(heavyTailed(5000, 5));
    const capped = kmeans1d(sv, { k: 16, init: 'linear', maxIterations: 3, seed: 1 });
    expect(capped).toMatchObject({ iterations: 3, converged: false });
    let c = initCentroids1d(sv, 16, 'linear', 1);
    let last = inertia1d(sv, c);
    for (let it = 0; it < 20; it++) {
      c = update1d(sv, assign1d(sv, c), c);
      const now = inertia1d(sv, c);
      expect(now).toBeLessThanOrEqual(last * (1 + 1e-12));
      last = now;
    }
  });

  it('is deterministic in the seed', () => {
    const values = heavyTailed(2000, 8);
    const a = kmeans1d(values, { k: 16, init: 'kmeans++', maxIterations: 50, seed: 99 });
    const b = kmeans1d(values, { k: 16, init: 'kmeans++', maxIterations: 50, seed: 99 });
    const c = initCentroids1d(sortValues(values), 16, 'kmeans++', 100);
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    expect(Array.from(c)).not.toEqual(Array.from(initCentroids1d(sortValues(values), 16, 'kmeans++', 99)));
  });

  it('spaces linear initial centroids from min to max', () => {
    expect(Array.from(initCentroids1d(sortValues(Float32Array.of(2, -1, 0.5)), 4, 'linear', 0))).toEqual([-1, 0, 1, 2]);
  });

  it('moves an empty cluster to the far end of the cluster with the largest error', () => {
    const sv = sortValues(Float32Array.of(0, 0.25, 0.5, 12));
    // Linear init 0, 4, 8, 12: clusters 1 and 2 are empty. Cluster 0 {0, 0.25, 0.5} has mean 0.25 and the only error;
    // its ends are equally far, so the lower end (0) takes the first empty cluster; nothing is left for the second.
    // Two more rounds split {0.25, 0.5} the same way, and every value ends on its own centroid.
    const c0 = initCentroids1d(sv, 4, 'linear', 0);
    const c1 = update1d(sv, assign1d(sv, c0), c0);
    expect(Array.from(c1)).toEqual([0, 0.25, 8, 12]);
    const r = kmeans1d(sv, { k: 4, init: 'linear', maxIterations: 100, seed: 0 });
    expect(r).toMatchObject({ converged: true, iterations: 3 });
    expect(Array.from(r.centroids)).toEqual([0, 0.25, 0.5, 12]);
    expect(inertia1d(sv, r.centroids)).toBe(0);
  });

  it('handles fewer distinct values than centroids', () => {
    const r = kmeans1d(Float32Array.of(1, 1, 1, 2, 2), { k: 8, init: 'kmeans++', maxIterations: 50, seed: 2 });
    expect(r.converged).toBe(true);
    expect(new Set(r.centroids)).toEqual(new Set([1, 2]));
  });

  it('pulls centroids toward large weights under importance weighting', () => {
    const values = heavyTailed(20_000, 21);
    const plain = kmeans1d(values, { k: 8, init: 'linear', maxIterations: 500, seed: 1, importance: 'none' });
    const square = kmeans1d(values, { k: 8, init: 'linear', maxIterations: 500, seed: 1, importance: 'square' });
    const magnitude = kmeans1d(values, { k: 8, init: 'linear', maxIterations: 500, seed: 1, importance: 'magnitude' });
    const spread = (c: Float64Array): number => c[c.length - 1]! - c[0]!;
    expect(spread(magnitude.centroids)).toBeGreaterThan(spread(plain.centroids));
    expect(spread(square.centroids)).toBeGreaterThan(spread(magnitude.centroids));
    // Weighted inertia is what the weighting optimises: each solution wins under its own weights.
    const svSquare = sortValues(values, 'square');
    expect(inertia1d(svSquare, square.centroids)).toBeLessThan(inertia1d(svSquare, plain.centroids));
  });
});
