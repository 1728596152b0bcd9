import { QuantforgeError, type ActivationStats, type LogEncoding, type LogHistogramState, type StatRequest, type TensorPlanInfo } from '@quantforge/core';
import type { ResolvedWeightedEntropyOptions } from './options.js';

/** Park's log-step grid: step = h/8 octaves for h = 1 … 16 (1/8 … 2). */
export const PARK_STEP_EIGHTHS = 16;

/** The searched ladder: `levels` non-zero levels `2^(minExponent + j·step)` and the objective's value. */
export interface LogLadder {
  step: number;
  minExponent: number;
  levels: number;
  score: number;
}

/**
 * Statistics weighted-entropy activations need: the 1/16-octave log histogram (core's `log-histogram` observer).
 *
 * @example
 * ```ts
 * weightedEntropyActivationRequest(o, info).observer; // 'log-histogram'
 * ```
 */
export function weightedEntropyActivationRequest(o: ResolvedWeightedEntropyOptions, info: TensorPlanInfo): StatRequest {
  return { observer: 'log-histogram', options: {}, finalize: { bits: o.activationBits ?? info.bits, signed: false, symmetric: false, narrowRange: false } };
}

/**
 * Searches Park's activation ladder on a log histogram: every step h/8 whose half-step falls on the bin grid, and every
 * smallest exponent on the bin grid from where the top level reaches the lowest data up to the highest data. Level j
 * takes the bins between `minExponent + (j ∓ ½)·step` (the top level everything above), below the first threshold is
 * zero — the rounding of core's `quantizeWith`, so the counts are exact. Scores, from prefix sums over the bins:
 * `'entropy'` Park's `S = −Σ rⱼ pⱼ ln pⱼ` (rⱼ the level's value, pⱼ its share of the non-zero values), maximised;
 * `'error'` the squared error with each bin at its geometric centre, minimised. Ties keep the first candidate
 * (smaller step, then smaller exponent).
 *
 * @example
 * ```ts
 * const ladder = searchLogLadder(state, 15, 'entropy');
 * ```
 */
export function searchLogLadder(h: LogHistogramState, levels: number, objective: 'entropy' | 'error'): LogLadder {
  const B = h.binsPerOctave;
  const nb = h.counts.length;
  const cnt = new Float64Array(nb + 1);
  const s1 = new Float64Array(nb + 1);
  const s2 = new Float64Array(nb + 1);
  let first = -1;
  let last = -1;
  for (let k = 0; k < nb; k++) {
    const c = h.counts[k]!;
    const v = 2 ** (h.minLog2 + (k + 0.5) / B);
    cnt[k + 1] = cnt[k]! + c;
    s1[k + 1] = s1[k]! + c * v;
    s2[k + 1] = s2[k]! + c * v * v;
    if (c > 0) {
      if (first < 0) first = k;
      last = k;
    }
  }
  const total = cnt[nb]!;
  if (total === 0) return { step: 1, minExponent: -levels, levels, score: 0 };
  const clamp = (b: number) => (b < 0 ? 0 : b > nb ? nb : b);
  let best: LogLadder | undefined;
  for (let eighths = 1; eighths <= PARK_STEP_EIGHTHS; eighths++) {
    if ((eighths * B) % 16 !== 0) continue;
    const stepBins = (eighths * B) / 8;
    const half = stepBins / 2;
    const step = eighths / 8;
    for (let m = first - half - (levels - 1) * stepBins; m <= last; m++) {
      const minE = h.minLog2 + m / B;
      let score = objective === 'error' ? s2[clamp(m - half)]! : 0;
      // Only the levels overlapping the data's bins can hold values; the rest add nothing to either score.
      const base = m - half;
      const jFrom = Math.min(levels - 1, Math.max(0, Math.floor((first - base) / stepBins)));
      const jTo = Math.min(levels - 1, Math.floor((last - base) / stepBins));
      for (let j = jFrom; j <= jTo; j++) {
        const lo = clamp(base + j * stepBins);
        const hi = j === levels - 1 ? nb : clamp(base + (j + 1) * stepBins);
        const n = cnt[hi]! - cnt[lo]!;
        if (n === 0) continue;
        const q = 2 ** (minE + j * step);
        if (objective === 'error') score += s2[hi]! - s2[lo]! - 2 * q * (s1[hi]! - s1[lo]!) + q * q * n;
        else {
          const p = n / total;
          score -= q * p * Math.log(p);
        }
      }
      const better = best === undefined || (objective === 'error' ? score < best.score : score > best.score);
      if (better) best = { step, minExponent: minE, levels, score };
    }
  }
  // h = 16 (step 2) fits every grid and the exponent range is never empty, so a candidate was always scored.
  return best!;
}

/**
 * Turns a log histogram into a weighted-entropy activation encoding: `2^bits` codes including 0 (unsigned, as for
 * ReLU outputs; a sign bit is added when calibration saw negative values, magnitudes then share the ladder), the
 * ladder from {@link searchLogLadder}, `fsr = minExponent + levels·step`.
 *
 * @example
 * ```ts
 * encodeWeightedEntropyActivation(stats, resolveWeightedEntropyOptions({ activationBits: 4 }), info); // { kind: 'log', … }
 * ```
 */
export function encodeWeightedEntropyActivation(stats: ActivationStats, o: ResolvedWeightedEntropyOptions, info: TensorPlanInfo): LogEncoding {
  if (stats.state.kind !== 'log-histogram') {
    throw new QuantforgeError('QF_CALIBRATION', `weighted-entropy activation ${info.name} needs a log-histogram state, got ${stats.state.kind}`, {
      details: { tensor: info.name, state: stats.state.kind }, hint: "Calibrate with the plan's request (observer 'log-histogram')",
    });
  }
  const signed = stats.state.negatives > 0;
  const magnitudeBits = o.activationBits ?? info.bits;
  const bits = magnitudeBits + (signed ? 1 : 0);
  if (!(Number.isInteger(magnitudeBits) && magnitudeBits >= 1 && magnitudeBits <= 8)) {
    throw new QuantforgeError('QF_QUANTIZE', `weighted-entropy activation ${info.name}: ${magnitudeBits} bits are not 1–8`, { details: { tensor: info.name, bits: magnitudeBits } });
  }
  const levels = 2 ** magnitudeBits - 1;
  const ladder = searchLogLadder(stats.state, levels, o.activationObjective);
  return { kind: 'log', bits, signed, step: ladder.step, fsr: ladder.minExponent + levels * ladder.step, minExponent: ladder.minExponent, zeroCode: true };
}
