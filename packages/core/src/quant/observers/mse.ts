import { quantRange, type Range } from '../affine.js';
import {
  DEFAULT_BINS, binWidth, createHistogram, foldAbsolute, mergeHistograms, observeHistogram, requireData, usedLength, type HistogramState,
} from './histogram.js';
import type { FinalizeRequest, MseOptions, Observer } from './types.js';

/**
 * Expected squared quantization error (per element, up to the constant 1/count) of clipping to [lo, hi] with step Δ,
 * assuming values are uniform inside each bin: inside the range the rounding error is Δ²/12, outside it is the
 * exact mean of (x − bound)² over the clipped part of the bin. O(bins); {@link mseRange} uses an O(1) equivalent.
 *
 * @example
 * ```ts
 * expectedQuantError(h, -2, 2, 2 / 7);
 * ```
 */
export function expectedQuantError(h: HistogramState, lo: number, hi: number, step: number): number {
  const w = binWidth(h);
  const half = h.bins / 2;
  const round = (step * step) / 12;
  let err = 0;
  for (let k = 0; k < h.bins; k++) {
    const n = h.counts[k]!;
    if (n === 0) continue;
    const a = (k - half) * w;
    const b = a + w;
    const density = n / w;
    const inside = Math.max(0, Math.min(b, hi) - Math.max(a, lo));
    err += density * inside * round;
    if (a < lo) {
      const top = Math.min(b, lo);
      err += (density * ((lo - a) ** 3 - (lo - top) ** 3)) / 3;
    }
    if (b > hi) {
      const bottom = Math.max(a, hi);
      err += (density * ((b - hi) ** 3 - (bottom - hi) ** 3)) / 3;
    }
  }
  return err;
}

/** Sums over bins of n, n·mid and n·mid², from the left (prefix) and from the right (suffix). */
interface Moments {
  p0: Float64Array; p1: Float64Array; p2: Float64Array;
  s0: Float64Array; s1: Float64Array; s2: Float64Array;
}

function momentsOf(h: HistogramState): Moments {
  const n = h.bins;
  const w = binWidth(h);
  const half = n / 2;
  const m: Moments = {
    p0: new Float64Array(n + 1), p1: new Float64Array(n + 1), p2: new Float64Array(n + 1),
    s0: new Float64Array(n + 1), s1: new Float64Array(n + 1), s2: new Float64Array(n + 1),
  };
  for (let k = 0; k < n; k++) {
    const c = h.counts[k]!;
    const mid = (k - half + 0.5) * w;
    m.p0[k + 1] = m.p0[k]! + c;
    m.p1[k + 1] = m.p1[k]! + c * mid;
    m.p2[k + 1] = m.p2[k]! + c * mid * mid;
  }
  for (let k = n - 1; k >= 0; k--) {
    const c = h.counts[k]!;
    const mid = (k - half + 0.5) * w;
    m.s0[k] = m.s0[k + 1]! + c;
    m.s1[k] = m.s1[k + 1]! + c * mid;
    m.s2[k] = m.s2[k + 1]! + c * mid * mid;
  }
  return m;
}

/** Exact expected error of one bin [a, a + w) (uniform inside) for clipping to [lo, hi] with step Δ. */
function binError(n: number, a: number, w: number, lo: number, hi: number, round: number): number {
  if (n === 0) return 0;
  const b = a + w;
  const density = n / w;
  let err = density * Math.max(0, Math.min(b, hi) - Math.max(a, lo)) * round;
  if (a < lo) err += (density * ((lo - a) ** 3 - (lo - Math.min(b, lo)) ** 3)) / 3;
  if (b > hi) err += (density * ((b - hi) ** 3 - (Math.max(a, hi) - hi) ** 3)) / 3;
  return err;
}

/**
 * {@link expectedQuantError} in O(1) per candidate: whole bins below lo / above hi through moment sums
 * (`Σ n·((mid − bound)² + w²/12)`), whole bins inside through their count, and the one or two bins holding a bound
 * exactly.
 */
function fastError(h: HistogramState, m: Moments, lo: number, hi: number, step: number): number {
  const w = binWidth(h);
  const half = h.bins / 2;
  const round = (step * step) / 12;
  const var0 = (w * w) / 12;
  const kl = Math.min(Math.max(half + Math.floor(lo / w), 0), h.bins - 1);
  const kh = Math.min(Math.max(half + Math.floor(hi / w), 0), h.bins - 1);
  const below = m.p2[kl]! - 2 * lo * m.p1[kl]! + lo * lo * m.p0[kl]! + var0 * m.p0[kl]!;
  const above = m.s2[kh + 1]! - 2 * hi * m.s1[kh + 1]! + hi * hi * m.s0[kh + 1]! + var0 * m.s0[kh + 1]!;
  const inside = kh > kl + 1 ? (m.p0[kh]! - m.p0[kl + 1]!) * round : 0;
  let edges = binError(h.counts[kl]!, (kl - half) * w, w, lo, hi, round);
  if (kh !== kl) edges += binError(h.counts[kh]!, (kh - half) * w, w, lo, hi, round);
  return below + above + inside + edges;
}

/**
 * The clipping range minimizing expected MSE for `request.bits`. Symmetric: thresholds T at every |x| bin edge up to
 * max|x| (step `T / (2^(bits−1) − 1)`); asymmetric: `[α·min, α·max]` for α on the same grid (step
 * `(hi − lo) / (qmax − qmin)`). The first minimum wins.
 *
 * @example
 * ```ts
 * mseRange(h, { bits: 4, signed: true, symmetric: true });
 * ```
 */
export function mseRange(h: HistogramState, request: FinalizeRequest): Range {
  requireData(h);
  const w = binWidth(h);
  const used = usedLength(foldAbsolute(h));
  const amax = Math.max(Math.abs(h.min), Math.abs(h.max));
  if (amax === 0) return { min: 0, max: 0 };
  const [qmin, qmax] = quantRange(request.bits, request.signed, request.narrowRange ?? false);
  const lo0 = Math.min(h.min, 0);
  const hi0 = Math.max(h.max, 0);
  const moments = momentsOf(h);
  let best: Range = request.symmetric ? { min: -amax, max: amax } : { min: lo0, max: hi0 };
  let bestErr = Infinity;
  for (let k = 1; k <= used; k++) {
    let lo: number;
    let hi: number;
    let step: number;
    if (request.symmetric) {
      const t = Math.min(k * w, amax);
      lo = -t;
      hi = t;
      step = t / (2 ** (request.bits - 1) - 1);
    } else {
      const alpha = Math.min(k / used, 1);
      lo = alpha * lo0;
      hi = alpha * hi0;
      step = (hi - lo) / (qmax - qmin);
    }
    const err = fastError(h, moments, lo, hi, step);
    if (err < bestErr) {
      bestErr = err;
      best = { min: lo, max: hi };
    }
  }
  return best;
}

/**
 * The MSE observer: the clipping range that minimizes the expected quantization error (clipping plus rounding) over
 * the histogram for the requested bit width.
 *
 * @example
 * ```ts
 * const obs = mseObserver();
 * obs.finalize(state, { bits: 4, signed: true, symmetric: true });
 * ```
 */
export function mseObserver(options: MseOptions = {}): Observer<HistogramState, MseOptions> {
  return {
    kind: 'mse',
    options,
    init: (tensor = '') => createHistogram(tensor, options.bins ?? DEFAULT_BINS),
    observe: observeHistogram,
    merge: mergeHistograms,
    finalize: (s, request) => mseRange(s, request),
  };
}
