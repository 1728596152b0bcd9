import { affineEncoding, dequantize, forEachParamRun, paramCount, quantizeWith, type AffineFormat, type Range } from '@quantforge/core';

/**
 * The values of a tensor regrouped by quantization parameter: group `p` is `values.subarray(offsets[p],
 * offsets[p + 1])`, in element order. Built from core's parameter runs so it matches how `quantizeWith` maps elements
 * to scales for every granularity.
 */
export interface ParamGroups {
  values: Float32Array;
  offsets: Int32Array;
}

/**
 * Regroups `values` by the parameter index of each element (per-tensor: one group; per-channel: one per index along
 * `axis`; per-group: one per block).
 *
 * @example
 * ```ts
 * const g = groupByParam(w, [2, 3], 0); // g.values = rows of w, g.offsets = [0, 3, 6]
 * ```
 */
export function groupByParam(values: Float32Array, dims: readonly number[], axis?: number, blockSize?: number): ParamGroups {
  const count = paramCount(dims, axis, blockSize);
  const sizes = new Int32Array(count);
  forEachParamRun(dims, axis, blockSize, (start, length, p0, stride) => {
    if (stride === 0) sizes[p0]! += length;
    else for (let j = 0; j < length; j++) sizes[p0 + j]! += 1;
  });
  const offsets = new Int32Array(count + 1);
  for (let p = 0; p < count; p++) offsets[p + 1] = offsets[p]! + sizes[p]!;
  const fill = offsets.slice(0, count);
  const out = new Float32Array(values.length);
  forEachParamRun(dims, axis, blockSize, (start, length, p0, stride) => {
    for (let j = 0; j < length; j++) {
      const p = p0 + j * stride;
      out[fill[p]!++] = values[start + j]!;
    }
  });
  return { values: out, offsets };
}

/** Linear interpolation between order statistics of sorted values at fraction q of the way (0 → min, 1 → max). */
function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Clipping range of one group at a percentile of its exact values: symmetric formats clip |x| at the p-th percentile
 * (`[−T, T]`), asymmetric ones clip each side (`[q(1 − p), q(p)]`). An empty group gives [0, 0].
 *
 * @example
 * ```ts
 * percentileClip(values, 99.9, true); // { min: -T, max: T }
 * ```
 */
export function percentileClip(values: Float32Array, percentile: number, symmetric: boolean): Range {
  if (values.length === 0) return { min: 0, max: 0 };
  const q = percentile / 100;
  if (symmetric) {
    const t = quantileSorted(Float64Array.from(values, Math.abs).sort(), q);
    return { min: -t, max: t };
  }
  const sorted = Float64Array.from(values).sort();
  return { min: quantileSorted(sorted, 1 - q), max: quantileSorted(sorted, q) };
}

/** Shrink factors of the MSE search: a 0.05 grid from 1 down to 0.2, then 0.01 steps around the best of it. */
const COARSE_STEP = 0.05;
const FINE_STEP = 0.01;
const MIN_ALPHA = 0.2;

/**
 * The clipping range of one group that minimizes the squared error of quantize → dequantize with `format`, searched
 * over `α · [min, max]` (α from 1 down to 0.2 on a 0.05 grid, then in 0.01 steps within ±0.04 of the best) with
 * core's quantizer itself, so the error measured is the error produced. Only a strictly smaller error replaces the
 * best, and the full range is tried first, so the result is never worse than min/max and ties keep the wider range.
 *
 * @example
 * ```ts
 * mseClip(values, { bits: 4, signed: true, symmetric: true, narrowRange: true });
 * ```
 */
export function mseClip(values: Float32Array, format: AffineFormat): Range {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(min <= max) || (min === 0 && max === 0)) return { min: 0, max: 0 };
  const dims = [values.length];
  let best: Range = { min, max };
  let bestAlpha = 1;
  let bestErr = Infinity;
  const tryAlpha = (alpha: number): void => {
    const range = alpha === 1 ? { min, max } : { min: alpha * min, max: alpha * max };
    const approx = dequantize(quantizeWith(affineEncoding(range, format), values, dims));
    let err = 0;
    for (let i = 0; i < values.length; i++) {
      const e = values[i]! - approx[i]!;
      err += e * e;
    }
    if (err < bestErr) {
      bestErr = err;
      best = range;
      bestAlpha = alpha;
    }
  };
  // Grid points are computed from integers so every run visits exactly the same α values.
  const coarse = Math.round((1 - MIN_ALPHA) / COARSE_STEP);
  for (let k = 0; k <= coarse; k++) tryAlpha(1 - k * COARSE_STEP);
  const centre = bestAlpha;
  const reach = Math.round(COARSE_STEP / FINE_STEP) - 1;
  for (let k = reach; k >= -reach; k--) {
    const alpha = Math.round((centre + k * FINE_STEP) * 100) / 100;
    if (k !== 0 && alpha <= 1 && alpha >= MIN_ALPHA) tryAlpha(alpha);
  }
  return best;
}
