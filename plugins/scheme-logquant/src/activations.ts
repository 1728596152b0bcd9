import { QuantforgeError, type ActivationStats, type LogEncoding, type LogHistogramState, type StatRequest, type TensorPlanInfo } from '@quantforge/core';
import { fsrForMax, logQuantEncoding, logStep, magnitudeLevels, searchFsr, type MagnitudeSample } from './ladder.js';
import type { ResolvedLogQuantOptions } from './options.js';

/**
 * The statistics LogQuant needs for an activation: min/max (fsr from the maximum) or the 1/16-octave log histogram
 * (fsr search). The finalize format is informational; the scheme reads the exact range or the state.
 *
 * @example
 * ```ts
 * logActivationRequest(resolveLogQuantOptions({ fsr: 'search' }), info).observer; // 'log-histogram'
 * ```
 */
export function logActivationRequest(o: ResolvedLogQuantOptions, info: TensorPlanInfo): StatRequest {
  const finalize = { bits: o.activationBits ?? info.bits, signed: false, symmetric: false, narrowRange: false };
  return o.calibrator === 'minmax' ? { observer: 'minmax', options: {}, finalize } : { observer: 'log-histogram', options: {}, finalize };
}

/**
 * Geometric bin centres of a log histogram, as magnitudes weighted by their counts: the sample the fsr search scores.
 * The 1/16-octave bins are finer than any ladder step, so a bin's centre falls in the same level as its contents
 * except in the bins a level threshold cuts.
 *
 * @example
 * ```ts
 * const s = histogramSample(state);
 * ```
 */
export function histogramSample(h: LogHistogramState): MagnitudeSample {
  const n = h.counts.length;
  const log2 = new Float64Array(n);
  const magnitude = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    log2[k] = h.minLog2 + (k + 0.5) / h.binsPerOctave;
    magnitude[k] = h.counts[k]! > 0 ? 2 ** log2[k]! : 0;
  }
  return { magnitude, log2, weight: h.counts };
}

/**
 * Turns calibration statistics into a LogQuant activation encoding: unsigned unless calibration saw negative values
 * (`activationSigned: 'auto'`), `activationBits` magnitude bits plus the sign bit when signed, fsr from the largest
 * magnitude or searched on the log histogram for the least squared error.
 *
 * @example
 * ```ts
 * encodeLogActivation({ range: { min: 0, max: 6 }, request, state }, resolveLogQuantOptions({ activationBits: 4 }), info);
 * // { kind: 'log', bits: 4, signed: false, step: 1, fsr: 4, minExponent: -11, zeroCode: true }
 * ```
 */
export function encodeLogActivation(stats: ActivationStats, o: ResolvedLogQuantOptions, info: TensorPlanInfo): LogEncoding {
  const signed = o.activationSigned === 'auto' ? stats.range.min < 0 : o.activationSigned;
  const magnitudeBits = o.activationBits ?? info.bits;
  const bits = magnitudeBits + (signed ? 1 : 0);
  if (!(Number.isInteger(magnitudeBits) && magnitudeBits >= 1 && magnitudeBits <= 8)) {
    throw new QuantforgeError('QF_QUANTIZE', `logquant activation ${info.name}: ${magnitudeBits} magnitude bits are not 1–8`, { details: { tensor: info.name, bits: magnitudeBits } });
  }
  const step = logStep(o.base);
  const levels = magnitudeLevels(bits, signed);
  const maxAbs = signed ? Math.max(Math.abs(stats.range.min), Math.abs(stats.range.max)) : Math.max(0, stats.range.max);
  const top = fsrForMax(maxAbs, step);
  if (o.fsr === 'max') return logQuantEncoding(bits, signed, step, top);
  if (stats.state.kind !== 'log-histogram') {
    throw new QuantforgeError('QF_CALIBRATION', `logquant fsr search for ${info.name} needs a log-histogram state, got ${stats.state.kind}`, {
      details: { tensor: info.name, state: stats.state.kind }, hint: "Calibrate with the plan's request (calibrator 'log-histogram')",
    });
  }
  return logQuantEncoding(bits, signed, step, searchFsr(histogramSample(stats.state), levels, step, top, o.searchOctaves));
}
