/**
 * Seeded test data for scheme plugins: the same seed gives the same values on every run and machine, so expected
 * values and byte-identity checks stay stable.
 */
import { tensor, type Tensor } from '@quantforge/core';

/**
 * A seeded uniform [0, 1) generator (mulberry32).
 *
 * @example
 * ```ts
 * const next = rng(7);
 * const u = next(); // 0 <= u < 1, the same on every run
 * ```
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function size(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * A float32 tensor of normal values with standard deviation `sigma` (Box–Muller over {@link rng}, one draw per pair).
 *
 * @example
 * ```ts
 * const w = gaussian([24, 40], 21);        // N(0, 1)
 * const small = gaussian([64], 3, 0.05);   // N(0, 0.05²)
 * ```
 */
export function gaussian(dims: number[], seed: number, sigma = 1): Tensor<'float32'> {
  const next = rng(seed);
  const data = new Float32Array(size(dims));
  for (let i = 0; i < data.length; i++) {
    const u = 1 - next();
    const v = next();
    data[i] = sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return tensor('float32', dims, data);
}

/**
 * A float32 tensor of Laplace values with scale `b` (inverse CDF over {@link rng}): heavier tails than
 * {@link gaussian}, like trained weights.
 *
 * @example
 * ```ts
 * const w = laplace([96, 80], 21);
 * ```
 */
export function laplace(dims: number[], seed: number, b = 1): Tensor<'float32'> {
  const next = rng(seed);
  const data = new Float32Array(size(dims));
  for (let i = 0; i < data.length; i++) {
    const u = next() - 0.5;
    data[i] = -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  }
  return tensor('float32', dims, data);
}

/**
 * `n` standard normal draws where one value in `every` is replaced by a Laplace draw scaled by `spread`: a few large
 * outliers over a Gaussian body, as float32.
 *
 * @example
 * ```ts
 * const w = tensor('float32', [16, 4, 3, 3], heavyTailed(576, 31));
 * ```
 */
export function heavyTailed(n: number, seed: number, every = 10, spread = 6): Float32Array {
  const next = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - next();
    const v = next();
    const g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    out[i] = i % every === 0 ? spread * Math.sign(v - 0.5) * -Math.log(1 - next()) : g;
  }
  return out;
}

/**
 * A float32 tensor from numbers.
 *
 * @example
 * ```ts
 * const w = f32([2, 2], [1, -2, 0.5, 3]);
 * ```
 */
export function f32(dims: number[], values: number[]): Tensor<'float32'> {
  return tensor('float32', dims, Float32Array.from(values));
}
