// Every fixed-point vector of hardware-arithmetic.md §9.1–§9.3 (and the §1.4 radius values), one test case each.
import { describe, expect, it } from 'vitest';
import {
  calculateInputRadius,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  quantizeMultiplierArray,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../src/arith/index.js';

const P30 = 2 ** 30;
const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

describe('§9.1 QuantizeMultiplier (default build)', () => {
  const vectors: Array<[string, number, number, number]> = [
    ['0.0', 0.0, 0, 0],
    ['0.5', 0.5, 1073741824, 0],
    ['1.0', 1.0, 1073741824, 1],
    ['2.0', 2.0, 1073741824, 2],
    ['0.25', 0.25, 1073741824, -1],
    ['0.125', 0.125, 1073741824, -2],
    ['2^-7', 0.0078125, 1073741824, -6],
    ['2^-8', 0.00390625, 1073741824, -7],
    ['0.75', 0.75, 1610612736, 0],
    ['1/3', 1 / 3, 1431655765, -1],
    ['1/sqrt(2)', 0.7071067811865476, 1518500250, 0],
    ['0.0034566', 0.0034566, 1900285946, -8],
    ['1.9999999999 (2^31 fix-up)', 1.9999999999, 1073741824, 2],
    ['2^-31', 2 ** -31, 1073741824, -30],
    ['2^-32', 2 ** -32, 1073741824, -31],
  ];
  it.each(vectors)('QuantizeMultiplier(%s)', (_label, m, M, shift) => {
    expect(quantizeMultiplier(m)).toEqual({ multiplier: M, shift });
  });
  it('QuantizeMultiplierArray keeps the sign: −0.5 → (−1073741824, 0)', () => {
    const r = quantizeMultiplierArray([-0.5]);
    expect(Array.from(r.multipliers)).toEqual([-1073741824]);
    expect(Array.from(r.shifts)).toEqual([0]);
    expect(quantizeMultiplier(-0.5)).toEqual({ multiplier: -1073741824, shift: 0 });
  });
});

describe('§9.2 SRDHM', () => {
  const vectors: Array<[string, number, number, number]> = [
    ['2^30·2^30', P30, P30, 536870912],
    ['INT32_MIN·INT32_MIN (saturation)', I32_MIN, I32_MIN, 2147483647],
    ['INT32_MAX·INT32_MAX', I32_MAX, I32_MAX, 2147483646],
    ['−2^30·1 (−0.5 → 0)', -P30, 1, 0],
    ['3·2^29·1', 1610612736, 1, 1],
  ];
  it.each(vectors)('SRDHM %s', (_label, a, b, r) => {
    expect(saturatingRoundingDoublingHighMul(a, b)).toBe(r);
  });
  it('SRDHM of the product −3·2^30 (−1.5 → −1); the document writes it as (−3·2^30, 1), which is not an int32 pair', () => {
    // Same 64-bit product with int32 operands: (−3·2^29)·2 and 2·(−3·2^29).
    expect(saturatingRoundingDoublingHighMul(-3 * 2 ** 29, 2)).toBe(-1);
    expect(saturatingRoundingDoublingHighMul(2, -3 * 2 ** 29)).toBe(-1);
    expect(() => saturatingRoundingDoublingHighMul(-3 * P30, 1)).toThrow(/integer in/);
  });
});

describe('§9.2 RoundingDivideByPOT', () => {
  const vectors: Array<[number, number, number]> = [
    [5, 1, 3],
    [-5, 1, -3],
    [3, 1, 2],
    [-3, 1, -2],
    [6, 2, 2],
    [-6, 2, -2],
    [10, 2, 3],
    [-10, 2, -3],
    [I32_MIN, 31, -1],
  ];
  it.each(vectors)('RDBPOT(%i, %i) = %i', (x, e, r) => {
    expect(roundingDivideByPOT(x, e)).toBe(r);
  });
});

describe('§9.3 MBQM double vs single rounding', () => {
  const MAX = I32_MAX;
  const S = 1518500250;
  const vectors: Array<[number, number, number, number, number]> = [
    [-3, P30, -1, -1, -1],
    [3, P30, -1, 1, 1],
    [-1, P30, 0, 0, 0],
    [1, P30, 0, 1, 1],
    [-5, P30, -2, -1, -1],
    [5, P30, -2, 1, 1],
    [12345, S, -7, 68, 68],
    [-12345, S, -7, -68, -68],
    [-2, P30, -1, -1, 0],
    [2, P30, -1, 1, 1],
    [-63, S, -1, -23, -22],
    [-63, MAX, -1, -32, -31],
    [-62, P30, -1, -16, -15],
    [-62, MAX, -2, -16, -15],
    [-62, S, -3, -6, -5],
    [-61, P30 + 1, -1, -16, -15],
    [-61, MAX, -1, -31, -30],
    [-60, P30, -2, -8, -7],
  ];
  it.each(vectors)('MBQM(%i, %i, %i): double %i, single %i', (acc, M, shift, dbl, sgl) => {
    expect(multiplyByQuantizedMultiplier(acc, M, shift, 'double')).toBe(dbl);
    expect(multiplyByQuantizedMultiplier(acc, M, shift, 'single')).toBe(sgl);
  });
  it('SRDHM(−61, 2^30+1) = −31 (the intermediate the double build then rounds away from zero)', () => {
    expect(saturatingRoundingDoublingHighMul(-61, P30 + 1)).toBe(-31);
  });
});

describe('§1.4 CalculateInputRadius known values', () => {
  const vectors: Array<[number, number, number]> = [
    [4, 27, 15],
    [3, 27, 14],
    [3, 28, 7],
    [4, 2, 503316480],
  ];
  it.each(vectors)('CalculateInputRadius(%i, %i) = %i', (bits, shift, r) => {
    expect(calculateInputRadius(bits, shift)).toBe(r);
  });
});
