import { roundHalfAway, type LogEncoding } from '@quantforge/core';

/**
 * log2 of the ladder's base: 1 for base 2, 0.5 for √2 (LogEncoding's `step`).
 *
 * @example
 * ```ts
 * logStep('sqrt2'); // 0.5
 * ```
 */
export function logStep(base: 2 | 'sqrt2'): number {
  return base === 2 ? 1 : 0.5;
}

/**
 * Non-zero magnitude levels of a b-bit LogQuant code with a zero code: `2^b − 1` unsigned, `2^(b−1) − 1` when one bit
 * is the sign (Miyashita's exponents FSR − 2^b + 1 … FSR − 1).
 *
 * @example
 * ```ts
 * magnitudeLevels(3, false); // 7
 * magnitudeLevels(4, true); // 7
 * ```
 */
export function magnitudeLevels(bits: number, signed: boolean): number {
  return 2 ** (bits - (signed ? 1 : 0)) - 1;
}

/**
 * The full-scale range whose top level `2^(fsr − step)` is the level `maxAbs` rounds to in the log domain, so the
 * largest magnitude is not clipped by a whole step. An all-zero tensor (maxAbs ≤ 0) gets `step` (any ladder keeps zeros
 * exact).
 *
 * @example
 * ```ts
 * fsrForMax(0.9, 1); // 1: top level 2^0 = 1
 * ```
 */
export function fsrForMax(maxAbs: number, step: number): number {
  if (!(maxAbs > 0)) return step;
  return step * roundHalfAway(Math.log2(maxAbs) / step) + step;
}

/**
 * Builds the LogEncoding of a ladder: `levels` non-zero levels ending one step below `fsr`, zero code on.
 *
 * @example
 * ```ts
 * logQuantEncoding(3, false, 1, 0); // { kind: 'log', bits: 3, signed: false, step: 1, fsr: 0, minExponent: -7, zeroCode: true }
 * ```
 */
export function logQuantEncoding(bits: number, signed: boolean, step: number, fsr: number, channel?: { channelFsr: Float32Array; axis: number }): LogEncoding {
  const e: LogEncoding = { kind: 'log', bits, signed, step, fsr, minExponent: fsr - magnitudeLevels(bits, signed) * step, zeroCode: true };
  if (channel !== undefined) {
    e.channelFsr = channel.channelFsr;
    e.axis = channel.axis;
  }
  return e;
}

/** Magnitudes to score, with their log2 and an optional weight (a histogram bin's count). */
export interface MagnitudeSample {
  magnitude: ArrayLike<number>;
  log2: ArrayLike<number>;
  weight?: ArrayLike<number>;
}

/**
 * Squared error of the LogQuant ladder with `levels` levels, log step `step` and full-scale range `fsr` over the
 * samples, with the same log-domain rounding as core's `quantizeWith` (half away from zero, below the ladder → 0).
 *
 * @example
 * ```ts
 * ladderError({ magnitude: [0.3], log2: [Math.log2(0.3)] }, 7, 1, 0); // (0.3 − 0.25)²
 * ```
 */
export function ladderError(s: MagnitudeSample, levels: number, step: number, fsr: number, from = 0, to = s.magnitude.length): number {
  const minE = fsr - levels * step;
  const table = new Float64Array(levels);
  for (let j = 0; j < levels; j++) table[j] = 2 ** (minE + j * step);
  const inv = 1 / step;
  const { magnitude, log2, weight } = s;
  let err = 0;
  for (let i = from; i < to; i++) {
    const a = magnitude[i]!;
    if (a === 0) continue;
    const j = roundHalfAway((log2[i]! - minE) * inv);
    const d = j < 0 ? a : a - table[j >= levels ? levels - 1 : j]!;
    err += weight === undefined ? d * d : weight[i]! * d * d;
  }
  return err;
}

/**
 * The full-scale range with the least squared error among `top`, `top − step`, … down `octaves` octaves (the first
 * one wins ties, so a flat error keeps the max-derived range).
 *
 * @example
 * ```ts
 * searchFsr(sample, 7, 1, fsrForMax(max, 1), 8);
 * ```
 */
export function searchFsr(s: MagnitudeSample, levels: number, step: number, top: number, octaves: number, from = 0, to = s.magnitude.length): number {
  const candidates = Math.round(octaves / step);
  let best = top;
  let bestErr = ladderError(s, levels, step, top, from, to);
  for (let k = 1; k <= candidates; k++) {
    const fsr = top - k * step;
    const err = ladderError(s, levels, step, fsr, from, to);
    if (err < bestErr) {
      bestErr = err;
      best = fsr;
    }
  }
  return best;
}
