import { tensor, type Tensor } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { convInteger, matMulInteger } from '../src/kernels/linear/integer.js';
import { qlinearConv, qlinearMatMul } from '../src/kernels/linear/qlinear.js';
import { roundHalfEven } from '../src/kernels/linear/quant-util.js';
import { ctxFor, makeNode, randomInts } from './linear-helpers.js';

const u8 = (dims: number[], v: number[]): Tensor => tensor('uint8', dims, Uint8Array.from(v));
const i8 = (dims: number[], v: number[]): Tensor => tensor('int8', dims, Int8Array.from(v));
const f = (v: number[]): Tensor => tensor('float32', [v.length], Float32Array.from(v));
const scalarF = (v: number): Tensor => tensor('float32', [], Float32Array.of(v));

/** Direct 2-D integer conv with zero-point padding (pads read as the zero point). */
function naiveIntConv(x: number[], xd: number[], xz: number, w: number[], wd: number[], wz: number[], pad: number): number[] {
  const [, c, h, wi] = xd as [number, number, number, number];
  const [m, , kh, kw] = wd as [number, number, number, number];
  const oh = h + 2 * pad - kh + 1, ow = wi + 2 * pad - kw + 1;
  const y: number[] = [];
  for (let o = 0; o < m; o++) for (let a = 0; a < oh; a++) for (let b = 0; b < ow; b++) {
    let s = 0;
    for (let ci = 0; ci < c; ci++) for (let p = 0; p < kh; p++) for (let q = 0; q < kw; q++) {
      const ih = a + p - pad, iw = b + q - pad;
      const xv = ih < 0 || iw < 0 || ih >= h || iw >= wi ? xz : x[(ci * h + ih) * wi + iw]!;
      s += (xv - xz) * (w[((o * c + ci) * kh + p) * kw + q]! - (wz[o] ?? wz[0]!));
    }
    y.push(s);
  }
  return y;
}

describe('roundHalfEven', () => {
  it('rounds ties to even, both signs', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, -2, 2, -3]);
  });
});

describe('ConvInteger', () => {
  const xd = [1, 2, 4, 5], wd = [3, 2, 3, 3];
  const x = randomInts(40, 0, 255, 3), w = randomInts(54, -128, 127, 4);

  it('u8 x s8 with per-channel weight zero points and padding that reads the input zero point', () => {
    const node = makeNode('ConvInteger', ['x', 'w', 'xz', 'wz'], ['y'], { pads: [1, 1, 1, 1] });
    const [y] = convInteger([u8(xd, x), i8(wd, w), u8([], [131]), i8([3], [-3, 0, 5])], ctxFor(node));
    expect(y!.dtype).toBe('int32');
    expect(y!.dims).toEqual([1, 3, 4, 5]);
    expect(Array.from(y!.data as Int32Array)).toEqual(naiveIntConv(x, xd, 131, w, wd, [-3, 0, 5], 1));
  });

  it('u8 x u8 without zero points', () => {
    const wu = randomInts(54, 0, 255, 5);
    const [y] = convInteger([u8(xd, x), u8(wd, wu)], ctxFor(makeNode('ConvInteger', ['x', 'w'], ['y'])));
    expect(Array.from(y!.data as Int32Array)).toEqual(naiveIntConv(x, xd, 0, wu, wd, [0], 0));
  });

  it('refuses float operands', () => {
    expect(() => convInteger([tensor('float32', xd), i8(wd, w)], ctxFor(makeNode('ConvInteger', ['x', 'w'], ['y'])))).toThrow(/uint8 and int8/);
  });
});

describe('MatMulInteger', () => {
  it('exact int32 sums with per-column b zero points and batch broadcasting', () => {
    const a = randomInts(2 * 3 * 4, -128, 127, 7), b = randomInts(4 * 2, 0, 255, 8);
    const node = makeNode('MatMulInteger', ['a', 'b', 'az', 'bz'], ['y']);
    const [y] = matMulInteger([i8([2, 3, 4], a), u8([4, 2], b), i8([], [-7]), u8([2], [128, 3])], ctxFor(node));
    expect(y!.dims).toEqual([2, 3, 2]);
    const want: number[] = [];
    for (let t = 0; t < 6; t++) for (let j = 0; j < 2; j++) {
      let s = 0;
      for (let p = 0; p < 4; p++) s += (a[t * 4 + p]! + 7) * (b[p * 2 + j]! - [128, 3][j]!);
      want.push(s);
    }
    expect(Array.from(y!.data as Int32Array)).toEqual(want);
  });

  it('large u8 x s8 sums that saturating int16 pair kernels get wrong stay exact', () => {
    const k = 64;
    const [y] = matMulInteger([u8([1, k], Array(k).fill(255)), i8([k, 1], Array(k).fill(-128))], ctxFor(makeNode('MatMulInteger', ['a', 'b'], ['y'])));
    expect((y!.data as Int32Array)[0]).toBe(255 * -128 * k);
  });
});

describe('QLinearConv', () => {
  it('per-channel weight scales, int32 bias, round half to even and saturation', () => {
    // 1x1 conv, one input channel: y_m = sat(rne((x - xz) * (w_m - wz_m) * xs * ws_m / ys + B_m / ...) + yz)
    const x = u8([1, 1, 1, 4], [10, 11, 12, 250]);
    const w = i8([3, 1, 1, 1], [1, 2, -100]);
    const node = makeNode('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'b'], ['y']);
    const inputs = [x, scalarF(0.5), u8([], [10]), w, f([1, 0.25, 1]), i8([3], [0, 0, 0]), scalarF(1), u8([], [100]), tensor('int32', [3], Int32Array.from([1, 0, 0]))];
    const [y] = qlinearConv(inputs, ctxFor(node));
    expect(y!.dtype).toBe('uint8');
    // channel 0: (acc + 1) * 0.5 with acc = x - 10 -> 0.5, 1, 1.5, 120.5 -> rne 0, 1, 2, 120 -> +100
    // channel 1: acc * 2 * 0.125 = (x-10)*0.25 -> 0, 0.25, 0.5, 60 -> 0, 0, 0, 60 -> +100
    // channel 2: (x-10) * -100 * 0.5 -> 0, -50, -100, -12000 -> saturates at 0
    expect(Array.from(y!.data as Uint8Array)).toEqual([100, 101, 102, 220, 100, 100, 100, 160, 100, 50, 0, 0]);
  });

  it('int8 output dtype follows y_zero_point', () => {
    const node = makeNode('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'], ['y']);
    const [y] = qlinearConv([i8([1, 1, 1, 2], [-128, 127]), scalarF(1), i8([], [0]), i8([1, 1, 1, 1], [1]), scalarF(1), i8([], [0]), scalarF(1), i8([], [-1])], ctxFor(node));
    expect(y!.dtype).toBe('int8');
    expect(Array.from(y!.data as Int8Array)).toEqual([-128, 126]);
  });
});

describe('QLinearMatMul', () => {
  it('requantizes the exact product', () => {
    const node = makeNode('QLinearMatMul', ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'], ['y']);
    const a = u8([2, 2], [200, 10, 30, 40]), b = u8([2, 2], [1, 2, 3, 4]);
    const [y] = qlinearMatMul([a, scalarF(0.1), u8([], [0]), b, scalarF(0.1), u8([], [0]), scalarF(0.5), u8([], [5])], ctxFor(node));
    // a@b = [[230, 440], [150, 220]] * 0.01 / 0.5 = [[4.6, 8.8], [3, 4.4]] -> [5, 9, 3, 4] + 5
    expect(Array.from(y!.data as Uint8Array)).toEqual([10, 14, 8, 9]);
  });
});
