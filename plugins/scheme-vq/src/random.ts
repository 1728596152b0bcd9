/**
 * A seeded uniform generator on [0, 1) (mulberry32): 32-bit state, the same sequence on every platform and worker,
 * which is all k-means++ sampling needs.
 *
 * @example
 * ```ts
 * const next = seededRandom(tensorSeed(42, 'conv1.weight'));
 * next(); // 0 <= x < 1, the same on every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
