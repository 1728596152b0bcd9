import { multiplyByQuantizedMultiplierInt64 } from '../arith/requantize.js';
import { poolInto } from './pooling.js';
import { checkDims, checkLength, checkTile, invalid, type ActivationClamp, type Dims4, type PerChannelQuant, type Tile } from './types.js';

// int16x8 kernels (TFLite reference_integer_ops int16 paths, CMSIS-NN arm_*_s16): int16 symmetric activations (no
// offsets), int8 weights, int64 bias and accumulator, requantized with the int64 MultiplyByQuantizedMultiplier
// (reduced 16-bit multiplier, one rounding). Accumulators are doubles: every sum stays an exact integer below 2^53,
// and the requantizer rejects |acc| ≥ 2^47 (its documented domain), so no C int64 wrap can be missed.

const INT16_MIN = -32768;
const INT16_MAX = 32767;

/** Arguments of {@link convS16} and {@link depthwiseConvS16}. */
export interface ConvS16Args {
  input: Int16Array;
  /** [N, H, W, C_IN]. */
  inputDims: Dims4;
  filter: Int8Array;
  /** conv [C_OUT, HK, WK, CK] (CK < C_IN: groups); depthwise [1, HK, WK, C_OUT]. */
  filterDims: Dims4;
  /** int64 [C_OUT], optional. */
  bias?: BigInt64Array;
  outputDims: Dims4;
  stride: Tile;
  padding: Tile;
  dilation?: Tile;
  activation: ActivationClamp;
  quant: PerChannelQuant;
  output?: Int16Array;
}

function checkClamp16(a: ActivationClamp): void {
  if (!Number.isInteger(a.min) || !Number.isInteger(a.max) || a.min < INT16_MIN || a.max > INT16_MAX || a.min > a.max) {
    throw invalid(`the int16 activation range must satisfy −32768 ≤ min ≤ max ≤ 32767 (got [${a.min}, ${a.max}])`, { activation: a });
  }
}

function out16(given: Int16Array | undefined, size: number): Int16Array {
  if (given === undefined) return new Int16Array(size);
  checkLength('output', given, size);
  return given;
}

function biasAt(bias: BigInt64Array | undefined, c: number): number {
  return bias === undefined ? 0 : Number(bias[c]!);
}

function finish(acc: number, m: number, s: number, a: ActivationClamp): number {
  const v = multiplyByQuantizedMultiplierInt64(acc, m, s);
  return v < a.min ? a.min : v > a.max ? a.max : v;
}

function checkConvCommon(a: ConvS16Args, cOut: number): Tile {
  checkLength('input', a.input, checkDims('inputDims', a.inputDims));
  checkLength('filter', a.filter, checkDims('filterDims', a.filterDims));
  checkDims('outputDims', a.outputDims);
  const dilation = a.dilation ?? { h: 1, w: 1 };
  checkTile('stride', a.stride, 1);
  checkTile('dilation', dilation, 1);
  checkTile('padding', a.padding, 0);
  checkClamp16(a.activation);
  if (a.outputDims.c !== cOut || a.outputDims.n !== a.inputDims.n) throw invalid('outputDims must have the input batch and C_OUT channels', { outputDims: a.outputDims });
  if (a.bias !== undefined) checkLength('bias', a.bias, cOut);
  checkLength('multipliers', a.quant.multipliers, cOut);
  checkLength('shifts', a.quant.shifts, cOut);
  return dilation;
}

/**
 * int16x8 2-D convolution (TFLite `ConvPerChannel` int16 with int64 bias, CMSIS-NN `arm_convolve_s16`):
 * `acc = bias[oc] + Σ w·x` in int64 over in-image taps (padding contributes 0), then the int64 MBQM, clamped.
 * Groups when CK < C_IN; a 1×1 filter needs no other path (the result is the same).
 *
 * @example
 * ```ts
 * convS16({ input: Int16Array.of(1000, 2000), inputDims: { n: 1, h: 1, w: 1, c: 2 }, filter: Int8Array.of(1, 2),
 *   filterDims: { n: 1, h: 1, w: 1, c: 2 }, outputDims: { n: 1, h: 1, w: 1, c: 1 }, stride: { h: 1, w: 1 },
 *   padding: { h: 0, w: 0 }, activation: { min: -32768, max: 32767 },
 *   quant: { multipliers: Int32Array.of(1 << 30), shifts: Int32Array.of(0) } }); // Int16Array [2500]
 * ```
 */
export function convS16(a: ConvS16Args): Int16Array {
  const { n: batches, h: outH, w: outW, c: cOut } = a.outputDims;
  const dilation = checkConvCommon(a, a.filterDims.n);
  const { h: inH, w: inW, c: cIn } = a.inputDims;
  const { h: kH, w: kW, c: ck } = a.filterDims;
  if (cIn % ck !== 0 || cOut % (cIn / ck) !== 0) throw invalid(`filter channels ${ck} must divide C_IN ${cIn} and the groups C_OUT ${cOut}`, { cIn, ck, cOut });
  const outPerGroup = cOut / (cIn / ck);
  const { input, filter, bias, stride, padding } = a;
  const out = out16(a.output, batches * outH * outW * cOut);
  let o = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride.h - padding.h;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride.w - padding.w;
        for (let oc = 0; oc < cOut; oc++) {
          const c0 = ((oc / outPerGroup) | 0) * ck;
          let acc = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = y0 + ky * dilation.h;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = x0 + kx * dilation.w;
              if (ix < 0 || ix >= inW) continue;
              const inBase = ((b * inH + iy) * inW + ix) * cIn + c0;
              const fBase = ((oc * kH + ky) * kW + kx) * ck;
              for (let ic = 0; ic < ck; ic++) acc += (filter[fBase + ic] as number) * (input[inBase + ic] as number);
            }
          }
          out[o++] = finish(acc + biasAt(bias, oc), a.quant.multipliers[oc]!, a.quant.shifts[oc]!, a.activation);
        }
      }
    }
  }
  return out;
}

/**
 * int16x8 depthwise convolution (TFLite `DepthwiseConvPerChannel` int16, CMSIS-NN `arm_depthwise_conv_s16`): output
 * channel `oc` reads input channel `oc / depthMultiplier`; int64 accumulation and requantization as {@link convS16}.
 *
 * @example
 * ```ts
 * depthwiseConvS16({ ...args, filterDims: { n: 1, h: 3, w: 3, c: 8 }, depthMultiplier: 1 });
 * ```
 */
export function depthwiseConvS16(a: ConvS16Args & { depthMultiplier: number }): Int16Array {
  const { n: batches, h: outH, w: outW, c: cOut } = a.outputDims;
  const dilation = checkConvCommon(a, a.filterDims.c);
  const { h: inH, w: inW, c: cIn } = a.inputDims;
  const { h: kH, w: kW } = a.filterDims;
  if (cOut !== cIn * a.depthMultiplier) throw invalid(`C_OUT ${cOut} must be C_IN ${cIn} × depthMultiplier ${a.depthMultiplier}`, { cIn, cOut });
  const { input, filter, bias, stride, padding } = a;
  const out = out16(a.output, batches * outH * outW * cOut);
  let o = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride.h - padding.h;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride.w - padding.w;
        for (let oc = 0; oc < cOut; oc++) {
          const ic = (oc / a.depthMultiplier) | 0;
          let acc = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = y0 + ky * dilation.h;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = x0 + kx * dilation.w;
              if (ix < 0 || ix >= inW) continue;
              acc += (filter[(ky * kW + kx) * cOut + oc] as number) * (input[((b * inH + iy) * inW + ix) * cIn + ic] as number);
            }
          }
          out[o++] = finish(acc + biasAt(bias, oc), a.quant.multipliers[oc]!, a.quant.shifts[oc]!, a.activation);
        }
      }
    }
  }
  return out;
}

/** Arguments of {@link fullyConnectedS16}: weights `[C_OUT][K]`, one (multiplier, shift) per tensor or per output. */
export interface FullyConnectedS16Args {
  input: Int16Array;
  batches: number;
  accumDepth: number;
  filter: Int8Array;
  outputDepth: number;
  bias?: BigInt64Array;
  activation: ActivationClamp;
  quant: PerChannelQuant;
  output?: Int16Array;
}

/**
 * int16x8 fully-connected (TFLite `FullyConnected` int16 with int64 bias, CMSIS-NN `arm_fully_connected_s16`):
 * `acc = bias[o] + Σ w·x` in int64, int64 MBQM with channel `o`'s (or the single) multiplier, clamped.
 *
 * @example
 * ```ts
 * fullyConnectedS16({ input: Int16Array.of(100, -50), batches: 1, accumDepth: 2, filter: Int8Array.of(3, 4), outputDepth: 1,
 *   activation: { min: -32768, max: 32767 }, quant: { multipliers: Int32Array.of(1 << 30), shifts: Int32Array.of(1) } }); // Int16Array [100]
 * ```
 */
export function fullyConnectedS16(a: FullyConnectedS16Args): Int16Array {
  const { batches, accumDepth: k, outputDepth: cOut, input, filter, bias } = a;
  checkLength('input', input, batches * k);
  checkLength('filter', filter, cOut * k);
  checkClamp16(a.activation);
  if (bias !== undefined) checkLength('bias', bias, cOut);
  const perChannel = a.quant.multipliers.length !== 1;
  if (perChannel) checkLength('multipliers', a.quant.multipliers, cOut);
  const out = out16(a.output, batches * cOut);
  for (let b = 0; b < batches; b++) {
    for (let oc = 0; oc < cOut; oc++) {
      let acc = 0;
      for (let i = 0; i < k; i++) acc += (filter[oc * k + i] as number) * (input[b * k + i] as number);
      const q = perChannel ? oc : 0;
      out[b * cOut + oc] = finish(acc + biasAt(bias, oc), a.quant.multipliers[q]!, a.quant.shifts[q]!, a.activation);
    }
  }
  return out;
}

/** Arguments of {@link avgPoolS16} and {@link maxPoolS16}. */
export interface PoolS16Args {
  input: Int16Array;
  inputDims: Dims4;
  filter: Tile;
  stride: Tile;
  padding: Tile;
  outputDims: Dims4;
  activation: ActivationClamp;
  output?: Int16Array;
}

function pool16(a: PoolS16Args, average: boolean): Int16Array {
  checkLength('input', a.input, checkDims('inputDims', a.inputDims));
  checkDims('outputDims', a.outputDims);
  checkClamp16(a.activation);
  const { n, c } = a.inputDims;
  return poolInto(a, average, out16(a.output, n * a.outputDims.h * a.outputDims.w * c), INT16_MIN);
}

/**
 * int16 average pooling (TFLite `AveragePool` int16, CMSIS-NN `arm_avgpool_s16`): the int32 sum of in-image taps,
 * divided by their count rounding half away from zero (`(acc ± count/2) / count`, C truncation), clamped.
 *
 * @example
 * ```ts
 * avgPoolS16({ input: Int16Array.of(-1, -2), inputDims: { n: 1, h: 1, w: 2, c: 1 }, filter: { h: 1, w: 2 }, stride: { h: 1, w: 2 },
 *   padding: { h: 0, w: 0 }, outputDims: { n: 1, h: 1, w: 1, c: 1 }, activation: { min: -32768, max: 32767 } }); // Int16Array [-2]
 * ```
 */
export function avgPoolS16(a: PoolS16Args): Int16Array {
  return pool16(a, true);
}

/**
 * int16 max pooling (TFLite `MaxPool` int16, CMSIS-NN `arm_max_pool_s16`), then clamped.
 *
 * @example
 * ```ts
 * maxPoolS16({ ...args, input: Int16Array.of(-1, -2) }); // Int16Array [-1]
 * ```
 */
export function maxPoolS16(a: PoolS16Args): Int16Array {
  return pool16(a, false);
}
