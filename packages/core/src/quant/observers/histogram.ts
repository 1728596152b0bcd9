import { QuantforgeError } from '../../errors/error.js';
import { sizeOf } from '../../ir/tensor.js';

/**
 * A histogram with data-independent edges: `bins` equal bins over `[−R, R)` with `R = 2^exponent`. A value with
 * `|x| ≥ R` (or `x < −R`) grows R by doubling; each doubling merges adjacent bin pairs into the middle half of the
 * bins. Because `bins` is a power of two, every bin width is a power of two and `floor(x / w)` is exact, so a grown
 * histogram is exactly the histogram binned at the final R directly — merging is exact, associative, deterministic.
 * Exact min/max and the number of non-finite values (skipped) are tracked too. Counts are float64 integers (exact to
 * 2^53).
 *
 * @example
 * ```ts
 * const h = createHistogram('relu_out');
 * observeHistogram(h, batch, dims);
 * ```
 */
export interface HistogramState {
  kind: 'histogram';
  tensor: string;
  bins: number;
  exponent: number;
  counts: Float64Array;
  /** Number of finite values observed. */
  count: number;
  /** Exact extremes of the finite values (0 while count is 0). */
  min: number;
  max: number;
  nonFinite: number;
}

/** Starting exponent: R = 2^-64 is below any value that matters, so the first batch decides R. */
export const HISTOGRAM_MIN_EXPONENT = -64;

/** Default bins of the histogram observers. */
export const DEFAULT_BINS = 2048;

export function isPowerOfTwoBins(bins: number): boolean {
  return Number.isInteger(bins) && bins >= 4 && bins <= 2 ** 24 && (bins & (bins - 1)) === 0;
}

/**
 * An empty histogram state.
 *
 * @example
 * ```ts
 * const h = createHistogram('relu_out', 2048);
 * ```
 */
export function createHistogram(tensor: string, bins = DEFAULT_BINS): HistogramState {
  if (!isPowerOfTwoBins(bins)) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `histogram bins must be a power of two between 4 and 2^24, got ${bins}`, {
      details: { problems: [{ path: '/bins', message: 'Expected a power of two between 4 and 16777216' }] },
    });
  }
  return { kind: 'histogram', tensor, bins, exponent: HISTOGRAM_MIN_EXPONENT, counts: new Float64Array(bins), count: 0, min: 0, max: 0, nonFinite: 0 };
}

/**
 * Bin width of a state: 2R / bins (a power of two).
 *
 * @example
 * ```ts
 * binWidth(h); // 2 ** (h.exponent + 1) / h.bins
 * ```
 */
export function binWidth(h: HistogramState): number {
  return 2 ** (h.exponent + 1) / h.bins;
}

/**
 * Grows `h` in place to R = `2^exponent` (no-op when already that large), merging bins exactly.
 *
 * @example
 * ```ts
 * growHistogram(h, h.exponent + 1); // bin pairs merge into the middle half
 * ```
 */
export function growHistogram(h: HistogramState, exponent: number): void {
  const s = exponent - h.exponent;
  if (s <= 0) return;
  const half = h.bins / 2;
  const next = new Float64Array(h.bins);
  const div = 2 ** Math.min(s, 60);
  for (let k = 0; k < h.bins; k++) {
    const c = h.counts[k]!;
    if (c !== 0) next[half + Math.floor((k - half) / div)]! += c;
  }
  h.counts = next;
  h.exponent = exponent;
}

function checkDims(values: Float32Array, dims: readonly number[]): void {
  if (sizeOf(dims) !== values.length) {
    throw new QuantforgeError('QF_CALIBRATION', `observed dims [${dims.join(', ')}] do not match ${values.length} values`, {
      details: { dims: [...dims], length: values.length },
    });
  }
}

/**
 * Folds a batch into a histogram state in place (one pass; R grows when a value falls outside [−R, R)).
 *
 * @example
 * ```ts
 * observeHistogram(h, batch, [batch.length]);
 * ```
 */
export function observeHistogram(h: HistogramState, values: Float32Array, dims: readonly number[]): void {
  checkDims(values, dims);
  let min = Infinity;
  let max = -Infinity;
  let bad = 0;
  const half = h.bins / 2;
  let limit = 2 ** h.exponent;
  let inv = 1 / binWidth(h);
  let counts = h.counts;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      bad++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    if (v >= limit || v < -limit) {
      let e = h.exponent;
      while (2 ** e <= v || -(2 ** e) > v) e++;
      growHistogram(h, e);
      limit = 2 ** e;
      inv = 1 / binWidth(h);
      counts = h.counts;
    }
    counts[half + Math.floor(v * inv)]! += 1;
  }
  h.nonFinite += bad;
  const finite = values.length - bad;
  if (finite === 0) return;
  h.min = h.count === 0 ? min : Math.min(h.min, min);
  h.max = h.count === 0 ? max : Math.max(h.max, max);
  h.count += finite;
}

/**
 * Merges two histogram states into a new one (exact, associative, commutative); the inputs are not changed.
 *
 * @example
 * ```ts
 * const all = mergeHistograms(fromWorker1, fromWorker2);
 * ```
 */
export function mergeHistograms(a: HistogramState, b: HistogramState): HistogramState {
  if (a.bins !== b.bins || a.tensor !== b.tensor) {
    throw new QuantforgeError('QF_CALIBRATION', `cannot merge histograms of ${a.tensor}/${a.bins} bins and ${b.tensor}/${b.bins} bins`, {
      details: { a: { tensor: a.tensor, bins: a.bins }, b: { tensor: b.tensor, bins: b.bins } },
    });
  }
  const out: HistogramState = { ...a, counts: a.counts.slice() };
  const other: HistogramState = { ...b, counts: b.counts.slice() };
  const e = Math.max(a.exponent, b.exponent);
  growHistogram(out, e);
  growHistogram(other, e);
  for (let k = 0; k < out.bins; k++) out.counts[k]! += other.counts[k]!;
  out.min = a.count === 0 ? b.min : b.count === 0 ? a.min : Math.min(a.min, b.min);
  out.max = a.count === 0 ? b.max : b.count === 0 ? a.max : Math.max(a.max, b.max);
  out.count = a.count + b.count;
  out.nonFinite = a.nonFinite + b.nonFinite;
  return out;
}

/** Throws `QF_CALIBRATION` for a state that saw no finite value. */
export function requireData(h: { count: number; tensor: string }): void {
  if (h.count === 0) {
    throw new QuantforgeError('QF_CALIBRATION', `no finite values were observed for ${h.tensor || 'a tensor'}`, {
      details: { tensor: h.tensor },
      hint: 'Check that calibration data reaches this tensor and that the model produces finite values',
    });
  }
}

/**
 * The |x| histogram of a state: `bins / 2` bins, bin j covering [j·w, (j+1)·w).
 *
 * @example
 * ```ts
 * const abs = foldAbsolute(h);
 * ```
 */
export function foldAbsolute(h: HistogramState): Float64Array {
  const half = h.bins / 2;
  const out = new Float64Array(half);
  for (let j = 0; j < half; j++) out[j] = h.counts[half + j]! + h.counts[half - 1 - j]!;
  return out;
}

/** Index of the last non-zero entry + 1 (0 when all are zero). */
export function usedLength(counts: Float64Array): number {
  for (let j = counts.length - 1; j >= 0; j--) if (counts[j] !== 0) return j + 1;
  return 0;
}

/** Clipping range for a magnitude threshold T, clipped to the observed data for asymmetric requests. */
export function rangeForThreshold(h: HistogramState, t: number, symmetric: boolean): { min: number; max: number } {
  if (symmetric) return { min: -t, max: t };
  return { min: Math.max(h.min, -t), max: Math.min(h.max, t) };
}
