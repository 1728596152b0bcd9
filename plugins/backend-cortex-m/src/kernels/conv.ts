import type { RoundingMode } from '../arith/multiplier.js';
import { requantizerFor } from '../arith/requantize.js';
import {
  checkActivation,
  checkDims,
  checkLength,
  checkOffsets,
  checkPerChannel,
  checkTile,
  invalid,
  outputBuffer,
  type ActivationClamp,
  type Dims4,
  type PerChannelQuant,
  type Tile,
} from './types.js';

/** Arguments of {@link convS8} (CMSIS-NN `arm_convolve_s8` / TFLite `ConvPerChannel`). */
export interface ConvS8Args {
  input: Int8Array;
  /** [N, H, W, C_IN]. */
  inputDims: Dims4;
  filter: Int8Array;
  /** [C_OUT, HK, WK, CK]; CK < C_IN is a grouped convolution with C_IN / CK groups. */
  filterDims: Dims4;
  /** int32 [C_OUT], optional. */
  bias?: Int32Array;
  /** [N, H_OUT, W_OUT, C_OUT]. */
  outputDims: Dims4;
  /** −input zero point. */
  inputOffset: number;
  /** +output zero point. */
  outputOffset: number;
  stride: Tile;
  /** Top/left padding; the bottom/right padding is implied by `outputDims`. */
  padding: Tile;
  /** Defaults to 1×1. */
  dilation?: Tile;
  activation: ActivationClamp;
  quant: PerChannelQuant;
  /** Requantization build, default `'double'` (TFLM); `'single'` = `CMSIS_NN_USE_SINGLE_ROUNDING`. */
  rounding?: RoundingMode;
  /** Written and returned when given. */
  output?: Int8Array;
}

interface ConvGeometry {
  groups: number;
  outPerGroup: number;
  dilation: Tile;
}

function checkConv(a: ConvS8Args, rounding: RoundingMode): ConvGeometry {
  checkLength('input', a.input, checkDims('inputDims', a.inputDims));
  checkLength('filter', a.filter, checkDims('filterDims', a.filterDims));
  checkDims('outputDims', a.outputDims);
  const dilation = a.dilation ?? { h: 1, w: 1 };
  checkTile('stride', a.stride, 1);
  checkTile('dilation', dilation, 1);
  checkTile('padding', a.padding, 0);
  checkOffsets(a.inputOffset, a.outputOffset);
  checkActivation(a.activation);
  const cIn = a.inputDims.c;
  const ck = a.filterDims.c;
  const cOut = a.filterDims.n;
  if (cIn % ck !== 0) throw invalid(`input channels ${cIn} are not a multiple of filter channels ${ck}`, { cIn, ck });
  const groups = cIn / ck;
  if (cOut % groups !== 0) throw invalid(`output channels ${cOut} are not a multiple of the ${groups} groups`, { cOut, groups });
  if (a.outputDims.c !== cOut || a.outputDims.n !== a.inputDims.n) {
    throw invalid('outputDims must have the batch of the input and the channels of the filter', { outputDims: a.outputDims });
  }
  if (a.bias !== undefined) checkLength('bias', a.bias, cOut);
  checkPerChannel(a.quant, cOut, rounding);
  return { groups, outPerGroup: cOut / groups, dilation };
}

/**
 * int8 2-D convolution, bit-exact with CMSIS-NN `arm_convolve_s8` and TFLite `ConvPerChannel`:
 * `acc = bias[oc] + Σ w·(x + inputOffset)` over in-image taps (padding contributes 0 = the input zero point),
 * then `MBQM(acc, M[oc], shift[oc]) + outputOffset`, clamped. Supports stride, dilation, asymmetric padding (via
 * `outputDims`) and groups.
 *
 * @example
 * ```ts
 * const y = convS8({
 *   input: Int8Array.of(1, 2, 3, 4), inputDims: { n: 1, h: 2, w: 2, c: 1 },
 *   filter: Int8Array.of(1, 1, 1, 1), filterDims: { n: 1, h: 2, w: 2, c: 1 },
 *   outputDims: { n: 1, h: 1, w: 1, c: 1 }, inputOffset: 0, outputOffset: 0,
 *   stride: { h: 1, w: 1 }, padding: { h: 0, w: 0 }, activation: { min: -128, max: 127 },
 *   quant: { multipliers: Int32Array.of(1 << 30), shifts: Int32Array.of(1) },
 * }); // Int8Array [10]
 * ```
 */
export function convS8(a: ConvS8Args): Int8Array {
  const rounding = a.rounding ?? 'double';
  const { outPerGroup, dilation } = checkConv(a, rounding);
  const rq = requantizerFor(rounding);
  const { input, filter, bias, inputOffset, outputOffset, stride, padding } = a;
  const { h: inH, w: inW, c: cIn } = a.inputDims;
  const { h: kH, w: kW, c: ck } = a.filterDims;
  const { n: batches, h: outH, w: outW, c: cOut } = a.outputDims;
  const { multipliers, shifts } = a.quant;
  const actMin = a.activation.min;
  const actMax = a.activation.max;
  const out = outputBuffer(a.output, batches * outH * outW * cOut);
  let o = 0;
  for (let b = 0; b < batches; b++) {
    const inBatch = b * inH * inW * cIn;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride.h - padding.h;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride.w - padding.w;
        for (let oc = 0; oc < cOut; oc++) {
          const inChannel0 = ((oc / outPerGroup) | 0) * ck;
          const filterOc = oc * kH * kW * ck;
          // Doubles hold the exact sum (|acc| < 2^53); `| 0` afterwards equals C's wrapping int32 accumulation.
          let acc = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = y0 + ky * dilation.h;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = x0 + kx * dilation.w;
              if (ix < 0 || ix >= inW) continue;
              const inBase = inBatch + (iy * inW + ix) * cIn + inChannel0;
              const fBase = filterOc + (ky * kW + kx) * ck;
              for (let ic = 0; ic < ck; ic++) acc += (filter[fBase + ic] as number) * ((input[inBase + ic] as number) + inputOffset);
            }
          }
          if (bias !== undefined) acc += bias[oc] as number;
          let v = rq(acc | 0, multipliers[oc] as number, shifts[oc] as number) + outputOffset;
          v = v < actMin ? actMin : v > actMax ? actMax : v;
          out[o++] = v;
        }
      }
    }
  }
  return out;
}

/**
 * The 1×1 convolution fast path (CMSIS-NN `arm_convolve_1x1_s8_fast` / `arm_convolve_1x1_s8`): pad 0, 1×1 kernel,
 * dilation 1, no groups. Each output pixel is a matrix-vector product of one input pixel; the result is identical to
 * {@link convS8} (tests check equality), only the loop is simpler. Throws `QF_INVALID_ARGUMENT` outside its domain.
 *
 * @example
 * ```ts
 * conv1x1S8({ ...args, filterDims: { n: 8, h: 1, w: 1, c: 4 }, padding: { h: 0, w: 0 } });
 * ```
 */
export function conv1x1S8(a: ConvS8Args): Int8Array {
  const dilation = a.dilation ?? { h: 1, w: 1 };
  if (
    a.filterDims.h !== 1 || a.filterDims.w !== 1 || a.padding.h !== 0 || a.padding.w !== 0 ||
    dilation.h !== 1 || dilation.w !== 1 || a.filterDims.c !== a.inputDims.c
  ) {
    throw invalid('conv1x1S8 needs a 1×1 filter with C_IN channels, no padding and dilation 1', { filterDims: a.filterDims, padding: a.padding });
  }
  const rounding = a.rounding ?? 'double';
  checkConv(a, rounding);
  const rq = requantizerFor(rounding);
  const { input, filter, bias, inputOffset, outputOffset, stride } = a;
  const { h: inH, w: inW, c: cIn } = a.inputDims;
  const { n: batches, h: outH, w: outW, c: cOut } = a.outputDims;
  const { multipliers, shifts } = a.quant;
  const actMin = a.activation.min;
  const actMax = a.activation.max;
  const out = outputBuffer(a.output, batches * outH * outW * cOut);
  let o = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy = oy * stride.h;
      for (let ox = 0; ox < outW; ox++) {
        const ix = ox * stride.w;
        const inside = iy < inH && ix < inW;
        const inBase = ((b * inH + iy) * inW + ix) * cIn;
        for (let oc = 0; oc < cOut; oc++) {
          let acc = bias === undefined ? 0 : (bias[oc] as number);
          if (inside) {
            const fBase = oc * cIn;
            for (let ic = 0; ic < cIn; ic++) acc += (filter[fBase + ic] as number) * ((input[inBase + ic] as number) + inputOffset);
          }
          let v = rq(acc | 0, multipliers[oc] as number, shifts[oc] as number) + outputOffset;
          v = v < actMin ? actMin : v > actMax ? actMax : v;
          out[o++] = v;
        }
      }
    }
  }
  return out;
}
