import { QuantforgeError, attrFloat, attrInt, attrInts, attrString, sizeOf, type Tensor } from '@quantforge/core';
import type { Kernel, KernelContext, KernelTable } from '../types.js';
import { fromNumbers, kernelError, need, normAxis, numbers, readInts } from './util.js';

// Resize (nearest, linear, cubic) for any rank. All three modes are separable, so the kernel runs one 1-D pass per
// axis; each pass precomputes, for every output coordinate, its taps (input indices and weights).

interface Options {
  mode: string;
  transform: string;
  nearest: string;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
}

interface Taps {
  /** Input index per tap, `taps` entries per output coordinate; -1 marks "use the extrapolation value". */
  index: Int32Array;
  weight: Float64Array;
  taps: number;
}

function originalCoordinate(o: Options, j: number, scale: number, inLen: number, outLen: number, roiStart: number, roiEnd: number): number {
  // The spec's "length_resized" is the unrounded input length times the scale, not the output size.
  const resized = scale * inLen;
  switch (o.transform) {
    case 'half_pixel': return (j + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const adjustment = outLen / (scale * inLen);
      const offset = (inLen / 2) * (1 - adjustment);
      return offset + (j + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel': return resized > 1 ? (j + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return resized === 1 ? 0 : (j * (inLen - 1)) / (resized - 1);
    case 'asymmetric': return j / scale;
    case 'tf_half_pixel_for_nn': return (j + 0.5) / scale;
    case 'tf_crop_and_resize':
      return resized > 1
        ? roiStart * (inLen - 1) + (j * (roiEnd - roiStart) * (inLen - 1)) / (resized - 1)
        : 0.5 * (roiStart + roiEnd) * (inLen - 1);
    default: return NaN;
  }
}

function nearestIndex(mode: string, x: number): number {
  switch (mode) {
    case 'floor': return Math.floor(x);
    case 'ceil': return Math.ceil(x);
    case 'round_prefer_ceil': return Math.round(x);
    default: return x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x);
  }
}

export function cubicWeights(a: number, s: number): number[] {
  const t0 = s + 1;
  const t3 = 2 - s;
  const u = 1 - s;
  return [
    ((a * t0 - 5 * a) * t0 + 8 * a) * t0 - 4 * a,
    ((a + 2) * s - (a + 3)) * s * s + 1,
    ((a + 2) * u - (a + 3)) * u * u + 1,
    ((a * t3 - 5 * a) * t3 + 8 * a) * t3 - 4 * a,
  ];
}

function tapsFor(o: Options, inLen: number, outLen: number, scale: number, roiStart: number, roiEnd: number): Taps {
  const taps = o.mode === 'nearest' ? 1 : o.mode === 'linear' ? 2 : 4;
  const index = new Int32Array(outLen * taps);
  const weight = new Float64Array(outLen * taps);
  const clampI = (i: number): number => Math.min(inLen - 1, Math.max(0, i));
  for (let j = 0; j < outLen; j++) {
    const x = originalCoordinate(o, j, scale, inLen, outLen, roiStart, roiEnd);
    const b = j * taps;
    if (o.transform === 'tf_crop_and_resize' && (x < 0 || x > inLen - 1)) {
      index.fill(-1, b, b + taps);
      continue;
    }
    if (o.mode === 'nearest') {
      index[b] = clampI(Number.isInteger(x) ? x : nearestIndex(o.nearest, x));
      weight[b] = 1;
    } else if (o.mode === 'linear') {
      const x0 = Math.floor(x);
      const r = x - x0;
      index[b] = clampI(x0);
      index[b + 1] = clampI(x0 + 1);
      weight[b] = 1 - r;
      weight[b + 1] = r;
    } else {
      const x0 = Math.floor(x);
      const w = cubicWeights(o.cubicA, x - x0);
      let total = 0;
      for (let k = 0; k < 4; k++) {
        const i = x0 - 1 + k;
        const outside = i < 0 || i >= inLen;
        const wk = o.excludeOutside && outside ? 0 : w[k]!;
        index[b + k] = clampI(i);
        weight[b + k] = wk;
        total += wk;
      }
      if (o.excludeOutside && total !== 0) for (let k = 0; k < 4; k++) weight[b + k]! /= total;
    }
  }
  return { index, weight, taps };
}

function pass(src: Float64Array, dims: number[], axis: number, outLen: number, t: Taps, extrapolation: number): Float64Array {
  const inLen = dims[axis]!;
  const outer = sizeOf(dims.slice(0, axis));
  const inner = sizeOf(dims.slice(axis + 1));
  const dst = new Float64Array(outer * outLen * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < outLen; j++) {
      const d = (o * outLen + j) * inner;
      const b = j * t.taps;
      if (t.index[b] === -1) {
        dst.fill(extrapolation, d, d + inner);
        continue;
      }
      for (let k = 0; k < t.taps; k++) {
        const w = t.weight[b + k]!;
        if (w === 0) continue;
        const s = (o * inLen + t.index[b + k]!) * inner;
        for (let i = 0; i < inner; i++) dst[d + i]! += w * src[s + i]!;
      }
    }
  }
  return dst;
}

function present(t: Tensor | undefined): t is Tensor {
  return t !== undefined && t.data.length > 0;
}

/** Resizes `x`; `legacy` is the opset-10 / Upsample form (only scales, asymmetric coordinates, floor for nearest). */
function resizeImpl(inputs: (Tensor | undefined)[], ctx: KernelContext, legacy: boolean): Tensor {
  const x = need(inputs, 0, ctx);
  const node = ctx.node;
  const rank = x.dims.length;
  const o: Options = {
    mode: attrString(node, 'mode', 'nearest'),
    transform: legacy ? 'asymmetric' : attrString(node, 'coordinate_transformation_mode', 'half_pixel'),
    nearest: legacy ? 'floor' : attrString(node, 'nearest_mode', 'round_prefer_floor'),
    cubicA: attrFloat(node, 'cubic_coeff_a', -0.75),
    excludeOutside: attrInt(node, 'exclude_outside', 0) === 1,
    extrapolation: attrFloat(node, 'extrapolation_value', 0),
  };
  if (o.mode === 'bilinear') o.mode = 'linear';
  if (!['nearest', 'linear', 'cubic'].includes(o.mode)) throw kernelError(ctx, `unknown mode ${o.mode}`);
  if (attrInt(node, 'antialias', 0) === 1) {
    throw new QuantforgeError('QF_OP_UNSUPPORTED', `Resize "${node.name}" with antialias=1 is not supported`, { details: { node: node.name, opType: node.opType, antialias: 1 } });
  }
  const scalesT = legacy ? need(inputs, 1, ctx) : inputs[2];
  const sizesT = legacy ? undefined : inputs[3];
  const roiT = legacy ? undefined : inputs[1];
  const axes = (attrInts(node, 'axes') ?? x.dims.map((_, i) => i)).map((a) => normAxis(a, rank, ctx));
  const scale = x.dims.map(() => 1);
  const outDims = [...x.dims];
  if (present(sizesT)) {
    const sizes = readInts(sizesT);
    if (sizes.length !== axes.length) throw kernelError(ctx, `sizes has ${sizes.length} entries for ${axes.length} axes`);
    const policy = attrString(node, 'keep_aspect_ratio_policy', 'stretch');
    if (policy === 'stretch') {
      axes.forEach((a, k) => {
        outDims[a] = sizes[k]!;
        scale[a] = sizes[k]! / x.dims[a]!;
      });
    } else {
      const ratios = axes.map((a, k) => sizes[k]! / x.dims[a]!);
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      for (const a of axes) {
        scale[a] = s;
        // round half up, as the spec states for keep_aspect_ratio_policy
        outDims[a] = Math.floor(s * x.dims[a]! + 0.5);
      }
    }
  } else if (present(scalesT)) {
    const scales = Array.from(numbers(scalesT, ctx));
    if (scales.length !== axes.length) throw kernelError(ctx, `scales has ${scales.length} entries for ${axes.length} axes`);
    axes.forEach((a, k) => {
      if (!(scales[k]! > 0)) throw kernelError(ctx, `scale ${scales[k]} must be positive`);
      scale[a] = scales[k]!;
      outDims[a] = Math.floor(x.dims[a]! * scales[k]!);
    });
  } else {
    throw kernelError(ctx, 'needs scales or sizes');
  }
  const roi = present(roiT) ? Array.from(numbers(roiT, ctx)) : undefined;
  let data: Float64Array = Float64Array.from(numbers(x, ctx));
  let dims = [...x.dims];
  for (let a = 0; a < rank; a++) {
    const k = axes.indexOf(a);
    const identity = outDims[a] === dims[a] && scale[a] === 1 && o.transform !== 'tf_crop_and_resize';
    if (identity || k < 0) continue;
    const start = roi ? roi[k]! : 0;
    const end = roi ? roi[k + axes.length]! : 1;
    const taps = tapsFor(o, dims[a]!, outDims[a]!, scale[a]!, start, end);
    data = pass(data, dims, a, outDims[a]!, taps, o.extrapolation);
    dims = [...dims];
    dims[a] = outDims[a]!;
  }
  return fromNumbers(x.dtype, dims, data, ctx);
}

const resize: Kernel = (inputs, ctx) => [resizeImpl(inputs, ctx, ctx.opset < 11)];
const upsample: Kernel = (inputs, ctx) => [resizeImpl(inputs, ctx, true)];

export const RESIZE_KERNELS: KernelTable = { Resize: resize, Upsample: upsample };
