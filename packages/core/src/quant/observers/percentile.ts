import type { Range } from '../affine.js';
import {
  binWidth, createHistogram, foldAbsolute, mergeHistograms, observeHistogram, rangeForThreshold, requireData, type HistogramState,
} from './histogram.js';
import type { Observer, PercentileOptions } from './types.js';

/**
 * The value below which a fraction `q` of the histogram's mass lies, interpolating linearly inside the bin
 * (`first` is the value at the left edge of bin 0). The error against the exact order statistic is at most one bin.
 *
 * @example
 * ```ts
 * histogramQuantile(foldAbsolute(h), 0, binWidth(h), 0.999);
 * ```
 */
export function histogramQuantile(counts: Float64Array, first: number, width: number, q: number): number {
  let total = 0;
  for (let k = 0; k < counts.length; k++) total += counts[k]!;
  const rank = q * total;
  let cum = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k]!;
    if (c > 0 && cum + c >= rank) return first + (k + (rank - cum) / c) * width;
    cum += c;
  }
  return first + counts.length * width;
}

/**
 * Percentile range of a histogram state: symmetric → `[−T, T]` with T the p-th percentile of |x|; asymmetric →
 * `[q(1 − p), q(p)]` of x. Never outside the observed [min, max].
 *
 * @example
 * ```ts
 * percentileRange(h, 99.99, true); // { min: -T, max: T }
 * ```
 */
export function percentileRange(h: HistogramState, percentile: number, symmetric: boolean): Range {
  requireData(h);
  const w = binWidth(h);
  const q = percentile / 100;
  if (symmetric) {
    const amax = Math.max(Math.abs(h.min), Math.abs(h.max));
    const t = Math.min(histogramQuantile(foldAbsolute(h), 0, w, q), amax);
    return rangeForThreshold(h, t, true);
  }
  const first = -(h.bins / 2) * w;
  const lo = Math.max(histogramQuantile(h.counts, first, w, 1 - q), h.min);
  const hi = Math.min(histogramQuantile(h.counts, first, w, q), h.max);
  return { min: Math.min(lo, hi), max: Math.max(lo, hi) };
}

/**
 * The percentile observer (TensorRT legacy quantile, pytorch-quantization percentile): clips at the p-th percentile.
 *
 * @example
 * ```ts
 * const obs = percentileObserver({ percentile: 99.99 });
 * ```
 */
export function percentileObserver(options: PercentileOptions = {}): Observer<HistogramState, PercentileOptions> {
  const percentile = options.percentile ?? 99.99;
  return {
    kind: 'percentile',
    options,
    init: (tensor = '') => createHistogram(tensor, options.bins),
    observe: observeHistogram,
    merge: mergeHistograms,
    finalize: (s, request) => percentileRange(s, percentile, request.symmetric),
  };
}
