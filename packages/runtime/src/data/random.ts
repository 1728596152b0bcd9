import { QuantforgeError, allocate, float32ToFloat16, sizeOf, type DType, type Tensor } from '@quantforge/core';
import { makeSource, type DataSource, type Feed, type InputSpec, type SourceOptions } from './source.js';

/** Options of {@link randomData}. */
export interface RandomDataOptions extends SourceOptions {
  /** Sizes for symbolic dims by name. A symbolic or unknown leading dim defaults to 1 (one sample per feed). */
  dims?: Record<string, number>;
  /** Float values: `normal` ≈ N(0, 1) (default) or `uniform` in [0, 1). */
  distribution?: 'normal' | 'uniform';
  /** Inclusive range of integer values (default [0, 9]); bool inputs are always 0/1. */
  intRange?: [number, number];
}

const FLOAT_TYPES = new Set<DType>(['float32', 'float64', 'float16']);
const INT_TYPES = new Set<DType>(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool']);

/**
 * `n` samples of made-up data shaped like the model inputs, for a smoke run (`--calib random:N`). The same seed
 * gives the same bytes, and sample i does not depend on `limit`/`batch`. The source has `isSynthetic: true`:
 * callers must warn loudly that statistics from it say nothing about real inputs.
 *
 * Normal values come from a sum of four uniforms (scaled to unit variance), so only exactly-rounded arithmetic
 * is involved and the bytes are the same on every platform.
 *
 * @example
 * ```ts
 * const smoke = randomData(8, [{ name: 'input', dtype: 'float32', shape: ['N', 1, 28, 28] }], 42);
 * ```
 */
export function randomData(n: number, inputs: readonly InputSpec[], seed: number, options: RandomDataOptions = {}): DataSource {
  if (!Number.isInteger(n) || n < 0) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `random data needs a non-negative integer count, got ${n}`, { details: { n } });
  }
  const plans = inputs.map((spec) => ({ spec, dtype: spec.dtype ?? 'float32', dims: concreteDims(spec, options.dims ?? {}) }));
  for (const p of plans) {
    if (!FLOAT_TYPES.has(p.dtype) && !INT_TYPES.has(p.dtype)) {
      throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `random data cannot fill input "${p.spec.name}" of type ${p.dtype}`, {
        details: { input: p.spec.name, dtype: p.dtype },
      });
    }
  }
  const [lo, hi] = options.intRange ?? [0, 9];
  const normal = (options.distribution ?? 'normal') === 'normal';
  async function* samples(): AsyncGenerator<Feed> {
    for (let i = 0; i < n; i++) {
      const feed: Feed = {};
      plans.forEach((p, k) => {
        const rng = mulberry32(mix(seed, i, k));
        feed[p.spec.name] = FLOAT_TYPES.has(p.dtype) ? floatTensor(p.dtype, p.dims, rng, normal) : intTensor(p.dtype, p.dims, rng, lo, hi);
      });
      yield feed;
    }
  }
  return makeSource(samples, { description: `random data (${n} synthetic samples, seed ${seed})`, isSynthetic: true, count: n }, options);
}

function concreteDims(spec: InputSpec, named: Record<string, number>): number[] {
  if (!spec.shape) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `random data needs the shape of input "${spec.name}"`, { details: { input: spec.name } });
  }
  return spec.shape.map((d, axis) => {
    if (typeof d === 'number') return d;
    if (typeof d === 'string' && named[d] !== undefined) return named[d];
    if (axis === 0) return 1;
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `input "${spec.name}" has a free dim ${d === null ? '?' : `"${d}"`} at axis ${axis}; random data needs its size`, {
      details: { input: spec.name, axis, dim: d },
      hint: 'Give the size, e.g. dims: { height: 224 }, or use real data.',
    });
  });
}

function floatTensor(dtype: DType, dims: number[], rng: () => number, normal: boolean): Tensor {
  const count = sizeOf(dims);
  const values = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    values[j] = normal ? (rng() + rng() + rng() + rng() - 2) * Math.sqrt(3) : rng();
  }
  if (dtype === 'float64') return { dtype, dims, data: values };
  if (dtype === 'float16') return { dtype, dims, data: Uint16Array.from(values, (v) => float32ToFloat16(v)) };
  return { dtype: 'float32', dims, data: Float32Array.from(values) };
}

function intTensor(dtype: DType, dims: number[], rng: () => number, lo: number, hi: number): Tensor {
  const count = sizeOf(dims);
  const [a, b] = dtype === 'bool' ? [0, 1] : [lo, hi];
  const data = allocate(dtype, count) as Exclude<Tensor['data'], string[]>;
  const big = dtype === 'int64' || dtype === 'uint64';
  for (let j = 0; j < count; j++) {
    const v = a + Math.floor(rng() * (b - a + 1));
    (data as unknown as (number | bigint)[])[j] = big ? BigInt(v) : v;
  }
  return { dtype, dims, data } as Tensor;
}

/** Seed for one (sample, input) stream: an integer hash so streams are independent of iteration order. */
function mix(seed: number, sample: number, input: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [sample, input]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** A small, fast 32-bit PRNG; returns floats in [0, 1) with 32 bits of entropy. */
function mulberry32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
