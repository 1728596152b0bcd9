// Random-input properties: every requantization primitive equals an exact BigInt evaluation of its C definition.
import { describe, expect, it } from 'vitest';
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierGreaterThanOne,
  multiplyByQuantizedMultiplierInt64,
  multiplyByQuantizedMultiplierPerChannel,
  multiplyByQuantizedMultiplierSmallerThanOneExp,
  quantizeMultiplier,
  reduceMultiplier,
  roundHalfAway,
  roundHalfEven,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  frexp,
} from '../src/arith/index.js';
import { rng, intIn } from './random.js';

const int32 = (r: () => number): number => (Math.floor(r() * 4294967296) - 2147483648) | 0;
/** Mixes uniform int32s with small and near-boundary values, where rounding bugs live. */
function interesting(r: () => number): number {
  const k = r();
  if (k < 0.4) return int32(r);
  if (k < 0.7) return intIn(r, -70000, 70000);
  if (k < 0.85) return intIn(r, -64, 64);
  return r() < 0.5 ? -2147483648 + intIn(r, 0, 3) : 2147483647 - intIn(r, 0, 3);
}

// C semantics in BigInt: '/' on BigInt truncates toward zero exactly like C's int64 division.
function refSrdhm(a: number, b: number): number {
  if (a === -2147483648 && b === -2147483648) return 2147483647;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n));
}
function refRdbpot(x: number, e: number): number {
  if (e === 0) return x;
  const bx = BigInt(x);
  const den = 1n << BigInt(e);
  const mag = ((bx < 0n ? -bx : bx) * 2n + den) / (2n * den); // floor(|x|/2^e + 1/2): half away from zero
  return Number(bx < 0n ? -mag : mag);
}
function refMbqmDouble(x: number, m: number, shift: number): number {
  const left = Math.max(shift, 0);
  const right = Math.max(-shift, 0);
  const shifted = Number(BigInt.asIntN(32, BigInt(x) << BigInt(left)));
  return refRdbpot(refSrdhm(shifted, m), right);
}
function refMbqmSingle(x: number, m: number, shift: number): number {
  const total = BigInt(31 - shift);
  return Number(BigInt.asIntN(32, (BigInt(x) * BigInt(m) + (1n << (total - 1n))) >> total));
}

describe('SRDHM and RDBPOT against BigInt', () => {
  it('SRDHM equals the C definition on 20000 random int32 pairs', () => {
    const r = rng(1);
    for (let i = 0; i < 20000; i++) {
      const a = interesting(r);
      const b = interesting(r);
      expect(saturatingRoundingDoublingHighMul(a, b), `SRDHM(${a}, ${b})`).toBe(refSrdhm(a, b));
    }
  });
  it('RDBPOT equals exact round-half-away-from-zero on 20000 random (x, e)', () => {
    const r = rng(2);
    for (let i = 0; i < 20000; i++) {
      const x = interesting(r);
      const e = intIn(r, 0, 31);
      expect(roundingDivideByPOT(x, e), `RDBPOT(${x}, ${e})`).toBe(refRdbpot(x, e));
    }
  });
  it('rejects out-of-range arguments with QF_INVALID_ARGUMENT', () => {
    expect(() => roundingDivideByPOT(1, 32)).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
    expect(() => saturatingRoundingDoublingHighMul(0.5, 1)).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });
});

describe('MultiplyByQuantizedMultiplier against BigInt', () => {
  it('double rounding equals the formula on 20000 random inputs (incl. left shifts that wrap)', () => {
    const r = rng(3);
    for (let i = 0; i < 20000; i++) {
      const x = interesting(r);
      const m = r() < 0.8 ? intIn(r, 1 << 30, 2147483647) : interesting(r);
      const shift = intIn(r, -31, 31);
      expect(multiplyByQuantizedMultiplier(x, m, shift, 'double'), `MBQM(${x}, ${m}, ${shift})`).toBe(refMbqmDouble(x, m, shift));
    }
  });
  it('single rounding equals the formula on 20000 random inputs', () => {
    const r = rng(4);
    for (let i = 0; i < 20000; i++) {
      const x = interesting(r);
      const m = intIn(r, 0, 2147483647);
      const shift = intIn(r, -31, 30);
      expect(multiplyByQuantizedMultiplier(x, m, shift, 'single'), `MBQM1(${x}, ${m}, ${shift})`).toBe(refMbqmSingle(x, m, shift));
    }
  });
  it('both builds agree with the exact rounded product away from ties (acc within 2^24, M ≥ 2^30)', () => {
    const r = rng(5);
    let differ = 0;
    for (let i = 0; i < 5000; i++) {
      const x = intIn(r, -(2 ** 24), 2 ** 24);
      const m = intIn(r, 1 << 30, 2147483647);
      const shift = intIn(r, -31, 0);
      const d = multiplyByQuantizedMultiplier(x, m, shift, 'double');
      const s = multiplyByQuantizedMultiplier(x, m, shift, 'single');
      expect(Math.abs(d - s)).toBeLessThanOrEqual(1);
      if (d !== s) differ++;
    }
    expect(differ).toBeLessThan(5000 / 4);
  });
  it('SmallerThanOneExp and GreaterThanOne are MBQM restricted to their shift domain', () => {
    const r = rng(6);
    for (let i = 0; i < 2000; i++) {
      const x = intIn(r, -100000, 100000);
      const m = intIn(r, 1 << 30, 2147483647);
      const sNeg = intIn(r, -31, 0);
      const sPos = intIn(r, 0, 10);
      expect(multiplyByQuantizedMultiplierSmallerThanOneExp(x, m, sNeg)).toBe(refMbqmDouble(x, m, sNeg));
      expect(multiplyByQuantizedMultiplierGreaterThanOne(x, m, sPos)).toBe(refMbqmDouble(x, m, sPos));
      expect(multiplyByQuantizedMultiplierGreaterThanOne(x, m, sPos, 'single')).toBe(refMbqmSingle(x, m, sPos));
    }
    expect(() => multiplyByQuantizedMultiplierSmallerThanOneExp(1, 1 << 30, 1)).toThrow(/shift/);
  });
  it('single rounding rejects negative multipliers and shift 31 (TFLite DCHECKs)', () => {
    expect(() => multiplyByQuantizedMultiplier(1, -5, 0, 'single')).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
    expect(() => multiplyByQuantizedMultiplier(1, 5, 31, 'single')).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });
  it('per-channel variant uses channel i % C', () => {
    const r = rng(7);
    const values = Int32Array.from({ length: 60 }, () => intIn(r, -50000, 50000));
    const ms = Int32Array.from({ length: 6 }, () => intIn(r, 1 << 30, 2147483647));
    const ss = Int32Array.from({ length: 6 }, () => intIn(r, -12, 2));
    for (const mode of ['double', 'single'] as const) {
      const out = multiplyByQuantizedMultiplierPerChannel(values, ms, ss, mode);
      const ref = mode === 'double' ? refMbqmDouble : refMbqmSingle;
      for (let i = 0; i < values.length; i++) expect(out[i]).toBe(ref(values[i]!, ms[i % 6]!, ss[i % 6]!));
    }
    expect(() => multiplyByQuantizedMultiplierPerChannel(values, ms.subarray(0, 7 % 6), ss)).toThrow(/per-channel/);
  });
});

describe('int64 overload (int16x8)', () => {
  it('equals (x·REDUCE(M) + 2^(14−s)) >> (15−s) in BigInt on 5000 random inputs up to ±2^47', () => {
    const r = rng(8);
    for (let i = 0; i < 5000; i++) {
      const big = r() < 0.5;
      const xb = BigInt(Math.floor((r() * 2 - 1) * 2 ** (big ? 47 : 30)));
      const m = r() < 0.1 ? intIn(r, 0x7fff0000, 2147483647) : intIn(r, 1 << 30, 0x7fff0000);
      const shift = intIn(r, -31, 7);
      const rm = m < 0x7fff0000 ? (m + 32768) >> 16 : 0x7fff;
      const total = BigInt(15 - shift);
      const ref = Number(BigInt.asIntN(32, (xb * BigInt(rm) + (1n << (total - 1n))) >> total));
      expect(multiplyByQuantizedMultiplierInt64(xb, m, shift)).toBe(ref);
      expect(multiplyByQuantizedMultiplierInt64(Number(xb), m, shift)).toBe(ref);
    }
  });
  it('reduces the multiplier as REDUCE_MULTIPLIER does', () => {
    expect(reduceMultiplier(1073741824)).toBe(16384);
    expect(reduceMultiplier(0x7fff0000)).toBe(0x7fff);
    expect(reduceMultiplier(0x7ffeffff)).toBe(0x7fff);
    expect(reduceMultiplier(1518500250)).toBe(23170);
    expect(() => multiplyByQuantizedMultiplierInt64(2n ** 47n, 1 << 30, 0)).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });
});

describe('QuantizeMultiplier properties', () => {
  it('represents random multipliers within half an LSB of Q31 (exact BigInt check)', () => {
    const r = rng(9);
    for (let i = 0; i < 5000; i++) {
      const m = Math.exp((r() * 2 - 1) * 20) * (r() < 0.1 ? -1 : 1);
      const { multiplier, shift } = quantizeMultiplier(m);
      const { fraction, exponent } = frexp(m);
      expect(Math.abs(multiplier)).toBeGreaterThanOrEqual(1 << 30);
      expect(Math.abs(multiplier)).toBeLessThanOrEqual(2147483647);
      // |multiplier − q·2^31| ≤ 1/2, or the 2^31 fix-up moved the exponent by one.
      const target = fraction * 2 ** 31 * 2 ** (exponent - shift);
      expect(Math.abs(multiplier - target)).toBeLessThanOrEqual(shift === exponent ? 0.5 : 1);
    }
  });
  it('single-rounding build clamps shifts above 30, flushes below 2^−32 in both builds', () => {
    expect(quantizeMultiplier(2 ** 31, 'single')).toEqual({ multiplier: 2147483647, shift: 30 });
    expect(quantizeMultiplier(2 ** 31, 'double')).toEqual({ multiplier: 1073741824, shift: 32 });
    expect(quantizeMultiplier(2 ** -33)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(2 ** -33, 'single')).toEqual({ multiplier: 0, shift: 0 });
    expect(() => quantizeMultiplier(Number.NaN)).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });
  it('frexp matches the C definition, also for subnormals', () => {
    expect(frexp(1)).toEqual({ fraction: 0.5, exponent: 1 });
    expect(frexp(-0.75)).toEqual({ fraction: -0.75, exponent: 0 });
    expect(frexp(5e-324)).toEqual({ fraction: 0.5, exponent: -1073 });
    expect(frexp(3 * 2 ** -1070)).toEqual({ fraction: 0.75, exponent: -1068 });
  });
});

describe('§2.7 rounding table', () => {
  const rows: Array<[number, number, number]> = [
    [2.5, 3, 2],
    [-2.5, -3, -2],
    [0.5, 1, 0],
    [-0.5, -1, -0],
    [1.5, 2, 2],
    [-1.5, -2, -2],
  ];
  it.each(rows)('%d: std::round %d, half-even %d', (v, away, even) => {
    expect(roundHalfAway(v)).toBe(away);
    expect(roundHalfEven(v) === even || (roundHalfEven(v) === 0 && even === 0)).toBe(true);
  });
  it('does not misround the largest double below 0.5 (floor(v + 0.5) does)', () => {
    const v = 0.49999999999999994;
    expect(Math.floor(v + 0.5)).toBe(1);
    expect(roundHalfAway(v)).toBe(0);
    expect(roundHalfAway(-v)).toBe(-0);
  });
});
