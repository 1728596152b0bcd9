import { forEachParamRun, roundHalfAway } from '@quantforge/core';

/**
 * Quarter-octave bins: every LogQuant level threshold (`minExponent + (j + ½)·step` with step 1 or ½ and an fsr on
 * the step grid) falls on a bin edge, so per-bin sums give the exact squared error of any candidate ladder without
 * revisiting the elements.
 */
export const BINS_PER_OCTAVE = 4;

/** Per-channel sufficient statistics of |x| on a quarter-octave grid starting at `low[c]` (log2). */
export interface BinnedChannels {
  channels: number;
  bins: number;
  low: Float64Array;
  count: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
}

/**
 * Bins the magnitudes of each parameter channel (core's `forEachParamRun` channels; one when `axis` is undefined)
 * from `low[c]` over `octaves` octaves. Magnitudes below `low[c]` are left out: every candidate ladder sends them to
 * zero, so they add the same error to all of them.
 *
 * @example
 * ```ts
 * const b = binChannels(values, dims, undefined, Float64Array.of(-20), 24);
 * ```
 */
export function binChannels(values: Float32Array, dims: readonly number[], axis: number | undefined, low: Float64Array, octaves: number): BinnedChannels {
  const channels = low.length;
  const bins = octaves * BINS_PER_OCTAVE;
  const count = new Float64Array(channels * bins);
  const sum = new Float64Array(channels * bins);
  const sumSq = new Float64Array(channels * bins);
  forEachParamRun(dims, axis, undefined, (start, length, p) => {
    const base = p * bins;
    const lo = low[p]!;
    for (let i = start; i < start + length; i++) {
      const a = Math.abs(values[i]!);
      if (a === 0) continue;
      const k = Math.floor((Math.log2(a) - lo) * BINS_PER_OCTAVE);
      if (k < 0) continue;
      const at = base + (k >= bins ? bins - 1 : k);
      count[at]! += 1;
      sum[at]! += a;
      sumSq[at]! += a * a;
    }
  });
  return { channels, bins, low, count, sum, sumSq };
}

/**
 * Squared error (up to the constant of the left-out tail) of channel `c` on the ladder with `levels` levels, log step
 * `step` and full-scale range `fsr`, rounding as core's `quantizeWith` does (log domain, half away from zero).
 *
 * @example
 * ```ts
 * binnedError(b, 0, 7, 1, 0);
 * ```
 */
export function binnedError(b: BinnedChannels, c: number, levels: number, step: number, fsr: number): number {
  const minE = fsr - levels * step;
  const base = c * b.bins;
  const low = b.low[c]!;
  let err = 0;
  for (let k = 0; k < b.bins; k++) {
    const n = b.count[base + k]!;
    if (n === 0) continue;
    const centre = low + (k + 0.5) / BINS_PER_OCTAVE;
    const j = roundHalfAway((centre - minE) / step);
    const s2 = b.sumSq[base + k]!;
    if (j < 0) {
      err += s2;
      continue;
    }
    const q = 2 ** (minE + (j >= levels ? levels - 1 : j) * step);
    err += s2 - 2 * q * b.sum[base + k]! + q * q * n;
  }
  return err;
}

/**
 * The fsr of channel `c` with the least squared error among `top`, `top − step`, … `octaves` octaves down (the first
 * wins ties, so a flat error keeps the max-derived range).
 *
 * @example
 * ```ts
 * searchBinnedFsr(b, 0, 7, 1, 1, 8);
 * ```
 */
export function searchBinnedFsr(b: BinnedChannels, c: number, levels: number, step: number, top: number, octaves: number): number {
  const candidates = Math.round(octaves / step);
  let best = top;
  let bestErr = binnedError(b, c, levels, step, top);
  for (let k = 1; k <= candidates; k++) {
    const fsr = top - k * step;
    const err = binnedError(b, c, levels, step, fsr);
    if (err < bestErr) {
      bestErr = err;
      best = fsr;
    }
  }
  return best;
}
