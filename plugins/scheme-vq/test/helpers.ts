import { tensor, type Tensor, type TensorQuantInfo } from '@quantforge/core';

/** Seeded uniform [0, 1) generator (mulberry32), so test tensors are the same on every run. */
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

/** A float32 tensor of standard normal values (Box–Muller over {@link rng}). */
export function gaussian(dims: number[], seed: number, sigma = 1): Tensor<'float32'> {
  const next = rng(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - next();
    const v = next();
    data[i] = sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return tensor('float32', dims, data);
}

/** A float32 tensor from numbers. */
export function f32(dims: number[], values: number[]): Tensor<'float32'> {
  return tensor('float32', dims, Float32Array.from(values));
}

/** Plan facts of a tensor, with the defaults a planner would give a Conv weight. */
export function quantInfo(over: Partial<TensorQuantInfo> = {}): TensorQuantInfo {
  return {
    name: 'w', role: 'weight', consumers: [{ node: 'conv', opType: 'Conv', input: 1 }], bits: 4, granularity: 'per-channel', axis: 0,
    seed: 1, dependencies: {}, ...over,
  };
}

/** Standard normal draws mixed with a Laplace tail (one in `every` values scaled by `spread`), as float32. */
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
