import { QuantforgeError, logChannelMinExponents, logLevelCount, quantRange, type Encoding } from '@quantforge/core';

/** Plot-ready JSON: a histogram of one layer's weights and the levels each encoding can represent. */
export interface LevelsHistogram {
  bins: { edges: number[]; counts: number[] };
  series: { name: string; kind: Encoding['kind']; levels: number[] }[];
}

/**
 * The distinct values an encoding can reconstruct, ascending: affine `(q − zp)·scale` over the code range, log `0`
 * and `±2^(minExponent + j·step)` (per-channel ladders: channel 0's), codebook the centroids (scalar codebooks
 * only), ternary `{−s⁻, 0, s}`. Per-channel affine and ternary use channel 0's parameters.
 *
 * @example
 * ```ts
 * encodingLevels({ kind: 'log', bits: 2, signed: false, step: 1, fsr: 0, minExponent: -3, zeroCode: true }); // [0, 0.125, 0.25, 0.5]
 * ```
 */
export function encodingLevels(e: Encoding): number[] {
  let out: number[] = [];
  switch (e.kind) {
    case 'affine': {
      const [lo, hi] = quantRange(e.bits, e.signed, e.narrowRange);
      out = [];
      for (let q = lo; q <= hi; q++) out.push(Math.fround((q - e.zeroPoint[0]!) * e.scale[0]!));
      break;
    }
    case 'log': {
      const min = logChannelMinExponents(e)[0]!;
      const mags = Array.from({ length: logLevelCount(e) }, (_, j) => Math.fround(2 ** (min + j * e.step)));
      out = [...(e.zeroCode ? [0] : []), ...mags, ...(e.signed ? mags.map((v) => -v) : [])];
      break;
    }
    case 'codebook':
      if (e.subvectorLength !== 1) {
        throw new QuantforgeError('QF_ENCODING_UNSUPPORTED', `levels of a codebook with sub-vectors of ${e.subvectorLength} are not scalars`, {
          details: { kind: e.kind, subvectorLength: e.subvectorLength },
        });
      }
      out = Array.from(e.centroids.subarray(0, e.k));
      break;
    case 'ternary':
      out = [-(e.negativeScale?.[0] ?? e.scale[0]!), 0, e.scale[0]!];
      break;
  }
  return [...new Set(out.map((v) => (v === 0 ? 0 : v)))].sort((a, b) => a - b);
}

/**
 * Plot data for "linear vs log vs weighted levels over one layer": a histogram of the weights (`bins` equal bins over
 * their range) and, per named encoding, the levels it can reconstruct ({@link encodingLevels}). Plain JSON.
 *
 * @example
 * ```ts
 * const data = levelsHistogram(w, { linear: uniformQ.encoding, log: logQ.encoding, weighted: weQ.encoding });
 * writeFileSync('levels.json', JSON.stringify(data));
 * ```
 */
export function levelsHistogram(weights: ArrayLike<number>, encodings: Record<string, Encoding>, bins = 100): LevelsHistogram {
  if (!(Number.isInteger(bins) && bins >= 1) || weights.length === 0) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', 'levelsHistogram needs weights and a positive whole number of bins', { details: { bins, weights: weights.length } });
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < weights.length; i++) {
    const v = weights[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', 'levelsHistogram needs finite weights', { details: { min: lo, max: hi } });
  }
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < weights.length; i++) {
    const k = Math.floor((weights[i]! - lo) / width);
    counts[k >= bins ? bins - 1 : k]! += 1;
  }
  const edges = Array.from({ length: bins + 1 }, (_, k) => lo + k * width);
  const series = Object.entries(encodings).map(([name, e]) => ({ name, kind: e.kind, levels: encodingLevels(e) }));
  return { bins: { edges, counts }, series };
}
