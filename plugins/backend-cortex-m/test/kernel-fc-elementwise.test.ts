// Fully connected, ADD and MUL: the §9.4 op-level vectors, plus random comparisons with BigInt/explicit references.
import { describe, expect, it } from 'vitest';
import {
  addParams,
  convPerChannelMultipliers,
  fullyConnectedMultiplier,
  mulMultiplier,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierSmallerThanOneExp,
  type RoundingMode,
} from '../src/arith/index.js';
import { addS8, broadcastShape, fullyConnectedS8, mulS8 } from '../src/kernels/index.js';
import { rng, intIn, randI8 } from './random.js';

const FULL = { min: -128, max: 127 };

describe('§9.4 FullyConnected vector (per-channel path, double products)', () => {
  it('derives (1099511562, −8) and outputs 14 (acc 3708)', () => {
    const q = convPerChannelMultipliers(0.02, [0.005], 0.05);
    expect(Array.from(q.multipliers)).toEqual([1099511562]);
    expect(Array.from(q.shifts)).toEqual([-8]);
    const args = {
      input: Int8Array.of(10, -20, 30, 127), batches: 1, accumDepth: 4,
      filter: Int8Array.of(127, -64, 3, -1), outputDepth: 1, bias: Int32Array.of(1000),
      inputOffset: 3, outputOffset: 7, activation: FULL,
    };
    expect(Array.from(fullyConnectedS8({ ...args, quant: q }))).toEqual([14]);
    expect(Array.from(fullyConnectedS8({ ...args, quant: { multiplier: 1099511562, shift: -8 } }))).toEqual([14]);
    // The same vector, bias removed: MBQM(2708) + 7.
    expect(fullyConnectedS8({ ...args, bias: Int32Array.of(0), quant: q })[0]).toBe(multiplyByQuantizedMultiplier(2708, 1099511562, -8) + 7);
  });
});

describe('fullyConnectedS8 random', () => {
  it('matches a BigInt reference (per-tensor with filter offset, per-channel, both roundings) on 80 cases', () => {
    const r = rng(21);
    for (let t = 0; t < 80; t++) {
      const batches = intIn(r, 1, 3);
      const depth = intIn(r, 1, 40);
      const outDepth = intIn(r, 1, 9);
      const perChannel = r() < 0.5;
      const rounding: RoundingMode = r() < 0.5 ? 'double' : 'single';
      const input = randI8(r, batches * depth);
      const filter = randI8(r, outDepth * depth, -127, 127);
      const bias = Int32Array.from({ length: outDepth }, () => intIn(r, -100000, 100000));
      const inputOffset = intIn(r, -127, 128);
      const filterOffset = perChannel ? 0 : intIn(r, -3, 3);
      const outputOffset = intIn(r, -128, 127);
      const ms = Int32Array.from({ length: outDepth }, () => intIn(r, 1 << 30, 2147483647));
      const ss = Int32Array.from({ length: outDepth }, () => intIn(r, -14, -7));
      const quant = perChannel ? { multipliers: ms, shifts: ss } : { multiplier: ms[0]!, shift: ss[0]! };
      const got = fullyConnectedS8({ input, batches, accumDepth: depth, filter, outputDepth: outDepth, bias, inputOffset, filterOffset, outputOffset, activation: FULL, quant, rounding });
      for (let b = 0; b < batches; b++)
        for (let o = 0; o < outDepth; o++) {
          let acc = BigInt(bias[o]!);
          for (let k = 0; k < depth; k++) acc += BigInt(input[b * depth + k]! + inputOffset) * BigInt(filter[o * depth + k]! + filterOffset);
          const q = perChannel ? o : 0;
          const v = multiplyByQuantizedMultiplier(Number(acc), ms[q]!, ss[q]!, rounding) + outputOffset;
          expect(got[b * outDepth + o]).toBe(Math.max(-128, Math.min(127, v)));
        }
    }
  });
  it('per-tensor FC multiplier takes the scale product in float32', () => {
    // 0.1f·0.3f in float32 differs from the double product; the derived multiplier must follow the float32 one.
    const f32 = Math.fround;
    const prodF32 = f32(f32(0.1) * f32(0.3));
    expect(prodF32).not.toBe(f32(0.1) * f32(0.3));
    const q = fullyConnectedMultiplier(0.1, 0.3, 0.7);
    const real = q.multiplier * 2 ** (q.shift - 31);
    expect(Math.abs(real - prodF32 / f32(0.7))).toBeLessThan(2 ** -31);
    expect(fullyConnectedMultiplier(0.5, 0.5, 0.125)).toEqual({ multiplier: 1073741824, shift: 2 });
  });
});

describe('§9.4 ADD vector', () => {
  const params = addParams({ scale: 0.1, zeroPoint: 3 }, { scale: 0.2, zeroPoint: -5 }, { scale: 0.25, zeroPoint: 10 });
  it('derives m1 = (1073741824, −1), m2 = (1073741824, 0), mo = (1717986944, −19), left_shift 20', () => {
    expect(params).toEqual({
      leftShift: 20, input1Offset: -3, input1Multiplier: 1073741824, input1Shift: -1, input2Offset: 5,
      input2Multiplier: 1073741824, input2Shift: 0, outputOffset: 10, outputMultiplier: 1717986944, outputShift: -19,
    });
  });
  const rows: Array<[number, number, number]> = [
    [13, 5, 22],
    [-128, 127, 63],
    [0, 0, 13],
    [50, -60, -15],
  ];
  it.each(rows)('add(%i, %i) = %i', (x, y, out) => {
    expect(Array.from(addS8({ input1: Int8Array.of(x), input2: Int8Array.of(y), params, activation: FULL }))).toEqual([out]);
  });
  it('all four rows in one broadcast-free call', () => {
    const got = addS8({ input1: Int8Array.from(rows.map((r) => r[0])), input2: Int8Array.from(rows.map((r) => r[1])), params, activation: FULL });
    expect(Array.from(got)).toEqual(rows.map((r) => r[2]));
  });
});

describe('addS8 / mulS8 random with broadcasting', () => {
  const shapes: Array<[number[], number[]]> = [
    [[2, 3, 4], [2, 3, 4]],
    [[2, 3, 4], [1]],
    [[1], [5]],
    [[2, 1, 4], [3, 1]],
    [[4, 1], [1, 6]],
    [[1, 2, 1, 3], [2, 1, 1]],
  ];
  const count = (d: number[]): number => d.reduce((p, x) => p * x, 1);
  /** Flat index of an output coordinate in an operand, computed by explicit right-aligned coordinates. */
  function operandIndex(outCoord: number[], dims: number[]): number {
    let idx = 0;
    const off = outCoord.length - dims.length;
    for (let i = 0; i < dims.length; i++) idx = idx * dims[i]! + (dims[i] === 1 ? 0 : outCoord[off + i]!);
    return idx;
  }
  function coords(outDims: number[]): number[][] {
    const all: number[][] = [[]];
    for (const d of outDims) {
      const next: number[][] = [];
      for (const c of all) for (let i = 0; i < d; i++) next.push([...c, i]);
      all.splice(0, all.length, ...next);
    }
    return all;
  }
  it.each(shapes)('add and mul over %j × %j match explicit references and stay within 1 of the real result', (d1, d2) => {
    const r = rng(31 + count(d1) * 7 + count(d2));
    for (let rep = 0; rep < 10; rep++) {
      const rounding: RoundingMode = rep % 2 === 0 ? 'double' : 'single';
      const s1 = 0.01 + r() * 0.2, s2 = 0.01 + r() * 0.2, so = 0.02 + r() * 0.3;
      const z1 = intIn(r, -128, 127), z2 = intIn(r, -128, 127), zo = intIn(r, -128, 127);
      const a = randI8(r, count(d1));
      const b = randI8(r, count(d2));
      const ap = addParams({ scale: s1, zeroPoint: z1 }, { scale: s2, zeroPoint: z2 }, { scale: so, zeroPoint: zo }, { rounding });
      const mq = mulMultiplier(s1, s2, so * 4, rounding);
      const mp = { input1Offset: -z1, input2Offset: -z2, outputOffset: zo, multiplier: mq.multiplier, shift: mq.shift };
      const sum = addS8({ input1: a, input2: b, input1Dims: d1, input2Dims: d2, params: ap, activation: FULL, rounding });
      const prod = mulS8({ input1: a, input2: b, input1Dims: d1, input2Dims: d2, params: mp, activation: FULL, rounding });
      const outDims = broadcastShape(d1, d2);
      const cs = coords(outDims);
      expect(sum.length).toBe(cs.length);
      cs.forEach((c, k) => {
        const x = a[operandIndex(c, d1)]!;
        const y = b[operandIndex(c, d2)]!;
        const mbqm1 = (v: number, m: number, s: number): number => multiplyByQuantizedMultiplierSmallerThanOneExp(v, m, s, rounding);
        const raw = mbqm1((x - z1) * 2 ** 20, ap.input1Multiplier, ap.input1Shift) + mbqm1((y - z2) * 2 ** 20, ap.input2Multiplier, ap.input2Shift);
        const want = Math.max(-128, Math.min(127, mbqm1(raw, ap.outputMultiplier, ap.outputShift) + zo));
        expect(sum[k]).toBe(want);
        const real = ((x - z1) * Math.fround(s1) + (y - z2) * Math.fround(s2)) / Math.fround(so) + zo;
        if (real > -127 && real < 126) expect(Math.abs(sum[k]! - real)).toBeLessThanOrEqual(1);
        const wantMul = Math.max(-128, Math.min(127, multiplyByQuantizedMultiplier((x - z1) * (y - z2), mp.multiplier, mp.shift, rounding) + zo));
        expect(prod[k]).toBe(wantMul);
      });
    }
  });
  it('rejects shapes that do not broadcast', () => {
    const params = addParams({ scale: 0.1, zeroPoint: 0 }, { scale: 0.1, zeroPoint: 0 }, { scale: 0.1, zeroPoint: 0 });
    expect(() => addS8({ input1: new Int8Array(6), input2: new Int8Array(4), input1Dims: [2, 3], input2Dims: [2, 2], params, activation: FULL })).toThrow(/broadcast/);
    expect(() => addS8({ input1: new Int8Array(6), input2: new Int8Array(4), params, activation: FULL })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });
  it('applies the activation clamp', () => {
    const got = mulS8({ input1: Int8Array.of(10, -10), input2: Int8Array.of(10, 10), activation: { min: 0, max: 50 },
      params: { input1Offset: 0, input2Offset: 0, outputOffset: 0, multiplier: 1 << 30, shift: 0 } });
    expect(Array.from(got)).toEqual([50, 0]);
  });
});
