// Seeded inputs for the arithmetic and kernel tests: the same seed gives the same cases, so a failure reproduces.

/** mulberry32: a small deterministic PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [lo, hi]. */
export const intIn = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** n uniform int8 values in [lo, hi]. */
export const randI8 = (r: () => number, n: number, lo = -128, hi = 127): Int8Array => Int8Array.from({ length: n }, () => intIn(r, lo, hi));
