import { describe, expect, it } from 'vitest';
import { createLogHistogram, createObserver, dequantize, quantizeWith, sqnr, type ActivationStats, type LogEncoding, type LogHistogramState } from '@quantforge/core';
import { gaussian, quantInfo } from '@quantforge/testing';
import { encodeWeightedEntropyActivation, searchLogLadder, weightedEntropyActivationRequest } from '../src/activations.js';
import { resolveWeightedEntropyOptions, type WeightedEntropyOptions } from '../src/options.js';
import { weightedEntropyScheme } from '../src/scheme.js';

const actInfo = quantInfo({ name: 'act', role: 'activation', consumers: [], granularity: 'per-tensor', axis: undefined, bits: 4 });

function histogram(x: Float32Array, options = {}): LogHistogramState {
  const obs = createObserver('log-histogram', options);
  const s = obs.init('act');
  obs.observe(s, x, [x.length]);
  return s;
}

function encode(x: Float32Array, options: WeightedEntropyOptions): LogEncoding {
  const o = resolveWeightedEntropyOptions(options);
  const request = weightedEntropyActivationRequest(o, actInfo);
  const state = histogram(x);
  const stats: ActivationStats = { range: { min: state.min, max: state.max }, request, state };
  return encodeWeightedEntropyActivation(stats, o, actInfo);
}

// Squared error of a ladder on the bins' geometric centres, bin by bin, as the reference for the prefix-sum form.
function histogramError(h: LogHistogramState, levels: number, step: number, minE: number): number {
  let err = 0;
  h.counts.forEach((c, k) => {
    if (c === 0) return;
    const l = h.minLog2 + (k + 0.5) / h.binsPerOctave;
    const v = 2 ** l;
    const j = Math.floor((l - minE) / step + 0.5);
    const q = j < 0 ? 0 : 2 ** (minE + Math.min(j, levels - 1) * step);
    err += c * (v - q) ** 2;
  });
  return err;
}

// Park's S = −Σ rⱼ pⱼ ln pⱼ bin by bin: each bin counts in the level its centre rounds to.
function parkEntropy(h: LogHistogramState, levels: number, step: number, minE: number): number {
  const n = new Float64Array(levels);
  let total = 0;
  h.counts.forEach((c, k) => {
    total += c;
    const j = Math.floor((h.minLog2 + (k + 0.5) / h.binsPerOctave - minE) / step + 0.5);
    if (c > 0 && j >= 0) n[Math.min(j, levels - 1)]! += c;
  });
  let s = 0;
  n.forEach((c, j) => {
    if (c > 0) s -= 2 ** (minE + j * step) * (c / total) * Math.log(c / total);
  });
  return s;
}

const relu = gaussian([30000], 21).data.map((v) => Math.max(0, v) * 3);

describe('weighted-entropy activations', () => {
  it('asks calibration for the log histogram', () => {
    expect(weightedEntropyScheme.statsFor('activation', actInfo, {})).toEqual({ observer: 'log-histogram', options: {}, finalize: { bits: 4, signed: false, symmetric: false, narrowRange: false } });
    expect(weightedEntropyScheme.statsFor('weight', quantInfo(), {})).toBeNull();
  });

  it('searches Park\'s grid: steps of h/8 octaves, exponents on the 1/16-octave bins', () => {
    for (const objective of ['entropy', 'error'] as const) {
      const e = encode(relu, { activationObjective: objective });
      expect(e).toMatchObject({ kind: 'log', bits: 4, signed: false, zeroCode: true });
      expect(Number.isInteger(e.step * 8) && e.step >= 1 / 8 && e.step <= 2).toBe(true);
      expect(Number.isInteger(e.minExponent * 16)).toBe(true);
      expect(e.fsr).toBeCloseTo(e.minExponent + 15 * e.step, 12);
    }
  });

  it('minimises the histogram error over every ladder of the grid (error objective)', () => {
    const h = histogram(relu);
    const found = searchLogLadder(h, 3, 'error');
    expect(found.score).toBeCloseTo(histogramError(h, 3, found.step, found.minExponent), 6);
    for (const step of [0.25, 0.5, 1, 2]) {
      for (let m = -64; m <= 32; m++) expect(found.score).toBeLessThanOrEqual(histogramError(h, 3, step, m / 16) * (1 + 1e-9));
    }
  });

  it('maximises Park\'s weighted entropy (entropy objective), spreading values over the levels', () => {
    const h = histogram(relu);
    const found = searchLogLadder(h, 7, 'entropy');
    expect(found.score).toBeCloseTo(parkEntropy(h, 7, found.step, found.minExponent), 9);
    for (const step of [0.125, 0.5, 1, 1.5, 2]) {
      for (let m = -96; m <= 32; m++) expect(found.score).toBeGreaterThanOrEqual(parkEntropy(h, 7, step, m / 16) * (1 - 1e-9));
    }
    const sq = (e: LogEncoding) => sqnr(relu, dequantize(quantizeWith(e, relu, [relu.length])));
    const byEntropy = sq(encode(relu, { activationBits: 3 }));
    const byError = sq(encode(relu, { activationBits: 3, activationObjective: 'error' }));
    console.log(`3-bit ReLU activations: SQNR entropy objective ${byEntropy.toFixed(2)} dB, error objective ${byError.toFixed(2)} dB`);
    expect(byError).toBeGreaterThanOrEqual(byEntropy - 0.05);
    expect(byEntropy).toBeGreaterThan(5);
  });

  it('adds a sign bit when calibration saw negative values, and refuses more than 8 bits from the plan', () => {
    expect(encode(gaussian([5000], 22).data, { activationBits: 3 })).toMatchObject({ signed: true, bits: 4 });
    const o = resolveWeightedEntropyOptions();
    const state = histogram(relu);
    const stats: ActivationStats = { range: { min: 0, max: state.max }, request: weightedEntropyActivationRequest(o, actInfo), state };
    expect(() => encodeWeightedEntropyActivation(stats, o, { ...actInfo, bits: 16 })).toThrow(expect.objectContaining({ code: 'QF_QUANTIZE' }));
  });

  it('skips steps the histogram grid cannot resolve and handles an empty histogram', () => {
    const coarse = histogram(relu, { binsPerOctave: 8 });
    expect((searchLogLadder(coarse, 3, 'error').step * 4) % 1).toBe(0);
    expect(searchLogLadder(createLogHistogram('x'), 3, 'entropy')).toMatchObject({ levels: 3, score: 0 });
    // Three bins per octave only resolve the half-step of h = 16: step 2.
    expect(searchLogLadder(histogram(relu, { binsPerOctave: 3 }), 3, 'error').step).toBe(2);
  });

  it('refuses statistics that are not a log histogram', () => {
    const o = resolveWeightedEntropyOptions();
    const obs = createObserver('minmax');
    const state = obs.init('act');
    obs.observe(state, relu, [relu.length]);
    const stats: ActivationStats = { range: { min: 0, max: 1 }, request: { observer: 'minmax', options: {}, finalize: { bits: 4, signed: false, symmetric: false } }, state };
    expect(() => encodeWeightedEntropyActivation(stats, o, actInfo)).toThrow(expect.objectContaining({ code: 'QF_CALIBRATION' }));
  });
});
