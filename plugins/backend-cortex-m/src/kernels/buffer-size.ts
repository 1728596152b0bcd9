import type { Dims4, Tile } from './types.js';

/** CMSIS-NN build variant: pure C (M0/M3), DSP extension (M4/M7/M33, `ARM_MATH_DSP`), Helium (M55/M85, `ARM_MATH_MVEI`). */
export type CpuFeature = 'none' | 'dsp' | 'mve';

/** Convolution geometry as `cmsis_nn_conv_params` holds it. */
export interface ConvGeometry {
  stride: Tile;
  padding: Tile;
  dilation?: Tile;
}

/** The kernel `arm_convolve_wrapper_s8` dispatches to. */
export type ConvKernelName = 'arm_convolve_1x1_s8_fast' | 'arm_convolve_1x1_s8' | 'arm_convolve_1_x_n_s8' | 'arm_convolve_s8';

/** The kernel `arm_depthwise_conv_wrapper_s8` dispatches to (`3x3` only without MVE). */
export type DepthwiseKernelName = 'arm_depthwise_conv_3x3_s8' | 'arm_depthwise_conv_s8_opt' | 'arm_depthwise_conv_s8';

const INT16 = 2;
const INT32 = 4;
const CH_IN_BLOCK_MVE = 124;

/**
 * Which kernel `arm_convolve_wrapper_s8` runs: 1×1 (pad 0, dilation 1, no groups; `_fast` at stride 1), 1×N
 * (input and filter height 1, dilation.w 1, `stride.w·C_IN % 4 == 0`, no groups), else the generic kernel.
 *
 * @example
 * ```ts
 * convolveWrapperS8Kernel({ stride: { h: 1, w: 1 }, padding: { h: 0, w: 0 } }, { n: 1, h: 8, w: 8, c: 16 }, { n: 32, h: 1, w: 1, c: 16 });
 * // 'arm_convolve_1x1_s8_fast'
 * ```
 */
export function convolveWrapperS8Kernel(conv: ConvGeometry, inputDims: Dims4, filterDims: Dims4): ConvKernelName {
  const dilation = conv.dilation ?? { h: 1, w: 1 };
  const ungrouped = inputDims.c === filterDims.c;
  if (conv.padding.w === 0 && conv.padding.h === 0 && filterDims.w === 1 && filterDims.h === 1 && dilation.w === 1 && dilation.h === 1 && ungrouped) {
    return conv.stride.w === 1 && conv.stride.h === 1 ? 'arm_convolve_1x1_s8_fast' : 'arm_convolve_1x1_s8';
  }
  if (inputDims.h === 1 && dilation.w === 1 && filterDims.h === 1 && (conv.stride.w * inputDims.c) % 4 === 0 && ungrouped) {
    return 'arm_convolve_1_x_n_s8';
  }
  return 'arm_convolve_s8';
}

/**
 * `arm_convolve_s8_get_buffer_size` (bytes): im2col of two columns of int16, `2·align4(WK·HK·C_IN)·2` without MVE;
 * `4·ceil(C_IN·WK·HK / 16)·16` with MVE.
 *
 * @example
 * ```ts
 * convolveS8BufferSize('dsp', { n: 1, h: 8, w: 8, c: 3 }, { n: 8, h: 3, w: 3, c: 3 }); // 112
 * ```
 */
export function convolveS8BufferSize(feature: CpuFeature, inputDims: Dims4, filterDims: Dims4): number {
  const cols = filterDims.w * filterDims.h * inputDims.c;
  if (feature === 'mve') return 4 * Math.ceil(cols / 16) * 16;
  const aligned = cols % 4 === 0 ? cols : cols + 4 - (cols % 4);
  return 2 * aligned * INT16;
}

/**
 * `arm_convolve_1x1_s8_fast_get_buffer_size` (bytes): `2·C_IN·2` on DSP builds compiled with Arm Compiler 6
 * (`__ARMCC_VERSION ≥ 6010050`), otherwise 0.
 *
 * @example
 * ```ts
 * convolve1x1S8FastBufferSize('dsp', { n: 1, h: 4, w: 4, c: 16 }, { armCompiler6: true }); // 64
 * ```
 */
export function convolve1x1S8FastBufferSize(feature: CpuFeature, inputDims: Dims4, options: { armCompiler6?: boolean } = {}): number {
  return feature === 'dsp' && options.armCompiler6 === true ? 2 * inputDims.c * INT16 : 0;
}

/**
 * `arm_convolve_1_x_n_s8_get_buffer_size` (bytes): as {@link convolveS8BufferSize} without MVE; with MVE the
 * padded-edge buffer `max(WK·C + padLeft·C, (WK − 1)·C + padRight·C)`, or the generic MVE size when the output
 * columns do not split into left-padded, unpadded and right-padded parts.
 *
 * @example
 * ```ts
 * convolve1xNS8BufferSize('mve', { stride: { h: 1, w: 1 }, padding: { h: 0, w: 1 } },
 *   { n: 1, h: 1, w: 16, c: 8 }, { n: 4, h: 1, w: 3, c: 8 }, { n: 1, h: 1, w: 16, c: 4 }); // 32
 * ```
 */
export function convolve1xNS8BufferSize(feature: CpuFeature, conv: ConvGeometry, inputDims: Dims4, filterDims: Dims4, outputDims: Dims4): number {
  if (feature !== 'mve') return convolveS8BufferSize(feature, inputDims, filterDims);
  const c = inputDims.c;
  const padX = conv.padding.w;
  const strideX = conv.stride.w;
  const outX = outputDims.w;
  const totalPad = (outX - 1) * strideX + filterDims.w - inputDims.w;
  const asymPad = totalPad % 2; // C remainder: keeps the sign of a negative total
  const ceilDiv = (a: number, b: number): number => Math.trunc((a + b - 1) / b);
  const rightPadNum = padX + asymPad !== 0 ? Math.max(1, ceilDiv(padX + asymPad, strideX)) : 0;
  const leftPadNum = padX !== 0 ? Math.max(1, ceilDiv(padX, strideX)) : 0;
  const noPadNum = Math.max(outX - (rightPadNum + leftPadNum), 0);
  if (rightPadNum + noPadNum + leftPadNum !== outX) return convolveS8BufferSize('mve', inputDims, filterDims);
  const padSizeLeft = padX * c;
  const padSizeRight = asymPad !== 0 ? rightPadNum * c : padSizeLeft;
  const numElemLeft = filterDims.w * c;
  const numElemRight = numElemLeft - c;
  return Math.max(numElemLeft + padSizeLeft, numElemRight + padSizeRight);
}

/**
 * `arm_convolve_wrapper_s8_get_buffer_size{,_dsp,_mve}` (bytes) for the kernel {@link convolveWrapperS8Kernel} picks.
 *
 * @example
 * ```ts
 * convolveWrapperS8BufferSize('none', { stride: { h: 1, w: 1 }, padding: { h: 1, w: 1 } },
 *   { n: 1, h: 8, w: 8, c: 3 }, { n: 8, h: 3, w: 3, c: 3 }, { n: 1, h: 8, w: 8, c: 8 }); // 112
 * ```
 */
export function convolveWrapperS8BufferSize(
  feature: CpuFeature,
  conv: ConvGeometry,
  inputDims: Dims4,
  filterDims: Dims4,
  outputDims: Dims4,
  options: { armCompiler6?: boolean } = {},
): number {
  switch (convolveWrapperS8Kernel(conv, inputDims, filterDims)) {
    case 'arm_convolve_1x1_s8_fast':
      return convolve1x1S8FastBufferSize(feature, inputDims, options);
    case 'arm_convolve_1x1_s8':
      return 0;
    case 'arm_convolve_1_x_n_s8':
      return convolve1xNS8BufferSize(feature, conv, inputDims, filterDims, outputDims);
    default:
      return convolveS8BufferSize(feature, inputDims, filterDims);
  }
}

function depthwiseOptEligible(inputDims: Dims4, outputDims: Dims4, dilation: Tile): boolean {
  return inputDims.c === outputDims.c && inputDims.n === 1 && dilation.w === 1 && dilation.h === 1;
}

/**
 * Which kernel `arm_depthwise_conv_wrapper_s8` runs: with depth multiplier 1, batch 1 and dilation 1 the optimized
 * kernel (or, without MVE, the 3×3 kernel when the filter is 3×3 and padding ≤ 1), otherwise the generic one.
 *
 * @example
 * ```ts
 * depthwiseConvWrapperS8Kernel('dsp', { padding: { h: 1, w: 1 } }, { n: 1, h: 8, w: 8, c: 8 }, { n: 1, h: 3, w: 3, c: 8 }, { n: 1, h: 8, w: 8, c: 8 });
 * // 'arm_depthwise_conv_3x3_s8'
 * ```
 */
export function depthwiseConvWrapperS8Kernel(
  feature: CpuFeature,
  conv: { padding: Tile; dilation?: Tile },
  inputDims: Dims4,
  filterDims: Dims4,
  outputDims: Dims4,
): DepthwiseKernelName {
  if (!depthwiseOptEligible(inputDims, outputDims, conv.dilation ?? { h: 1, w: 1 })) return 'arm_depthwise_conv_s8';
  if (feature !== 'mve' && filterDims.w === 3 && filterDims.h === 3 && conv.padding.h <= 1 && conv.padding.w <= 1) return 'arm_depthwise_conv_3x3_s8';
  return 'arm_depthwise_conv_s8_opt';
}

/**
 * `arm_depthwise_conv_wrapper_s8_get_buffer_size{,_dsp,_mve}` (bytes): 0 for the generic and 3×3 kernels; for the
 * optimized kernel `C_IN·WK·HK·2` on DSP, `4·124·WK·HK` on MVE, 0 in pure C.
 *
 * @example
 * ```ts
 * depthwiseConvWrapperS8BufferSize('dsp', { padding: { h: 2, w: 2 } }, { n: 1, h: 8, w: 8, c: 8 }, { n: 1, h: 5, w: 5, c: 8 }, { n: 1, h: 8, w: 8, c: 8 });
 * // 400
 * ```
 */
export function depthwiseConvWrapperS8BufferSize(
  feature: CpuFeature,
  conv: { padding: Tile; dilation?: Tile },
  inputDims: Dims4,
  filterDims: Dims4,
  outputDims: Dims4,
): number {
  if (depthwiseConvWrapperS8Kernel(feature, conv, inputDims, filterDims, outputDims) !== 'arm_depthwise_conv_s8_opt') return 0;
  if (feature === 'mve') return 4 * CH_IN_BLOCK_MVE * filterDims.w * filterDims.h;
  if (feature === 'dsp') return inputDims.c * filterDims.w * filterDims.h * INT16;
  return 0;
}

/**
 * `arm_fully_connected_s8_get_buffer_size` (bytes): the MVE kernel-sum buffer `C_OUT·4`, else 0.
 *
 * @example
 * ```ts
 * fullyConnectedS8BufferSize('mve', 10); // 40
 * ```
 */
export function fullyConnectedS8BufferSize(feature: CpuFeature, outputDepth: number): number {
  return feature === 'mve' ? outputDepth * INT32 : 0;
}

/**
 * `arm_avgpool_s8_get_buffer_size` (bytes): `C·4` on DSP (int32 row sums), else 0.
 *
 * @example
 * ```ts
 * avgPoolS8BufferSize('dsp', 16); // 64
 * ```
 */
export function avgPoolS8BufferSize(feature: CpuFeature, channels: number): number {
  return feature === 'dsp' ? channels * INT32 : 0;
}

/**
 * Kernels without a `*_get_buffer_size` in CMSIS-NN (max pool, softmax, elementwise add/mul, reshape): always 0.
 *
 * @example
 * ```ts
 * noScratchBufferSize(); // 0
 * ```
 */
export function noScratchBufferSize(): number {
  return 0;
}
