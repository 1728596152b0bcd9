import { tensor, type Tensor } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { conv } from '../src/kernels/linear/conv.js';
import { convTranspose } from '../src/kernels/linear/conv-transpose.js';
import { ctxFor, makeNode, maxAbsDiff, randomFloats, type AttrSpec } from './linear-helpers.js';

interface Case { n: number; c: number; m: number; g: number; in: number[]; k: number[]; s: number[]; d: number[]; p: number[] }

/** Direct-loop convolution over up to 3 spatial dims (missing leading dims are size 1). */
function naiveConv(cs: Case, x: Float32Array, w: Float32Array, b: Float32Array): { y: Float32Array; out: number[] } {
  const r = cs.in.length;
  const L = (v: number[], f: number) => [...Array(3 - r).fill(f), ...v] as number[];
  const [ID, IH, IW] = L(cs.in, 1), [KD, KH, KW] = L(cs.k, 1), [SD, SH, SW] = L(cs.s, 1), [DD, DH, DW] = L(cs.d, 1);
  const [PD, PH, PW] = L(cs.p.slice(0, r), 0), [QD, QH, QW] = L(cs.p.slice(r), 0);
  const o = (i: number, k: number, s: number, d: number, p: number, q: number) => Math.floor((i + p + q - (k - 1) * d - 1) / s) + 1;
  const OD = o(ID!, KD!, SD!, DD!, PD!, QD!), OH = o(IH!, KH!, SH!, DH!, PH!, QH!), OW = o(IW!, KW!, SW!, DW!, PW!, QW!);
  const cg = cs.c / cs.g, mg = cs.m / cs.g;
  const y = new Float32Array(cs.n * cs.m * OD * OH * OW);
  let t = 0;
  for (let n = 0; n < cs.n; n++) for (let m = 0; m < cs.m; m++) {
    const g = Math.floor(m / mg);
    for (let od = 0; od < OD; od++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
      let acc = b[m] ?? 0;
      for (let c = 0; c < cg; c++) for (let kd = 0; kd < KD!; kd++) for (let kh = 0; kh < KH!; kh++) for (let kw = 0; kw < KW!; kw++) {
        const id = od * SD! - PD! + kd * DD!, ih = oh * SH! - PH! + kh * DH!, iw = ow * SW! - PW! + kw * DW!;
        if (id < 0 || ih < 0 || iw < 0 || id >= ID! || ih >= IH! || iw >= IW!) continue;
        acc += x[((((n * cs.c + g * cg + c) * ID! + id) * IH! + ih) * IW! + iw)]! * w[((((m * cg + c) * KD! + kd) * KH! + kh) * KW! + kw)]!;
      }
      y[t++] = acc;
    }
  }
  return { y, out: [OD, OH, OW].slice(3 - r) };
}

function runConv(cs: Case, extra: AttrSpec = {}, withBias = true): { got: Tensor; want: { y: Float32Array; out: number[] } } {
  const x = randomFloats(cs.n * cs.c * cs.in.reduce((a, b) => a * b, 1), 1);
  const w = randomFloats(cs.m * (cs.c / cs.g) * cs.k.reduce((a, b) => a * b, 1), 2);
  const b = withBias ? randomFloats(cs.m, 3) : new Float32Array(0);
  const node = makeNode('Conv', ['x', 'w', ...(withBias ? ['b'] : [])], ['y'], { group: cs.g, strides: cs.s, dilations: cs.d, pads: cs.p, ...extra });
  const inputs = [tensor('float32', [cs.n, cs.c, ...cs.in], x), tensor('float32', [cs.m, cs.c / cs.g, ...cs.k], w), ...(withBias ? [tensor('float32', [cs.m], b)] : [])];
  const [got] = conv(inputs as Tensor[], ctxFor(node));
  return { got: got!, want: naiveConv(cs, x, w, b) };
}

describe('Conv', () => {
  const cases: [string, Case][] = [
    ['2-D plain 3x3', { n: 1, c: 3, m: 4, g: 1, in: [7, 6], k: [3, 3], s: [1, 1], d: [1, 1], p: [0, 0, 0, 0] }],
    ['2-D strided, asymmetric pads', { n: 2, c: 4, m: 6, g: 1, in: [9, 8], k: [3, 2], s: [2, 3], d: [1, 1], p: [1, 0, 2, 1] }],
    ['2-D dilated', { n: 1, c: 2, m: 3, g: 1, in: [10, 9], k: [3, 3], s: [1, 2], d: [2, 3], p: [2, 1, 1, 2] }],
    ['2-D grouped', { n: 2, c: 6, m: 9, g: 3, in: [6, 7], k: [3, 3], s: [1, 1], d: [1, 1], p: [1, 1, 1, 1] }],
    ['2-D depthwise', { n: 1, c: 8, m: 8, g: 8, in: [11, 5], k: [3, 3], s: [2, 2], d: [1, 1], p: [1, 1, 1, 1] }],
    ['2-D depthwise multiplier 2', { n: 1, c: 3, m: 6, g: 3, in: [5, 5], k: [5, 5], s: [1, 1], d: [1, 1], p: [2, 2, 2, 2] }],
    ['2-D 1x1 direct', { n: 2, c: 5, m: 7, g: 1, in: [4, 6], k: [1, 1], s: [1, 1], d: [1, 1], p: [0, 0, 0, 0] }],
    ['2-D 1x1 strided', { n: 1, c: 5, m: 3, g: 1, in: [7, 6], k: [1, 1], s: [2, 2], d: [1, 1], p: [0, 0, 0, 0] }],
    ['2-D large enough to split the patch matrix into row chunks', { n: 2, c: 16, m: 4, g: 2, in: [40, 300], k: [3, 3], s: [1, 1], d: [1, 1], p: [1, 1, 1, 1] }],
    ['1-D', { n: 2, c: 3, m: 4, g: 1, in: [13], k: [4], s: [3], d: [2], p: [2, 3] }],
    ['3-D', { n: 1, c: 2, m: 4, g: 2, in: [5, 4, 6], k: [2, 3, 2], s: [1, 2, 1], d: [2, 1, 1], p: [1, 0, 1, 0, 1, 1] }],
  ];
  for (const [name, cs] of cases) {
    it(`matches direct loops: ${name}`, () => {
      const { got, want } = runConv(cs);
      expect(got.dims).toEqual([cs.n, cs.m, ...want.out]);
      expect(maxAbsDiff(got.data as Float32Array, want.y)).toBeLessThan(1e-5);
    });
  }

  it('works without bias', () => {
    const { got, want } = runConv(cases[1]![1], {}, false);
    expect(maxAbsDiff(got.data as Float32Array, want.y)).toBeLessThan(1e-5);
  });

  it('auto_pad SAME_UPPER / SAME_LOWER / VALID resolve to the right explicit pads', () => {
    const base = { n: 1, c: 2, m: 2, g: 1, in: [6, 7], k: [4, 3], s: [2, 2], d: [1, 1] };
    // out = ceil(in/s) = [3, 4]; total pad = (out-1)*s + k - in = [2, 2] and [1, 2]
    const upper = runConv({ ...base, p: [1, 1, 1, 1] }, { auto_pad: 'SAME_UPPER', pads: [] as number[] });
    const explicitUpper = runConv({ ...base, p: [1, 1, 1, 1] });
    expect(upper.got.dims).toEqual([1, 2, 3, 4]);
    expect(maxAbsDiff(upper.got.data as Float32Array, explicitUpper.want.y)).toBeLessThan(1e-5);
    const odd = { n: 1, c: 1, m: 1, g: 1, in: [5], k: [2], s: [1], d: [1] };
    const lower = runConv({ ...odd, p: [0, 0] }, { auto_pad: 'SAME_LOWER', pads: [] as number[] });
    expect(maxAbsDiff(lower.got.data as Float32Array, naiveFor({ ...odd, p: [1, 0] }))).toBeLessThan(1e-5);
    const up1 = runConv({ ...odd, p: [0, 0] }, { auto_pad: 'SAME_UPPER', pads: [] as number[] });
    expect(maxAbsDiff(up1.got.data as Float32Array, naiveFor({ ...odd, p: [0, 1] }))).toBeLessThan(1e-5);
    const valid = runConv({ ...base, p: [0, 0, 0, 0] }, { auto_pad: 'VALID', pads: [] as number[] });
    expect(valid.got.dims).toEqual([1, 2, 2, 3]);
    expect(maxAbsDiff(valid.got.data as Float32Array, valid.want.y)).toBeLessThan(1e-5);
  });

  it('rejects a weight whose channels do not match the groups', () => {
    const node = makeNode('Conv', ['x', 'w'], ['y'], { group: 2 });
    expect(() => conv([tensor('float32', [1, 4, 3, 3]), tensor('float32', [2, 4, 1, 1])], ctxFor(node))).toThrow(/input channels/);
  });
});

function naiveFor(cs: Case): Float32Array {
  const x = randomFloats(cs.n * cs.c * cs.in.reduce((a, b) => a * b, 1), 1);
  const w = randomFloats(cs.m * (cs.c / cs.g) * cs.k.reduce((a, b) => a * b, 1), 2);
  return naiveConv(cs, x, w, randomFloats(cs.m, 3)).y;
}

/** Direct scatter form of ConvTranspose (2-D), cropping pads at both ends. */
function naiveConvT(x: Float32Array, xd: number[], w: Float32Array, wd: number[], g: number, s: number[], d: number[], p: number[], out: number[]): Float32Array {
  const [n, c, ih, iw] = xd as [number, number, number, number];
  const mg = wd[1]!, kh = wd[2]!, kw = wd[3]!;
  const cg = c / g, m = mg * g;
  const y = new Float32Array(n * m * out[0]! * out[1]!);
  for (let b = 0; b < n; b++) for (let ci = 0; ci < c; ci++) {
    const gi = Math.floor(ci / cg);
    for (let mo = 0; mo < mg; mo++) for (let h = 0; h < ih; h++) for (let v = 0; v < iw; v++) for (let a = 0; a < kh; a++) for (let e = 0; e < kw; e++) {
      const oh = h * s[0]! - p[0]! + a * d[0]!, ow = v * s[1]! - p[1]! + e * d[1]!;
      if (oh < 0 || ow < 0 || oh >= out[0]! || ow >= out[1]!) continue;
      const at = ((b * m + gi * mg + mo) * out[0]! + oh) * out[1]! + ow;
      y[at] = y[at]! + x[((b * c + ci) * ih + h) * iw + v]! * w[((ci * mg + mo) * kh + a) * kw + e]!;
    }
  }
  return y;
}

describe('ConvTranspose', () => {
  it('matches the scatter form with groups, strides, dilations, pads and output_padding', () => {
    const xd = [2, 4, 4, 3], wd = [4, 3, 3, 2];
    const x = randomFloats(96, 5), w = randomFloats(72, 6);
    const s = [2, 3], d = [1, 2], p = [1, 0, 0, 1], op = [1, 0];
    const node = makeNode('ConvTranspose', ['x', 'w'], ['y'], { group: 2, strides: s, dilations: d, pads: p, output_padding: op });
    const [y] = convTranspose([tensor('float32', xd, x), tensor('float32', wd, w)], ctxFor(node));
    // out = s*(in-1) + op + (k-1)*d + 1 - pb - pe
    const out = [2 * 3 + 1 + 3 - 1 - 0, 3 * 2 + 0 + 3 - 0 - 1];
    expect(y!.dims).toEqual([2, 6, ...out]);
    expect(maxAbsDiff(y!.data as Float32Array, naiveConvT(x, xd, w, wd, 2, s, d, p, out))).toBeLessThan(1e-5);
  });

  it('rejects a zero stride instead of looping on it', () => {
    const node = makeNode('ConvTranspose', ['x', 'w'], ['y'], { strides: [0, 1] });
    expect(() => convTranspose([tensor('float32', [1, 1, 2, 2]), tensor('float32', [1, 1, 2, 2])], ctxFor(node))).toThrow(/strides/);
  });

  it('honours output_shape and bias', () => {
    const xd = [1, 2, 3, 3], wd = [2, 1, 3, 3];
    const x = randomFloats(18, 7), w = randomFloats(18, 8);
    const node = makeNode('ConvTranspose', ['x', 'w', 'b'], ['y'], { strides: [3, 2], output_shape: [10, 8] });
    const [y] = convTranspose([tensor('float32', xd, x), tensor('float32', wd, w), tensor('float32', [1], new Float32Array([0.5]))], ctxFor(node));
    expect(y!.dims).toEqual([1, 1, 10, 8]);
    const want = naiveConvT(x, xd, w, wd, 1, [3, 2], [1, 1], [0, 0], [10, 8]).map((v) => v + 0.5);
    expect(maxAbsDiff(y!.data as Float32Array, want)).toBeLessThan(1e-5);
  });
});
