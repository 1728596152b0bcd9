import { attrInts, tensor, type Tensor } from '@quantforge/core';
import type { Kernel, KernelContext } from '../types.js';
import { sgemmAcc } from './gemm-core.js';
import { groupOf, windowGeometry, type Window3 } from './geometry.js';
import { depthwiseF32 } from './depthwise.js';
import { im2col, patchBuffer } from './im2col.js';
import { f32, need, shapeError } from './util.js';

/** Shapes of a Conv-like op (Conv, ConvInteger, QLinearConv) after validation. */
export interface ConvPlan {
  n: number; c: number; m: number; group: number;
  /** Input channels per group. */
  cg: number;
  /** Output channels per group. */
  mg: number;
  /** Rows of the patch matrix per group: cg * prod(kernel). */
  kk: number;
  /** Output positions per image. */
  l: number;
  /** Input elements per image. */
  inPlane: number;
  win: Window3;
  outDims: number[];
  /** True when the patch matrix is the input itself (1x1 kernel, stride 1, no padding). */
  direct: boolean;
}

/** Validates X [N, C, ...] and W [M, C/group, ...k] and resolves the window. */
export function planConv(ctx: KernelContext, xDims: number[], wDims: number[]): ConvPlan {
  if (xDims.length < 3 || xDims.length > 5) throw shapeError(ctx, `input must be [N, C, ...spatial] with 1-3 spatial dims, got [${xDims}]`, { dims: xDims });
  if (wDims.length !== xDims.length) throw shapeError(ctx, `weight rank ${wDims.length} differs from input rank ${xDims.length}`, { x: xDims, w: wDims });
  const [n, c] = [xDims[0]!, xDims[1]!];
  const m = wDims[0]!;
  const kernel = wDims.slice(2);
  const ks = attrInts(ctx.node, 'kernel_shape');
  if (ks && ks.join() !== kernel.join()) throw shapeError(ctx, `kernel_shape [${ks}] differs from the weight's [${kernel}]`, { kernelShape: ks, w: wDims });
  const group = groupOf(ctx, c, m);
  const cg = c / group;
  if (wDims[1] !== cg) throw shapeError(ctx, `weight has ${wDims[1]} input channels, expected ${cg} (C ${c} / group ${group})`, { x: xDims, w: wDims, group });
  const spatial = xDims.slice(2);
  const win = windowGeometry(ctx, spatial, kernel);
  const kprod = kernel.reduce((a, b) => a * b, 1);
  const l = win.outSpatial.reduce((a, b) => a * b, 1);
  const inPlane = spatial.reduce((a, b) => a * b, 1);
  const direct = kprod === 1 && win.sD * win.sH * win.sW === 1 && win.pads.every((p) => p === 0);
  return { n, c, m, group, cg, mg: m / group, kk: cg * kprod, l, inPlane, win, outDims: [n, m, ...win.outSpatial], direct };
}

/**
 * Float convolution core on prepared float32 operands: y[n, m, L] = sum over groups of W_g x im2col(x_g).
 * `y` must hold the bias (or zeros) on entry.
 */
export function convF32(p: ConvPlan, x: Float32Array, w: Float32Array, y: Float32Array): void {
  if (p.cg === 1 && p.group > 1) {
    depthwiseF32(p, x, w, y);
    return;
  }
  if (p.direct) {
    for (let b = 0; b < p.n; b++) {
      for (let g = 0; g < p.group; g++) {
        sgemmAcc(p.mg, p.l, p.kk, w, g * p.mg * p.kk, x, (b * p.c + g * p.cg) * p.inPlane, y, (b * p.m + g * p.mg) * p.l);
      }
    }
    return;
  }
  const { rows, chunk } = patchChunks(p);
  const ow = p.win.outW;
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const r1 = Math.min(rows, r0 + chunk);
    const width = (r1 - r0) * ow;
    // Padding positions are never written, so the zeros stay valid across the groups and images of one chunk.
    const col = patchBuffer(p.kk * width);
    for (let b = 0; b < p.n; b++) {
      for (let g = 0; g < p.group; g++) {
        im2col(x, (b * p.c + g * p.cg) * p.inPlane, p.cg, p.win, col, r0, r1);
        sgemmAcc(p.mg, width, p.kk, w, g * p.mg * p.kk, col, 0, y, (b * p.m + g * p.mg) * p.l + r0 * ow, p.l);
      }
    }
  }
}

/** Patch-matrix size budget in floats: big enough for long GEMM rows, small enough to stay in L2/L3. */
const PATCH_BUDGET = 1 << 20;

/** Output rows ((od, oh) pairs) of a conv and how many of them one patch matrix holds. */
export function patchChunks(p: ConvPlan): { rows: number; chunk: number } {
  const rows = p.win.outD * p.win.outH;
  const chunk = Math.max(1, Math.min(rows, Math.floor(PATCH_BUDGET / Math.max(1, p.kk * p.win.outW))));
  return { rows, chunk };
}

/** ONNX Conv (float32): groups, dilations, strides, pads, auto_pad, 1-D to 3-D. */
export const conv: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, 'X', ctx);
  const w = need(inputs, 1, 'W', ctx);
  const bias = inputs[2];
  const p = planConv(ctx, x.dims, w.dims);
  const y = new Float32Array(p.n * p.m * p.l);
  if (bias) {
    const bd = f32(bias, 'B', ctx);
    if (bd.length !== p.m) throw shapeError(ctx, `bias has ${bd.length} values for ${p.m} output channels`, { b: bias.dims });
    for (let b = 0; b < p.n; b++) for (let o = 0; o < p.m; o++) y.fill(bd[o]!, (b * p.m + o) * p.l, (b * p.m + o + 1) * p.l);
  }
  convF32(p, f32(x, 'X', ctx), f32(w, 'W', ctx), y);
  return [tensor('float32', p.outDims, y) as Tensor];
};
