// Pooling (§9.4 rounding vectors + random references), softmax, logistic and tanh.
import { describe, expect, it } from 'vitest';
import {
  expOnNegativeValues,
  getReciprocal,
  logisticFixedPoint,
  logisticTanhParams,
  oneMinusXOverOnePlusX,
  oneOverOnePlusX,
  softmaxParams,
  tanhFixedPoint,
} from '../src/arith/index.js';
import { avgPoolRound, avgPoolS8, logisticS8, maxPoolS8, softmaxS8, tanhS8 } from '../src/kernels/index.js';
import { rng, intIn, randI8 } from './random.js';


describe('§9.4 AveragePool rounding vectors', () => {
  const rows: Array<[number, number, number]> = [
    [5, 2, 3],
    [-5, 2, -3],
    [7, 4, 2],
    [-7, 4, -2],
    [6, 4, 2],
    [-6, 4, -2],
    [3, 9, 0],
  ];
  it.each(rows)('avgPoolRound(%i, %i) = %i', (acc, count, want) => {
    expect(avgPoolRound(acc, count)).toBe(want);
  });
  it.each(rows.filter(([, count]) => count === 2 || count === 4))('avgPoolS8 reproduces (%i, %i) → %i through the kernel', (acc, count, want) => {
    // A 1×count window over values summing to acc.
    const values = Array.from({ length: count }, (_, i) => (i === 0 ? acc - (count - 1) * Math.sign(acc) : Math.sign(acc)));
    const out = avgPoolS8({
      input: Int8Array.from(values), inputDims: { n: 1, h: 1, w: count, c: 1 }, filter: { h: 1, w: count },
      stride: { h: 1, w: 1 }, padding: { h: 0, w: 0 }, outputDims: { n: 1, h: 1, w: 1, c: 1 }, activation: { min: -128, max: 127 },
    });
    expect(Array.from(out)).toEqual([want]);
  });
});

describe('avgPoolS8 / maxPoolS8 random', () => {
  it('match an explicit-window reference with padding (only in-image taps counted) on 100 cases', () => {
    const r = rng(41);
    for (let t = 0; t < 100; t++) {
      const dims = { n: intIn(r, 1, 2), h: intIn(r, 1, 8), w: intIn(r, 1, 8), c: intIn(r, 1, 4) };
      const filter = { h: intIn(r, 1, 3), w: intIn(r, 1, 3) };
      const stride = { h: intIn(r, 1, 2), w: intIn(r, 1, 2) };
      const padding = { h: intIn(r, 0, filter.h - 1), w: intIn(r, 0, filter.w - 1) };
      const outDims = {
        n: dims.n, c: dims.c,
        h: Math.floor((dims.h + 2 * padding.h - filter.h) / stride.h) + 1,
        w: Math.floor((dims.w + 2 * padding.w - filter.w) / stride.w) + 1,
      };
      if (outDims.h < 1 || outDims.w < 1) continue;
      const input = randI8(r, dims.n * dims.h * dims.w * dims.c);
      const activation = { min: intIn(r, -128, -100), max: intIn(r, 100, 127) };
      const args = { input, inputDims: dims, filter, stride, padding, outputDims: outDims, activation };
      const avg = avgPoolS8(args);
      const mx = maxPoolS8(args);
      for (let b = 0; b < dims.n; b++)
        for (let oy = 0; oy < outDims.h; oy++)
          for (let ox = 0; ox < outDims.w; ox++)
            for (let c = 0; c < dims.c; c++) {
              const taps: number[] = [];
              for (let fy = 0; fy < filter.h; fy++)
                for (let fx = 0; fx < filter.w; fx++) {
                  const y = oy * stride.h - padding.h + fy;
                  const x = ox * stride.w - padding.w + fx;
                  if (y >= 0 && y < dims.h && x >= 0 && x < dims.w) taps.push(input[((b * dims.h + y) * dims.w + x) * dims.c + c]!);
                }
              const sum = taps.reduce((p, v) => p + v, 0);
              // Round half away from zero of sum / count, independent of the C expression.
              const q = (Math.sign(sum) * Math.floor((2 * Math.abs(sum) + taps.length) / (2 * taps.length))) | 0;
              const k = ((b * outDims.h + oy) * outDims.w + ox) * dims.c + c;
              expect(avg[k]).toBe(Math.max(activation.min, Math.min(activation.max, q)));
              expect(mx[k]).toBe(Math.max(activation.min, Math.min(activation.max, Math.max(...taps))));
            }
    }
  });
  it('rejects a window that covers no input pixel', () => {
    expect(() =>
      avgPoolS8({ input: Int8Array.of(1), inputDims: { n: 1, h: 1, w: 1, c: 1 }, filter: { h: 1, w: 1 }, stride: { h: 1, w: 1 },
        padding: { h: 1, w: 1 }, outputDims: { n: 1, h: 2, w: 2, c: 1 }, activation: { min: -128, max: 127 } }),
    ).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });
});

describe('gemmlowp fixed-point transcendentals', () => {
  it('exp_on_negative_values tracks exp within 2^-22 on Q5.26 inputs, is 1 at 0', () => {
    const r = rng(51);
    expect(expOnNegativeValues(0, 5)).toBe(2147483647);
    for (let i = 0; i < 2000; i++) {
      const raw = -intIn(r, 1, 31 * 2 ** 26);
      const got = expOnNegativeValues(raw, 5) / 2 ** 31;
      expect(Math.abs(got - Math.exp(raw / 2 ** 26))).toBeLessThan(2 ** -22);
    }
  });
  it('exp_on_negative_values clamps to 0 below −32 for formats with more than 5 integer bits', () => {
    expect(expOnNegativeValues(-33 * 2 ** 24, 7)).toBe(0);
    expect(expOnNegativeValues(-31 * 2 ** 24, 7)).toBeGreaterThanOrEqual(0);
  });
  it('1/(1+x), (1−x)/(1+x), logistic, tanh track their real functions', () => {
    const r = rng(52);
    for (let i = 0; i < 1000; i++) {
      const x = intIn(r, 0, 2147483647);
      const xf = x / 2 ** 31;
      expect(Math.abs(oneOverOnePlusX(x) / 2 ** 31 - 1 / (1 + xf))).toBeLessThan(2 ** -26);
      expect(Math.abs(oneMinusXOverOnePlusX(x) / 2 ** 31 - (1 - xf) / (1 + xf))).toBeLessThan(2 ** -26);
      const a = intIn(r, -(2 ** 31), 2 ** 31 - 1);
      const af = a / 2 ** 27;
      expect(Math.abs(logisticFixedPoint(a, 4) / 2 ** 31 - 1 / (1 + Math.exp(-af)))).toBeLessThan(2 ** -24);
      expect(Math.abs(tanhFixedPoint(a, 4) / 2 ** 31 - Math.tanh(af))).toBeLessThan(2 ** -23);
    }
    expect(logisticFixedPoint(0, 4)).toBe(1 << 30);
    expect(tanhFixedPoint(0, 4)).toBe(0);
  });
  it('GetReciprocal normalizes the Q12.19 sum and reports bits over unit', () => {
    const r1 = getReciprocal(3 << 19, 12); // 3.0 → 1/1.5 with 1 bit over unit
    expect(r1.bitsOverUnit).toBe(1);
    expect(Math.abs(r1.reciprocal / 2 ** 31 - 2 / 3)).toBeLessThan(2 ** -26);
  });
});

describe('softmaxS8', () => {
  const f32 = Math.fround;
  it('derives TFLite parameters (PreprocessSoftmaxScaling, diff_min)', () => {
    expect(softmaxParams(1, 1 / 16)).toEqual({ inputMultiplier: 1073741824, inputLeftShift: 23, diffMin: -248 });
    // Very large beta·scale hits the cap (2^31 − 1 double build, 2^30 − 1 single build).
    expect(softmaxParams(1, 2 ** 10)).toEqual({ inputMultiplier: 2147483647, inputLeftShift: 31, diffMin: 0 });
    expect(softmaxParams(1, 2 ** 10, 'single')).toEqual({ inputMultiplier: 2147483646, inputLeftShift: 30, diffMin: -1 });
    expect(softmaxParams(1, 1).diffMin).toBe(-15);
  });
  it('tracks float softmax within one output step on 200 random rows, sums ≈ 256, and orders like the input', () => {
    const r = rng(61);
    for (let t = 0; t < 200; t++) {
      const rowSize = intIn(r, 1, 40);
      const scale = f32(0.02 + r() * 0.2);
      const beta = r() < 0.7 ? 1 : f32(0.5 + r());
      const rounding = t % 2 === 0 ? 'double' : 'single';
      const params = softmaxParams(beta, scale, rounding);
      const input = randI8(r, rowSize);
      const out = softmaxS8({ input, numRows: 1, rowSize, params, rounding });
      const max = Math.max(...input);
      const ex = Array.from(input, (x) => (x - max >= params.diffMin ? Math.exp(beta * scale * (x - max)) : 0));
      const total = ex.reduce((p, v) => p + v, 0);
      let sum = 0;
      for (let c = 0; c < rowSize; c++) {
        const want = Math.min(127, Math.round((256 * ex[c]!) / total) - 128);
        expect(Math.abs(out[c]! - want), `row ${t} col ${c}`).toBeLessThanOrEqual(1);
        sum += out[c]! + 128;
        for (let d = 0; d < rowSize; d++) if (input[c]! > input[d]!) expect(out[c]!).toBeGreaterThanOrEqual(out[d]!);
      }
      expect(Math.abs(sum - 256)).toBeLessThanOrEqual(rowSize);
    }
  });
  it('gives −128 below diff_min, handles several rows independently, and long rows (exponent > 31)', () => {
    const params = softmaxParams(1, 1);
    const out = softmaxS8({ input: Int8Array.of(100, 60, 10, 10), numRows: 2, rowSize: 2, params });
    expect(Array.from(out)).toEqual([127, -128, 0, 0]);
    const long = softmaxS8({ input: new Int8Array(1000), numRows: 1, rowSize: 1000, params: softmaxParams(1, 1 / 16) });
    expect(long.every((v) => v === -128)).toBe(true);
    const tie = softmaxS8({ input: new Int8Array(4), numRows: 1, rowSize: 4, params: softmaxParams(1, 1 / 16) });
    expect(Array.from(tie)).toEqual([-64, -64, -64, -64]);
  });
});

describe('logisticS8 / tanhS8', () => {
  it('derive radius and multiplier like TFLM and track the real functions within one step', () => {
    const p = logisticTanhParams(1 / 16, 0);
    expect(p).toEqual({ inputZeroPoint: 0, inputMultiplier: 1073741824, inputLeftShift: 24, inputRangeRadius: 120 });
    const r = rng(71);
    for (let t = 0; t < 20; t++) {
      const scale = Math.fround(0.01 + r() * 0.1);
      const zp = intIn(r, -50, 50);
      const params = logisticTanhParams(scale, zp);
      const input = Int8Array.from({ length: 256 }, (_, i) => i - 128);
      const lg = logisticS8(input, params, t % 2 === 0 ? 'double' : 'single');
      const th = tanhS8(input, params);
      for (let i = 0; i < 256; i++) {
        const x = (input[i]! - zp) * scale;
        expect(Math.abs(lg[i]! - Math.min(127, Math.round(256 / (1 + Math.exp(-x))) - 128))).toBeLessThanOrEqual(1);
        expect(Math.abs(th[i]! - Math.max(-128, Math.min(127, Math.round(128 * Math.tanh(x)))))).toBeLessThanOrEqual(1);
      }
    }
    expect(Array.from(logisticS8(Int8Array.of(0, -128, 127), p))).toEqual([0, -128, 127]);
    expect(Array.from(tanhS8(Int8Array.of(0, -128, 127), p))).toEqual([0, -128, 127]);
  });
});
