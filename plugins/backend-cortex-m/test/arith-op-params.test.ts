// Per-op parameter derivation (§1.4) and the CMSIS-NN spellings of the requantization primitives (§3.1).
import { describe, expect, it } from 'vitest';
import {
  activationRange,
  addParams,
  convPerChannelMultipliers,
  logisticTanhParams,
  mulMultiplier,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
} from '../src/arith/index.js';
import { rng, intIn } from './random.js';


describe('CMSIS-NN arm_nn_requantize forms equal TFLite MBQM', () => {
  // arm_nn_requantize default: divide_by_pow2(dhm_no_sat(val·2^L, M), R); single: r = (val·M) >> (total − 1); (r + 1) >> 1.
  const dhmNoSat = (a: bigint, b: bigint): bigint => (a * b + (1n << 30n)) >> 31n;
  const cmsisDivPow2 = (d: number, e: number): number => {
    const mask = e === 0 ? 0 : 2 ** e - 1;
    let r = d >> e;
    const rem = Number(BigInt(d) & BigInt(mask));
    let thr = Math.floor(mask / 2);
    if (r < 0) thr++;
    if (rem > thr) r++;
    return r;
  };
  it('on 5000 random (acc ∈ ±2^24, M ∈ [2^30, 2^31), shift ∈ [−31, 0]) per build', () => {
    const r = rng(81);
    for (let i = 0; i < 5000; i++) {
      const acc = intIn(r, -(2 ** 24), 2 ** 24);
      const m = intIn(r, 2 ** 30, 2 ** 31 - 1);
      const shift = intIn(r, -31, 0);
      const dbl = cmsisDivPow2(Number(dhmNoSat(BigInt(acc), BigInt(m))), -shift);
      expect(multiplyByQuantizedMultiplier(acc, m, shift, 'double')).toBe(dbl);
      const total = BigInt(31 - shift);
      const single = Number((BigInt.asIntN(32, (BigInt(acc) * BigInt(m)) >> (total - 1n)) + 1n) >> 1n);
      expect(multiplyByQuantizedMultiplier(acc, m, shift, 'single')).toBe(single);
      if (-shift <= 31) expect(roundingDivideByPOT(acc, -shift)).toBe(cmsisDivPow2(acc, -shift));
    }
  });
});

describe('per-op derivation', () => {
  it('conv multipliers are computed per channel in double, a single filter scale broadcasts', () => {
    const q = convPerChannelMultipliers(0.5, [0.25, 0.125], 0.5);
    expect(Array.from(q.multipliers)).toEqual([1073741824, 1073741824]);
    expect(Array.from(q.shifts)).toEqual([-1, -2]);
    const b = convPerChannelMultipliers(0.02, [0.005], 0.05, { channels: 3 });
    expect(Array.from(b.multipliers)).toEqual([1099511562, 1099511562, 1099511562]);
    const r = rng(82);
    for (let i = 0; i < 200; i++) {
      const si = Math.fround(r() * 0.1 + 1e-4), sw = Math.fround(r() * 0.01 + 1e-5), so = Math.fround(r() * 0.5 + 1e-3);
      const got = convPerChannelMultipliers(si, [sw], so);
      expect({ multiplier: got.multipliers[0], shift: got.shifts[0] }).toEqual(quantizeMultiplier((si * sw) / so));
    }
    expect(() => convPerChannelMultipliers(0.1, [0.1, 0.2], 0.1, { channels: 3 })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
    expect(() => convPerChannelMultipliers(0, [0.1], 0.1)).toThrow(/inputScale/);
  });
  it('MUL multiplier is s1·s2/so in double', () => {
    expect(mulMultiplier(0.5, 0.5, 0.25)).toEqual({ multiplier: 1073741824, shift: 1 });
    const f = Math.fround;
    expect(mulMultiplier(0.1, 0.3, 0.07)).toEqual(quantizeMultiplier((f(0.1) * f(0.3)) / f(0.07)));
  });
  it('ADD parameters have shifts ≤ 0 and offsets −zp / +zp; leftShift 15 for int16', () => {
    const p = addParams({ scale: 0.3, zeroPoint: -7 }, { scale: 0.05, zeroPoint: 9 }, { scale: 0.2, zeroPoint: 1 });
    expect(p.input1Shift).toBeLessThanOrEqual(0);
    expect(p.input2Shift).toBeLessThanOrEqual(0);
    expect(p.outputShift).toBeLessThanOrEqual(0);
    expect([p.input1Offset, p.input2Offset, p.outputOffset]).toEqual([7, -9, 1]);
    expect(p.input1Multiplier).toBe(1073741824); // the larger scale gives exactly 0.5
    expect(addParams({ scale: 0.1, zeroPoint: 0 }, { scale: 0.1, zeroPoint: 0 }, { scale: 0.1, zeroPoint: 0 }, { leftShift: 15 }).leftShift).toBe(15);
  });
  it('activation ranges round f/scale (float32) half away from zero and intersect with the type range', () => {
    expect(activationRange('none', 0.1, 5)).toEqual({ min: -128, max: 127 });
    expect(activationRange('relu', 0.1, 5)).toEqual({ min: 5, max: 127 });
    expect(activationRange('relu6', 0.05, -128)).toEqual({ min: -128, max: -8 });
    expect(activationRange('relu6', 0.01, 0)).toEqual({ min: 0, max: 127 });
    expect(activationRange('relu_n1_to_1', 1 / 64, 3)).toEqual({ min: -61, max: 67 });
    // 6 / 0.48f lands on 12.5 exactly in float32 → 13 (ties away), where round-half-even would give 12.
    const s = Math.fround(0.48);
    expect(Math.fround(6 / s)).toBe(12.5);
    expect(activationRange('relu6', 0.48, 0)).toEqual({ min: 0, max: 13 });
    expect(activationRange('relu_n1_to_1', 0.48, 0).min).toBe(-2);
  });
  it('logistic/tanh parameters skip the 2^31 fix-up and report the radius', () => {
    const p = logisticTanhParams(0.1, -3);
    expect(p.inputLeftShift).toBe(24); // 0.1·2^27 ≈ 1.34e7 = 0.8·2^24
    expect(p.inputMultiplier).toBe(Math.round(Math.fround(0.1) * 2 ** 27 / 2 ** 24 * 2 ** 31));
    expect(p.inputRangeRadius).toBe(Math.floor((15 * 2 ** 27) / 2 ** 24));
    expect(p.inputZeroPoint).toBe(-3);
  });
});
