import type { Range } from '../affine.js';
import {
  binWidth, createHistogram, foldAbsolute, mergeHistograms, observeHistogram, rangeForThreshold, requireData, usedLength, type HistogramState,
} from './histogram.js';
import type { EntropyOptions, Observer } from './types.js';

/** Default bins of the entropy observer: the |x| half holds 4096 bins, of which the data uses 2048–4096. */
export const ENTROPY_DEFAULT_BINS = 8192;

/** Mass given to each empty Q bin where P is non-zero (taken proportionally from the other bins). */
const SMOOTH_EPS = 1e-4;

/** Prefix sums that make every candidate O(levels): raw mass, non-zero bin count and Σ h·ln h of the first k bins. */
interface Prefix {
  mass: Float64Array;
  nonZero: Float64Array;
  hLogH: Float64Array;
  suffix: Float64Array;
  total: number;
}

function prefixOf(hist: Float64Array, used: number): Prefix {
  const mass = new Float64Array(used + 1);
  const nonZero = new Float64Array(used + 1);
  const hLogH = new Float64Array(used + 1);
  for (let k = 0; k < used; k++) {
    const h = hist[k]!;
    mass[k + 1] = mass[k]! + h;
    nonZero[k + 1] = nonZero[k]! + (h > 0 ? 1 : 0);
    hLogH[k + 1] = hLogH[k]! + (h > 0 ? h * Math.log(h) : 0);
  }
  const suffix = new Float64Array(used + 1);
  for (let k = used - 1; k >= 0; k--) suffix[k] = suffix[k + 1]! + hist[k]!;
  return { mass, nonZero, hLogH, suffix, total: mass[used]! };
}

/**
 * KL(P || Q) of the TensorRT entropy method for keeping the first `i` bins of an |x| histogram with `levels`
 * quantized levels:
 *
 * - P = `hist[0..i−1]` with the outliers `Σ hist[i..]` added to `P[i−1]`, normalized;
 * - bin k belongs to level `floor(k·levels / i)`; each level's raw mass (without outliers) is shared equally by the
 *   level's bins where P is non-zero, the others get 0 — this is "quantize to 128 levels and expand"; then normalized;
 * - a Q bin that is 0 where P is not gets ε = 1e-4 (the others scaled by 1 − ε·zeros), so the divergence stays finite;
 * - `KL = Σ_{P>0} p·ln(p / q)`.
 *
 * Q is constant over a level's support, so `Σ p ln q` is a per-level sum and prefix sums make a candidate O(levels).
 */
function divergence(hist: Float64Array, pre: Prefix, i: number, levels: number): number {
  const n = pre.total;
  const lastP = hist[i - 1]! + pre.suffix[i]!;
  let qTotal = 0;
  let qZeros = 0;
  const lastLevel = Math.floor(((i - 1) * levels) / i);
  for (let l = 0; l < levels; l++) {
    const a = Math.floor((l * i + levels - 1) / levels);
    const b = Math.floor(((l + 1) * i + levels - 1) / levels);
    if (a >= b) continue;
    const m = pre.mass[b]! - pre.mass[a]!;
    const nz = l === lastLevel ? pre.nonZero[i - 1]! - pre.nonZero[a]! + (lastP > 0 ? 1 : 0) : pre.nonZero[b]! - pre.nonZero[a]!;
    if (nz === 0) continue;
    qTotal += m;
    if (m === 0) qZeros += nz;
  }
  if (qTotal === 0) return Infinity;
  const eps = Math.min(SMOOTH_EPS, 0.5 / Math.max(qZeros, 1));
  const keep = 1 - eps * qZeros;
  // Σ p ln p with p = P/n: (Σ P ln P)/n − ln n.
  const pLogP = (pre.hLogH[i - 1]! + (lastP > 0 ? lastP * Math.log(lastP) : 0)) / n - Math.log(n);
  let pLogQ = 0;
  for (let l = 0; l < levels; l++) {
    const a = Math.floor((l * i + levels - 1) / levels);
    const b = Math.floor(((l + 1) * i + levels - 1) / levels);
    if (a >= b) continue;
    const m = pre.mass[b]! - pre.mass[a]!;
    const isLast = l === lastLevel;
    const nz = isLast ? pre.nonZero[i - 1]! - pre.nonZero[a]! + (lastP > 0 ? 1 : 0) : pre.nonZero[b]! - pre.nonZero[a]!;
    if (nz === 0) continue;
    const pMass = (isLast ? m + pre.suffix[i]! : m) / n;
    const q = m === 0 ? eps : (m / nz / qTotal) * keep;
    pLogQ += pMass * Math.log(q);
  }
  return pLogP - pLogQ;
}

/**
 * The number of |x| bins to keep, minimizing {@link klDivergenceAt} over `i = first + levels … used` (`first` = the
 * first non-empty bin; the first minimum on ties), with `levels` = 2^(bits−1) for signed and 2^bits for unsigned codes
 * (128 for int8). Returns `used` (the last non-empty bin + 1) when the data spans no more bins than levels: there is
 * nothing to clip.
 *
 * @example
 * ```ts
 * const i = entropyThresholdBins(foldAbsolute(h), 128); // threshold i · binWidth(h)
 * ```
 */
export function entropyThresholdBins(hist: Float64Array, levels: number): number {
  const used = usedLength(hist);
  let first = 0;
  while (first < used && hist[first] === 0) first++;
  // TensorRT starts `levels` bins past zero, assuming data near zero. For data far from zero (an all-negative SE
  // logit, a sigmoid output) a threshold below `first + levels` bins leaves every value in the clipped last bin:
  // P is a spike, KL is 0, and the range collapses onto the smallest magnitude.
  const start = first + levels;
  if (used <= start) return used;
  const pre = prefixOf(hist, used);
  let best = used;
  let bestKl = Infinity;
  for (let i = start; i <= used; i++) {
    const kl = divergence(hist, pre, i, levels);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best;
}

/**
 * KL(P || Q) for keeping `i ≤ hist.length` bins of `hist` with `levels` levels, as the threshold search evaluates it.
 *
 * @example
 * ```ts
 * klDivergenceAt(foldAbsolute(h), 512, 128);
 * ```
 */
export function klDivergenceAt(hist: Float64Array, i: number, levels: number): number {
  const used = Math.max(usedLength(hist), i);
  return divergence(hist, prefixOf(hist, used), i, levels);
}

/**
 * Entropy calibration range of a histogram state (TensorRT KL method on |x|): `[−T, T]` for symmetric requests,
 * `[max(min, −T), min(max, T)]` otherwise; T never exceeds max|x|.
 *
 * @example
 * ```ts
 * entropyRange(h, 8, true, true); // { min: -T, max: T }
 * ```
 */
export function entropyRange(h: HistogramState, bits: number, signed: boolean, symmetric: boolean, options: EntropyOptions = {}): Range {
  requireData(h);
  const hist = foldAbsolute(h);
  if ((options.zeroBin ?? 'smooth') === 'smooth' && hist.length > 1) hist[0] = hist[1]!;
  const levels = 2 ** (signed ? bits - 1 : bits);
  const i = entropyThresholdBins(hist, levels);
  const w = binWidth(h);
  const amax = Math.max(Math.abs(h.min), Math.abs(h.max));
  const t = Math.min((options.threshold === 'center' ? i + 0.5 : i) * w, amax);
  return rangeForThreshold(h, t, symmetric);
}

/**
 * The entropy (KL-divergence) observer of TensorRT's int8 calibrator. See {@link klDivergenceAt} for the exact
 * formulas and {@link EntropyOptions} for the documented choices (threshold at the bin edge, zero-bin smoothing, ε).
 *
 * @example
 * ```ts
 * const obs = entropyObserver();
 * ```
 */
export function entropyObserver(options: EntropyOptions = {}): Observer<HistogramState, EntropyOptions> {
  return {
    kind: 'entropy',
    options,
    init: (tensor = '') => createHistogram(tensor, options.bins ?? ENTROPY_DEFAULT_BINS),
    observe: observeHistogram,
    merge: mergeHistograms,
    finalize: (s, request) => entropyRange(s, request.bits, request.signed, request.symmetric, options),
  };
}
