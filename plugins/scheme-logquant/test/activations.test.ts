import { describe, expect, it } from 'vitest';
import { createObserver, dequantize, quantizeWith, sqnr, type ActivationStats, type LogEncoding, type StatRequest } from '@quantforge/core';
import { gaussian, quantInfo } from '@quantforge/testing';
import { encodeLogActivation, logActivationRequest } from '../src/activations.js';
import { resolveLogQuantOptions, type LogQuantOptions } from '../src/options.js';
import { logQuantScheme } from '../src/scheme.js';

const actInfo = quantInfo({ name: 'act', role: 'activation', consumers: [], granularity: 'per-tensor', axis: undefined, bits: 4 });

function calibrate(x: Float32Array, request: StatRequest): ActivationStats {
  const obs = createObserver(request.observer, request.options);
  const state = obs.init('act');
  obs.observe(state as never, x, [x.length]);
  return { range: obs.finalize(state as never, request.finalize), request, state };
}

function encode(x: Float32Array, options: LogQuantOptions): LogEncoding {
  const o = resolveLogQuantOptions(options);
  return encodeLogActivation(calibrate(x, logActivationRequest(o, actInfo)), o, actInfo);
}

const relu = gaussian([20000], 11).data.map((v) => Math.max(0, v));

describe('LogQuant activations', () => {
  it('asks for min/max by default and for the log histogram when the fsr is searched', () => {
    expect(logQuantScheme.statsFor('activation', actInfo, {})).toEqual({ observer: 'minmax', options: {}, finalize: { bits: 4, signed: false, symmetric: false, narrowRange: false } });
    expect(logQuantScheme.statsFor('activation', actInfo, { fsr: 'search' })?.observer).toBe('log-histogram');
    expect(logQuantScheme.statsFor('weight', quantInfo(), {})).toBeNull();
  });

  it('gives ReLU outputs an unsigned ladder whose top level holds the maximum', () => {
    const e = encode(relu, {});
    const max = Math.max(...relu);
    expect(e).toMatchObject({ kind: 'log', bits: 4, signed: false, step: 1, zeroCode: true });
    expect(e.fsr - e.minExponent).toBe(15);
    expect(Math.abs(e.fsr - 1 - Math.log2(max))).toBeLessThanOrEqual(0.5);
  });

  it('adds a sign bit when calibration saw negative values, unless told otherwise', () => {
    const x = gaussian([4000], 12).data;
    expect(encode(x, {})).toMatchObject({ signed: true, bits: 5 });
    expect(encode(x, { activationSigned: false })).toMatchObject({ signed: false, bits: 4 });
  });

  it('searches on the log histogram the fsr that is best on the data itself', () => {
    const heavy = relu.map((v, i) => (i % 997 === 0 ? v * 40 : v));
    const q = (e: LogEncoding) => sqnr(heavy, dequantize(quantizeWith(e, heavy, [heavy.length])));
    for (const activationBits of [2, 3]) {
      // Few levels, so the range decides what the ladder covers.
      const max = encode(heavy, { activationBits });
      const searched = encode(heavy, { activationBits, fsr: 'search' });
      if (activationBits === 2) expect(searched.fsr).toBeLessThan(max.fsr);
      expect(q(searched)).toBeGreaterThanOrEqual(q(max));
      let best = -Infinity;
      for (let k = 0; k <= 8; k++) best = Math.max(best, q({ ...max, fsr: max.fsr - k, minExponent: max.minExponent - k }));
      expect(q(searched)).toBeGreaterThan(best - 0.05);
    }
    expect(encode(heavy, { fsr: 'search', base: 'sqrt2' }).step).toBe(0.5);
  });

  it('refuses a plan width beyond 8 magnitude bits', () => {
    const o = resolveLogQuantOptions();
    const wide = { ...actInfo, bits: 16 };
    expect(() => encodeLogActivation(calibrate(relu, logActivationRequest(o, wide)), o, wide)).toThrow(expect.objectContaining({ code: 'QF_QUANTIZE' }));
  });

  it('refuses an fsr search on min/max statistics', () => {
    const o = resolveLogQuantOptions({ fsr: 'search' });
    const stats = calibrate(relu, { observer: 'minmax', options: {}, finalize: { bits: 4, signed: false, symmetric: false } });
    expect(() => encodeLogActivation(stats, o, actInfo)).toThrow(expect.objectContaining({ code: 'QF_CALIBRATION' }));
  });
});
