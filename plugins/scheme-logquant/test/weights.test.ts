import { describe, expect, it } from 'vitest';
import { affineEncoding, dequantize, quantizeWith, sqnr, tensor, tensorRange, type LogEncoding } from '@quantforge/core';
import { f32, gaussian, laplace, quantInfo } from '@quantforge/testing';
import { binChannels, binnedError } from '../src/binned.js';
import { ladderError, logQuantEncoding } from '../src/ladder.js';
import { resolveLogQuantOptions, type LogQuantOptions } from '../src/options.js';
import { quantizeLogWeight } from '../src/weights.js';

const perTensor = quantInfo({ granularity: 'per-tensor', axis: undefined });
const quantize = (t: Parameters<typeof quantizeLogWeight>[0], o: LogQuantOptions, info = perTensor) => quantizeLogWeight(t, resolveLogQuantOptions(o), info);

/** The best symmetric uniform quantizer of the same bits: clipping searched on a fine grid (a strong baseline). */
function bestUniform(x: Float32Array, bits: number): number {
  const amax = tensorRange(x).max;
  let best = -Infinity;
  for (let f = 1; f >= 0.1; f -= 0.02) {
    const e = affineEncoding({ min: -amax * f, max: amax * f }, { bits, signed: true, symmetric: true, narrowRange: true });
    best = Math.max(best, sqnr(x, dequantize(quantizeWith(e, x, [x.length]))));
  }
  return best;
}

describe('LogQuant weights', () => {
  it('keeps zero exact and signs, with every value a power of two', () => {
    const w = f32([2, 3], [0, -0.3, 0.7, 1.9, -0.004, 0.05]);
    const q = quantize(w, { bits: 4 });
    const e = q.encoding as LogEncoding;
    expect(e).toMatchObject({ kind: 'log', bits: 4, signed: true, step: 1, fsr: 2, minExponent: -5, zeroCode: true });
    expect(Array.from(dequantize(q))).toEqual([0, -0.25, 0.5, 2, 0, 0.0625]);
    expect(q.codes?.dtype).toBe('int8');
  });

  it('takes the plan\'s bits unless the options set them', () => {
    const w = gaussian([8, 8], 3);
    expect((quantize(w, {}, quantInfo({ bits: 5, granularity: 'per-tensor', axis: undefined })).encoding as LogEncoding).bits).toBe(5);
    expect(() => quantize(w, {}, quantInfo({ bits: 12 }))).toThrow(expect.objectContaining({ code: 'QF_QUANTIZE' }));
  });

  it('builds the √2 ladder in half-octave steps', () => {
    // 1.41 rounds to √2 (the top level); 0.5 is half a step below the lowest level 2^-0.5, so it goes to zero.
    const w = f32([5], [1, 1.41, 0.7, -0.6, -0.5]);
    const q = quantize(w, { bits: 3, base: 'sqrt2' });
    expect(q.encoding).toMatchObject({ step: 0.5, fsr: 1, minExponent: -0.5 });
    const back = Array.from(dequantize(q));
    expect(back).toEqual([1, Math.SQRT2, Math.SQRT1_2, -Math.SQRT1_2, -0].map((v) => expect.closeTo(v, 6)));
  });

  it('searches an fsr at least as good as the max-derived one, and better where clipping pays', () => {
    for (const [name, t] of [['gaussian', gaussian([256, 256], 5)], ['laplace', laplace([256, 256], 6)]] as const) {
      for (const bits of [2, 3, 4]) {
        const x = t.data;
        const max = sqnr(x, dequantize(quantize(t, { bits })));
        const searched = sqnr(x, dequantize(quantize(t, { bits, fsr: 'search' })));
        expect(searched, `${name} ${bits} bits`).toBeGreaterThanOrEqual(max);
        if (bits === 2) expect(searched, name).toBeGreaterThan(max + 3);
      }
    }
  });

  it('measures LogQuant against uniform quantization on Gaussian and Laplace weights', () => {
    const rows: string[] = [];
    for (const [name, t] of [['gaussian', gaussian([256, 256], 5)], ['laplace', laplace([256, 256], 7)]] as const) {
      for (const bits of [2, 3, 4]) {
        const x = t.data;
        const cell = (o: LogQuantOptions) => sqnr(x, dequantize(quantize(t, { bits, ...o }))).toFixed(2);
        rows.push(`${name} ${bits}b  uniform(best clip) ${bestUniform(x, bits).toFixed(2)}  log max ${cell({})}  log search ${cell({ fsr: 'search' })}  √2 search ${cell({ fsr: 'search', base: 'sqrt2' })}`);
      }
    }
    console.log(rows.join('\n'));
    // On heavy-tailed Laplace weights a searched power-of-two ladder (shift-only arithmetic) comes within half a dB of
    // the best-clipped uniform grid at 3 bits, and far above the min/max uniform grid.
    const t = laplace([256, 256], 7);
    const log = sqnr(t.data, dequantize(quantize(t, { bits: 3, fsr: 'search' })));
    const minmax = affineEncoding(tensorRange(t.data), { bits: 3, signed: true, symmetric: true, narrowRange: true });
    expect(log).toBeGreaterThan(bestUniform(t.data, 3) - 0.5);
    expect(log).toBeGreaterThan(sqnr(t.data, dequantize(quantizeWith(minmax, t.data, [t.data.length]))) + 5);
  });

  it('scores binned candidates exactly like the element-wise error', () => {
    const t = laplace([4096], 8);
    const x = t.data;
    const mags = Array.from(x, Math.abs);
    const sample = { magnitude: mags, log2: mags.map((a) => (a === 0 ? -Infinity : Math.log2(a))) };
    const b = binChannels(x, [x.length], undefined, Float64Array.of(-40), 48);
    for (const [levels, step, fsr] of [[7, 1, 3], [3, 1, 1], [15, 0.5, 2.5], [1, 1, 0]] as const) {
      expect(binnedError(b, 0, levels, step, fsr)).toBeCloseTo(ladderError(sample, levels, step, fsr), 6);
    }
  });

  it('gives each channel its own fsr (channelFsr) and gains on channels of different scales', () => {
    const dims = [4, 512];
    const base = gaussian(dims, 9).data;
    const x = base.map((v, i) => v * 8 ** Math.floor(i / 512));
    const t = tensor('float32', dims, x);
    const per = quantize(t, { bits: 4, perChannel: true }, quantInfo());
    const e = per.encoding as LogEncoding;
    expect(e.axis).toBe(0);
    expect(Array.from(e.channelFsr!)).toEqual([0, 3, 6, 9].map((d) => d + (e.channelFsr![0]!)));
    expect(e.fsr).toBe(Math.max(...e.channelFsr!));
    const whole = quantize(t, { bits: 4 });
    // Per channel only the small channels gain, whose share of the signal is small; compare them directly.
    const first = (a: Float32Array) => a.subarray(0, 512);
    expect(sqnr(first(x), first(dequantize(per)))).toBeGreaterThan(sqnr(first(x), first(dequantize(whole))) + 10);
    const alongLast = quantize(t, { bits: 4, perChannel: true, axis: -1 }, quantInfo());
    expect((alongLast.encoding as LogEncoding).channelFsr).toHaveLength(512);
  });

  it('rejects non-finite and non-float weights with coded errors', () => {
    expect(() => quantize(f32([2], [1, Number.NaN]), {})).toThrow(expect.objectContaining({ code: 'QF_NAN_WEIGHTS' }));
    expect(() => quantize(tensor('int8', [2], Int8Array.of(1, 2)), {})).toThrow(expect.objectContaining({ code: 'QF_DTYPE_UNSUPPORTED' }));
  });

  it('quantizes an all-zero tensor to exact zeros', () => {
    const q = quantize(f32([3], [0, 0, 0]), { bits: 3, fsr: 'search' });
    expect(Array.from(dequantize(q))).toEqual([0, 0, 0]);
  });

  it('matches the encoding builder for the max rule', () => {
    const t = gaussian([64], 10);
    const q = quantize(t, { bits: 5 });
    expect(q.encoding).toEqual(logQuantEncoding(5, true, 1, (q.encoding as LogEncoding).fsr));
  });
});
