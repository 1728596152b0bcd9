import {
  avgPoolS8BufferSize, convolveWrapperS8BufferSize, convolveWrapperS8Kernel, depthwiseConvWrapperS8BufferSize, depthwiseConvWrapperS8Kernel,
  fullyConnectedS8BufferSize, noScratchBufferSize, type CpuFeature, type Dims4,
} from '../kernels/index.js';
import type { KernelVariant } from '../profiles/op-table.js';

/** The geometry of one op (NHWC dims) that its scratch size and concrete kernel depend on. */
export interface ScratchQuery {
  targetOp: string;
  variant: KernelVariant;
  input: number[];
  output: number[];
  /** Filter height and width. */
  kernel?: [number, number];
  /** Filter channels (conv: C_in / groups). */
  filterChannels?: number;
  stride?: [number, number];
  padding?: [number, number];
  dilation?: [number, number];
}

const FEATURE: Record<KernelVariant, CpuFeature> = { c: 'none', dsp: 'dsp', mve: 'mve' };

function dims4(d: readonly number[]): Dims4 {
  const [n = 1, h = 1, w = 1, c = 1] = d.length === 2 ? [d[0]!, 1, 1, d[1]!] : d;
  return { n, h, w, c };
}

function geometry(q: ScratchQuery) {
  const [sh, sw] = q.stride ?? [1, 1];
  const [ph, pw] = q.padding ?? [0, 0];
  const [dh, dw] = q.dilation ?? [1, 1];
  return { stride: { h: sh, w: sw }, padding: { h: ph, w: pw }, dilation: { h: dh, w: dw } };
}

function filter(q: ScratchQuery): Dims4 {
  const [kh, kw] = q.kernel ?? [1, 1];
  const out = dims4(q.output);
  return q.targetOp === 'depthwise-conv2d' ? { n: 1, h: kh, w: kw, c: out.c } : { n: out.c, h: kh, w: kw, c: q.filterChannels ?? dims4(q.input).c };
}

/**
 * Scratch bytes of an op on a CPU variant, from the kernels' `*_get_buffer_size` ports in `src/kernels` (GCC build:
 * the 1×1 fast conv needs no buffer).
 *
 * @example
 * ```ts
 * scratchBytes({ targetOp: 'conv2d', variant: 'dsp', input: [1, 8, 8, 3], output: [1, 8, 8, 8], kernel: [3, 3], padding: [1, 1] }); // 112
 * ```
 */
export function scratchBytes(q: ScratchQuery): number {
  const feature = FEATURE[q.variant];
  switch (q.targetOp) {
    case 'conv2d':
    case 'conv2d-1x1':
      return convolveWrapperS8BufferSize(feature, geometry(q), dims4(q.input), filter(q), dims4(q.output));
    case 'depthwise-conv2d':
      return depthwiseConvWrapperS8BufferSize(feature, geometry(q), dims4(q.input), filter(q), dims4(q.output));
    case 'fully-connected':
      return fullyConnectedS8BufferSize(feature, q.output[q.output.length - 1]!);
    case 'avg-pool':
      return avgPoolS8BufferSize(feature, dims4(q.output).c);
    default:
      return noScratchBufferSize();
  }
}

/**
 * The kernel CMSIS-NN's conv / depthwise wrappers dispatch to for this geometry (other ops: their profile kernel).
 *
 * @example
 * ```ts
 * dispatchedKernel({ targetOp: 'conv2d', variant: 'dsp', input: [1, 8, 8, 16], output: [1, 4, 4, 8], kernel: [1, 1], stride: [2, 2] }, 'arm_convolve_s8');
 * // 'arm_convolve_1x1_s8'
 * ```
 */
export function dispatchedKernel(q: ScratchQuery, profileKernel: string): string {
  if (q.targetOp === 'conv2d' || q.targetOp === 'conv2d-1x1') return convolveWrapperS8Kernel(geometry(q), dims4(q.input), filter(q));
  if (q.targetOp === 'depthwise-conv2d') return depthwiseConvWrapperS8Kernel(FEATURE[q.variant], geometry(q), dims4(q.input), filter(q), dims4(q.output));
  return profileKernel;
}
