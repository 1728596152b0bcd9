// convS8 / conv1x1S8 / depthwiseConvS8 against a reference that materializes the zero-point-padded input and
// accumulates in BigInt, on random shapes with stride, padding, dilation, groups and depth multipliers.
import { describe, expect, it } from 'vitest';
import { multiplyByQuantizedMultiplier, type RoundingMode } from '../src/arith/index.js';
import { conv1x1S8, convS8, depthwiseConvS8, type ConvS8Args, type Dims4 } from '../src/kernels/index.js';
import { rng, intIn, randI8 } from './random.js';

const size = (d: Dims4): number => d.n * d.h * d.w * d.c;

interface RefConv {
  input: Int8Array; inputDims: Dims4; filter: Int8Array; filterDims: Dims4; bias: Int32Array | undefined; outputDims: Dims4;
  inputOffset: number; outputOffset: number; stride: { h: number; w: number }; padding: { h: number; w: number };
  dilation: { h: number; w: number }; actMin: number; actMax: number; multipliers: Int32Array; shifts: Int32Array;
  rounding: RoundingMode; depthwise: boolean;
}

function referenceConv(p: RefConv): Int8Array {
  const { inputDims: id, filterDims: fd, outputDims: od } = p;
  // Padded copy: every out-of-image tap reads the zero point, so (x + inputOffset) is 0 there.
  // Generous margins: every tap of every output lands inside the padded copy.
  const ph = id.h + p.padding.h + od.h * p.stride.h + fd.h * p.dilation.h;
  const pw = id.w + p.padding.w + od.w * p.stride.w + fd.w * p.dilation.w;
  const zp = -p.inputOffset;
  const padded = new Int8Array(id.n * ph * pw * id.c).fill(zp);
  for (let b = 0; b < id.n; b++)
    for (let y = 0; y < id.h; y++)
      for (let x = 0; x < id.w; x++)
        for (let c = 0; c < id.c; c++)
          padded[((b * ph + y + p.padding.h) * pw + x + p.padding.w) * id.c + c] = p.input[((b * id.h + y) * id.w + x) * id.c + c]!;
  const out = new Int8Array(size(od));
  const cOut = od.c;
  const groups = p.depthwise ? 1 : id.c / fd.c;
  const mult = p.depthwise ? cOut / id.c : 0;
  for (let b = 0; b < od.n; b++)
    for (let oy = 0; oy < od.h; oy++)
      for (let ox = 0; ox < od.w; ox++)
        for (let oc = 0; oc < cOut; oc++) {
          let acc = 0n;
          for (let ky = 0; ky < fd.h; ky++)
            for (let kx = 0; kx < fd.w; kx++) {
              const y = oy * p.stride.h + ky * p.dilation.h;
              const x = ox * p.stride.w + kx * p.dilation.w;
              if (p.depthwise) {
                const ic = Math.floor(oc / mult);
                const xv = padded[((b * ph + y) * pw + x) * id.c + ic]!;
                acc += BigInt(p.filter[(ky * fd.w + kx) * cOut + oc]!) * BigInt(xv + p.inputOffset);
              } else {
                const g = Math.floor(oc / (cOut / groups));
                for (let ic = 0; ic < fd.c; ic++) {
                  const xv = padded[((b * ph + y) * pw + x) * id.c + g * fd.c + ic]!;
                  acc += BigInt(p.filter[((oc * fd.h + ky) * fd.w + kx) * fd.c + ic]!) * BigInt(xv + p.inputOffset);
                }
              }
            }
          if (p.bias) acc += BigInt(p.bias[oc]!);
          const v = multiplyByQuantizedMultiplier(Number(BigInt.asIntN(32, acc)), p.multipliers[oc]!, p.shifts[oc]!, p.rounding) + p.outputOffset;
          out[((b * od.h + oy) * od.w + ox) * cOut + oc] = Math.min(p.actMax, Math.max(p.actMin, v));
        }
  return out;
}

function randomCase(r: () => number, depthwise: boolean, force1x1 = false): RefConv {
  const n = intIn(r, 1, 2);
  const groups = depthwise || force1x1 ? 1 : r() < 0.3 ? intIn(r, 2, 3) : 1;
  const ck = intIn(r, 1, 4);
  const cIn = depthwise ? intIn(r, 1, 5) : ck * groups;
  const mult = depthwise ? intIn(r, 1, 3) : 0;
  const cOut = depthwise ? cIn * mult : groups * intIn(r, 1, 4);
  const kH = force1x1 ? 1 : intIn(r, 1, 4);
  const kW = force1x1 ? 1 : intIn(r, 1, 4);
  const stride = { h: intIn(r, 1, 3), w: intIn(r, 1, 3) };
  const dilation = force1x1 ? { h: 1, w: 1 } : { h: intIn(r, 1, 2), w: intIn(r, 1, 3) };
  const padding = force1x1 ? { h: 0, w: 0 } : { h: intIn(r, 0, 2), w: intIn(r, 0, 2) };
  const inH = intIn(r, 1, 9);
  const inW = intIn(r, 1, 9);
  // Output size of TFLite padding with an extra bottom/right pad of 0 or 1 (asymmetric SAME padding).
  const outH = Math.max(1, Math.floor((inH + 2 * padding.h + intIn(r, 0, 1) - dilation.h * (kH - 1) - 1) / stride.h) + 1);
  const outW = Math.max(1, Math.floor((inW + 2 * padding.w + intIn(r, 0, 1) - dilation.w * (kW - 1) - 1) / stride.w) + 1);
  const inputDims = { n, h: inH, w: inW, c: cIn };
  const filterDims = depthwise ? { n: 1, h: kH, w: kW, c: cOut } : { n: cOut, h: kH, w: kW, c: ck };
  const zpIn = intIn(r, -128, 127);
  return {
    input: randI8(r, size(inputDims)),
    inputDims,
    filter: randI8(r, size(filterDims), -127, 127),
    filterDims,
    bias: r() < 0.8 ? Int32Array.from({ length: cOut }, () => intIn(r, -40000, 40000)) : undefined,
    outputDims: { n, h: outH, w: outW, c: cOut },
    inputOffset: -zpIn,
    outputOffset: intIn(r, -128, 127),
    stride,
    padding,
    dilation,
    actMin: intIn(r, -128, -60),
    actMax: intIn(r, 60, 127),
    multipliers: Int32Array.from({ length: cOut }, () => intIn(r, 1 << 30, 2147483647)),
    shifts: Int32Array.from({ length: cOut }, () => intIn(r, -14, -6)),
    rounding: r() < 0.5 ? 'double' : 'single',
    depthwise,
  };
}

function convArgs(p: RefConv): ConvS8Args {
  const args: ConvS8Args = {
    input: p.input, inputDims: p.inputDims, filter: p.filter, filterDims: p.filterDims, outputDims: p.outputDims,
    inputOffset: p.inputOffset, outputOffset: p.outputOffset, stride: p.stride, padding: p.padding, dilation: p.dilation,
    activation: { min: p.actMin, max: p.actMax }, quant: { multipliers: p.multipliers, shifts: p.shifts }, rounding: p.rounding,
  };
  if (p.bias) args.bias = p.bias;
  return args;
}

describe('convS8', () => {
  it('matches the BigInt reference on 150 random shapes (stride, padding, dilation, groups, both roundings)', () => {
    const r = rng(11);
    let nonTrivial = 0;
    for (let t = 0; t < 150; t++) {
      const p = randomCase(r, false);
      const got = convS8(convArgs(p));
      const want = referenceConv(p);
      expect(Array.from(got), `case ${t}: ${JSON.stringify({ i: p.inputDims, f: p.filterDims, o: p.outputDims, s: p.stride, p: p.padding, d: p.dilation })}`).toEqual(Array.from(want));
      if (got.some((v) => v !== p.actMin && v !== p.actMax)) nonTrivial++;
    }
    expect(nonTrivial).toBeGreaterThan(100);
  });
  it('is exact for a hand-computed 2×2 case with padding and an output zero point', () => {
    // 1×2×2×1 input [1, 2, 3, 4], zp 1; 2×2 ones filter; pad 1 → 3×3 output; M = 0.5.
    const out = convS8({
      input: Int8Array.of(1, 2, 3, 4), inputDims: { n: 1, h: 2, w: 2, c: 1 },
      filter: Int8Array.of(1, 1, 1, 1), filterDims: { n: 1, h: 2, w: 2, c: 1 }, bias: Int32Array.of(1),
      outputDims: { n: 1, h: 3, w: 3, c: 1 }, inputOffset: -1, outputOffset: 5, stride: { h: 1, w: 1 }, padding: { h: 1, w: 1 },
      activation: { min: -128, max: 127 }, quant: { multipliers: Int32Array.of(1 << 30), shifts: Int32Array.of(0) },
    });
    // Window sums of (x − 1) = [0, 1, 2, 3]: [0 1 1 / 2 6 4 / 2 5 3]; +bias 1, halved with ties away from zero, +5.
    expect(Array.from(out)).toEqual([6, 6, 6, 7, 9, 8, 7, 8, 7]);
  });
  it('rejects inconsistent shapes with QF_INVALID_ARGUMENT', () => {
    const p = randomCase(rng(12), false);
    expect(() => convS8({ ...convArgs(p), input: p.input.subarray(1) })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
    expect(() => convS8({ ...convArgs(p), inputOffset: -128 })).toThrow(/inputOffset/);
    expect(() => convS8({ ...convArgs(p), quant: { multipliers: new Int32Array(0), shifts: new Int32Array(0) } })).toThrow(/multipliers/);
  });
});

describe('conv1x1S8', () => {
  it('equals convS8 on 60 random 1×1 cases (strides 1–3)', () => {
    const r = rng(13);
    for (let t = 0; t < 60; t++) {
      const p = randomCase(r, false, true);
      expect(Array.from(conv1x1S8(convArgs(p)))).toEqual(Array.from(convS8(convArgs(p))));
    }
  });
  it('refuses a non-1×1 geometry', () => {
    const p = randomCase(rng(14), false, true);
    expect(() => conv1x1S8({ ...convArgs(p), padding: { h: 1, w: 0 } })).toThrow(/1×1/);
  });
});

describe('depthwiseConvS8', () => {
  it('matches the BigInt reference on 150 random shapes with depth multipliers 1–3', () => {
    const r = rng(15);
    for (let t = 0; t < 150; t++) {
      const p = randomCase(r, true);
      const got = depthwiseConvS8({ ...convArgs(p), depthMultiplier: p.outputDims.c / p.inputDims.c });
      expect(Array.from(got), `case ${t}`).toEqual(Array.from(referenceConv(p)));
    }
  });
  it('rejects a channel count that is not C_IN · depthMultiplier', () => {
    const p = randomCase(rng(16), true);
    expect(() => depthwiseConvS8({ ...convArgs(p), depthMultiplier: p.outputDims.c / p.inputDims.c + 1 })).toThrow(/depthwise filter/);
  });
});
