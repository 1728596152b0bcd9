import { attrInt, attrInts, attrString } from '@quantforge/core';
import type { KernelContext } from '../types.js';
import { attrError } from './util.js';

/**
 * Sliding-window geometry of Conv and the pools, always in 3 spatial dims: 1-D and 2-D problems are lifted by
 * leading spatial dims of size 1 (kernel 1, stride 1, no padding), so one loop nest serves every rank.
 */
export interface Window3 {
  /** Number of real spatial dims (1, 2 or 3). */
  rank: number;
  inD: number; inH: number; inW: number;
  kD: number; kH: number; kW: number;
  sD: number; sH: number; sW: number;
  dD: number; dH: number; dW: number;
  /** Padding at the start of each dim (the end padding only shapes the output size). */
  pD: number; pH: number; pW: number;
  outD: number; outH: number; outW: number;
  /** Output spatial dims in the real rank. */
  outSpatial: number[];
  /** Begin and end pads in the real rank, ONNX order (begins then ends). */
  pads: number[];
}

function lift(values: number[], rank: number, fill: number): [number, number, number] {
  const v = [...Array<number>(3 - rank).fill(fill), ...values];
  return [v[0]!, v[1]!, v[2]!];
}

/**
 * Resolves strides, dilations, pads and auto_pad for a window op over `inSpatial` with `kernel`. `ceil` is the
 * pools' ceil_mode; a window that would start inside the end padding is dropped, as onnxruntime does.
 */
export function windowGeometry(ctx: KernelContext, inSpatial: number[], kernel: number[], ceil = false): Window3 {
  const rank = inSpatial.length;
  const node = ctx.node;
  if (rank < 1 || rank > 3) throw attrError(ctx, `supports 1 to 3 spatial dims, got ${rank}`, { rank });
  if (kernel.length !== rank) throw attrError(ctx, `kernel has ${kernel.length} dims for ${rank} spatial dims`, { kernel });
  const strides = attrInts(node, 'strides') ?? Array<number>(rank).fill(1);
  const dil = attrInts(node, 'dilations') ?? Array<number>(rank).fill(1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  // With auto_pad set, explicit pads are meaningless; ignore them rather than reject a harmless leftover.
  let pads = autoPad === 'NOTSET' ? attrInts(node, 'pads') ?? Array<number>(2 * rank).fill(0) : Array<number>(2 * rank).fill(0);
  if (strides.length !== rank || dil.length !== rank || pads.length !== 2 * rank) {
    throw attrError(ctx, 'strides, dilations or pads do not match the spatial rank', { strides, dilations: dil, pads, rank });
  }
  if ([...strides, ...dil, ...kernel].some((v) => !Number.isInteger(v) || v < 1) || pads.some((p) => p < 0)) {
    throw attrError(ctx, 'strides, dilations and kernel must be >= 1 and pads >= 0', { strides, dilations: dil, kernel, pads });
  }
  const out: number[] = [];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = Array<number>(2 * rank).fill(0);
    for (let i = 0; i < rank; i++) {
      const o = Math.ceil(inSpatial[i]! / strides[i]!);
      const ext = (kernel[i]! - 1) * dil[i]! + 1;
      const total = Math.max(0, (o - 1) * strides[i]! + ext - inSpatial[i]!);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + rank] = total - pads[i]!;
      out.push(o);
    }
  } else if (autoPad === 'VALID' || autoPad === 'NOTSET') {
    if (autoPad === 'VALID') pads = Array<number>(2 * rank).fill(0);
    for (let i = 0; i < rank; i++) {
      const ext = (kernel[i]! - 1) * dil[i]! + 1;
      const span = inSpatial[i]! + pads[i]! + pads[i + rank]! - ext;
      if (span < 0) throw attrError(ctx, `window of ${ext} is larger than the padded input ${inSpatial[i]! + pads[i]! + pads[i + rank]!}`, { dim: i });
      let o = (ceil ? Math.ceil(span / strides[i]!) : Math.floor(span / strides[i]!)) + 1;
      if (ceil && (o - 1) * strides[i]! >= inSpatial[i]! + pads[i]!) o--;
      out.push(o);
    }
  } else {
    throw attrError(ctx, `unknown auto_pad "${autoPad}"`, { autoPad });
  }
  const [inD, inH, inW] = lift(inSpatial, rank, 1);
  const [kD, kH, kW] = lift(kernel, rank, 1);
  const [sD, sH, sW] = lift(strides, rank, 1);
  const [dD, dH, dW] = lift(dil, rank, 1);
  const [pD, pH, pW] = lift(pads.slice(0, rank), rank, 0);
  const [outD, outH, outW] = lift(out, rank, 1);
  return { rank, inD, inH, inW, kD, kH, kW, sD, sH, sW, dD, dH, dW, pD, pH, pW, outD, outH, outW, outSpatial: out, pads };
}

/** The group attribute, validated against channel counts. */
export function groupOf(ctx: KernelContext, channels: number, outChannels: number): number {
  const g = attrInt(ctx.node, 'group', 1);
  if (g < 1 || channels % g !== 0 || outChannels % g !== 0) {
    throw attrError(ctx, `group ${g} does not divide ${channels} input and ${outChannels} output channels`, { group: g, channels, outChannels });
  }
  return g;
}
