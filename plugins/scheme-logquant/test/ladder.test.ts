import { describe, expect, it } from 'vitest';
import { dequantize, quantizeWith } from '@quantforge/core';
import { fsrForMax, ladderError, logQuantEncoding, logStep, magnitudeLevels, searchFsr } from '../src/ladder.js';

// Miyashita's LogQuant written out directly, as the reference for the mapping onto LogEncoding.
function miyashita(x: number, bits: number, fsr: number): number {
  if (x === 0) return 0;
  const r = Math.round(Math.log2(Math.abs(x)));
  const clipped = r <= fsr - 2 ** bits ? null : r >= fsr ? fsr - 1 : r;
  return clipped === null ? 0 : Math.sign(x) * 2 ** clipped;
}

describe('the LogQuant ladder', () => {
  it('counts levels as Miyashita does: 2^b − 1 non-zero exponents, one bit less when signed', () => {
    expect(magnitudeLevels(3, false)).toBe(7);
    expect(magnitudeLevels(4, true)).toBe(7);
    expect(magnitudeLevels(2, true)).toBe(1);
    expect(logStep(2)).toBe(1);
    expect(logStep('sqrt2')).toBe(0.5);
  });

  it('maps Miyashita\'s clip(round(log2|x|), FSR − 2^b, FSR) onto a LogEncoding exactly', () => {
    const e = logQuantEncoding(3, false, 1, 0);
    expect(e).toEqual({ kind: 'log', bits: 3, signed: false, step: 1, fsr: 0, minExponent: -7, zeroCode: true });
    // Away from the log-domain ties (Math.round and core's half-away rounding differ only there).
    const xs = [0, 3, 1.2, 0.7, 0.5, 0.3, 0.1, 0.03, 0.011, 0.0078, 0.0061, 0.005, 0.003, 1e-6];
    const back = dequantize(quantizeWith(e, Float32Array.from(xs), [xs.length]));
    expect(Array.from(back)).toEqual(xs.map((x) => Math.fround(miyashita(x, 3, 0))));
  });

  it('rounds in the log domain: the threshold between 2^k and 2^(k+1) is √2·2^k', () => {
    const e = logQuantEncoding(4, false, 1, 2);
    const back = dequantize(quantizeWith(e, Float32Array.of(1.41, 1.42, 1.5), [3]));
    expect(Array.from(back)).toEqual([1, 2, 2]);
  });

  it('puts the largest magnitude on the level it rounds to', () => {
    expect(fsrForMax(0.9, 1)).toBe(1);
    expect(fsrForMax(1.5, 1)).toBe(2);
    expect(fsrForMax(1.3, 0.5)).toBe(1);
    expect(fsrForMax(0, 1)).toBe(1);
    for (const [max, step] of [[0.9, 1], [3.3, 0.5], [0.013, 1], [7e3, 0.5]] as const) {
      const e = logQuantEncoding(4, true, step, fsrForMax(max, step));
      const top = 2 ** (e.fsr - step);
      expect(Math.abs(Math.log2(max) - Math.log2(top))).toBeLessThanOrEqual(step / 2 + 1e-12);
    }
  });

  it('scores a ladder by the squared error of core\'s rounding and finds the best fsr', () => {
    const xs = [0.3, 0.02, 0.5, 0.0];
    const sample = { magnitude: xs, log2: xs.map((x) => (x === 0 ? -Infinity : Math.log2(x))) };
    const e = logQuantEncoding(2, false, 1, 0);
    const back = dequantize(quantizeWith(e, Float32Array.from(xs), [4]));
    const direct = xs.reduce((s, x, i) => s + (x - back[i]!) ** 2, 0);
    expect(ladderError(sample, 3, 1, 0)).toBeCloseTo(direct, 7);
    const best = searchFsr(sample, 3, 1, 0, 6);
    for (let f = 0; f >= -6; f--) expect(ladderError(sample, 3, 1, best)).toBeLessThanOrEqual(ladderError(sample, 3, 1, f));
  });
});
