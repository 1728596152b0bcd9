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

/** A float32 tensor of normal values (Box–Muller). */
export function gaussian(dims: number[], seed: number, sigma = 1): Tensor<'float32'> {
  const next = rng(seed);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = sigma * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return tensor('float32', dims, data);
}

/** A float32 tensor of Laplace values (inverse CDF). */
export function laplace(dims: number[], seed: number, b = 1): Tensor<'float32'> {
  const next = rng(seed);
  const data = new Float32Array(dims.reduce((a, c) => a * c, 1));
  for (let i = 0; i < data.length; i++) {
    const u = next() - 0.5;
    data[i] = -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  }
  return tensor('float32', dims, data);
}

/** A float32 tensor from numbers. */
export function f32(dims: number[], values: number[]): Tensor<'float32'> {
  return tensor('float32', dims, Float32Array.from(values));
}

/** Plan facts of a weight as a planner gives them for a Conv. */
export function quantInfo(over: Partial<TensorQuantInfo> = {}): TensorQuantInfo {
  return { name: 'w', role: 'weight', consumers: [{ node: 'conv', opType: 'Conv', input: 1 }], bits: 8, granularity: 'per-channel', axis: 0, seed: 1, dependencies: {}, ...over };
}
