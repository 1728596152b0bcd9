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

/** Arguments of {@link depthwiseConvS8} (CMSIS-NN `arm_depthwise_conv_s8` / TFLite `DepthwiseConvPerChannel`). */
export interface DepthwiseConvS8Args {
  input: Int8Array;
  /** [N, H, W, C_IN]. */
  inputDims: Dims4;
  filter: Int8Array;
  /** [1, HK, WK, C_OUT] with C_OUT = C_IN · depthMultiplier. */
  filterDims: Dims4;
  bias?: Int32Array;
  /** [N, H_OUT, W_OUT, C_OUT]. */
  outputDims: Dims4;
  /** `ch_mult`: output channels per input channel; default C_OUT / C_IN. */
  depthMultiplier?: number;
  inputOffset: number;
  outputOffset: number;
  stride: Tile;
  padding: Tile;
  dilation?: Tile;
  activation: ActivationClamp;
  quant: PerChannelQuant;
  rounding?: RoundingMode;
  output?: Int8Array;
}

/**
 * int8 depthwise convolution with a depth multiplier, bit-exact with CMSIS-NN `arm_depthwise_conv_s8` and TFLite
 * `DepthwiseConvPerChannel`: output channel `oc = ic·depthMultiplier + m` sees only input channel `ic`;
 * `acc = bias[oc] + Σ w[ky,kx,oc]·(x[iy,ix,ic] + inputOffset)` over in-image taps, then per-channel MBQM, offset, clamp.
 *
 * @example
 * ```ts
 * depthwiseConvS8({
 *   input: Int8Array.of(1, 2), inputDims: { n: 1, h: 1, w: 1, c: 2 },
 *   filter: Int8Array.of(3, 4), filterDims: { n: 1, h: 1, w: 1, c: 2 },
 *   outputDims: { n: 1, h: 1, w: 1, c: 2 }, inputOffset: 0, outputOffset: 0,
 *   stride: { h: 1, w: 1 }, padding: { h: 0, w: 0 }, activation: { min: -128, max: 127 },
 *   quant: { multipliers: Int32Array.of(1 << 30, 1 << 30), shifts: Int32Array.of(1, 1) },
 * }); // Int8Array [3, 8]
 * ```
 */
export function depthwiseConvS8(a: DepthwiseConvS8Args): Int8Array {
  const rounding = a.rounding ?? 'double';
  checkLength('input', a.input, checkDims('inputDims', a.inputDims));
  checkLength('filter', a.filter, checkDims('filterDims', a.filterDims));
  checkDims('outputDims', a.outputDims);
  const dilation = a.dilation ?? { h: 1, w: 1 };
  checkTile('stride', a.stride, 1);
  checkTile('dilation', dilation, 1);
  checkTile('padding', a.padding, 0);
  checkOffsets(a.inputOffset, a.outputOffset);
  checkActivation(a.activation);
  const { n: batches, h: inH, w: inW, c: cIn } = a.inputDims;
  const { h: kH, w: kW, c: cOut } = a.filterDims;
  const mult = a.depthMultiplier ?? cOut / cIn;
  if (a.filterDims.n !== 1 || !Number.isInteger(mult) || mult < 1 || cIn * mult !== cOut) {
    throw invalid(`the depthwise filter must be [1, HK, WK, C_IN·depthMultiplier] (C_IN ${cIn}, C_OUT ${cOut}, multiplier ${mult})`, {
      filterDims: a.filterDims,
      depthMultiplier: mult,
    });
  }
  if (a.outputDims.c !== cOut || a.outputDims.n !== batches) throw invalid('outputDims must be [N, H_OUT, W_OUT, C_OUT]', { outputDims: a.outputDims });
  if (a.bias !== undefined) checkLength('bias', a.bias, cOut);
  checkPerChannel(a.quant, cOut, rounding);
  const rq = requantizerFor(rounding);
  const { input, filter, bias, inputOffset, outputOffset, stride, padding } = a;
  const { h: outH, w: outW } = a.outputDims;
  const { multipliers, shifts } = a.quant;
  const actMin = a.activation.min;
  const actMax = a.activation.max;
  const out = outputBuffer(a.output, batches * outH * outW * cOut);
  let o = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride.h - padding.h;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride.w - padding.w;
        for (let oc = 0; oc < cOut; oc++) {
          const ic = (oc / mult) | 0;
          let acc = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = y0 + ky * dilation.h;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = x0 + kx * dilation.w;
              if (ix < 0 || ix >= inW) continue;
              const x = input[((b * inH + iy) * inW + ix) * cIn + ic] as number;
              acc += (filter[(ky * kW + kx) * cOut + oc] as number) * (x + inputOffset);
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
