import { QuantforgeError, tensor, type Tensor } from '@quantforge/core';
import type { Kernel, KernelContext } from '../types.js';
import { patchChunks, planConv, type ConvPlan } from './conv.js';
import { dgemmAcc } from './gemm-core.js';
import { im2col, patchBuffer } from './im2col.js';
import { planMatMul, type MatMulPlan } from './matmul-plan.js';
import { centered, int8Data, zeroPoints } from './quant-util.js';
import { need } from './util.js';

/** Exact integer convolution of zero-point-centred operands; returns the float64 sums (bias not included). */
export function convAccumulate(p: ConvPlan, x: Float32Array, w: Float32Array): Float64Array {
  const acc = new Float64Array(p.n * p.m * p.l);
  if (p.direct) {
    for (let b = 0; b < p.n; b++) {
      for (let g = 0; g < p.group; g++) {
        dgemmAcc(p.mg, p.l, p.kk, w, g * p.mg * p.kk, x, (b * p.c + g * p.cg) * p.inPlane, acc, (b * p.m + g * p.mg) * p.l);
      }
    }
    return acc;
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
        dgemmAcc(p.mg, width, p.kk, w, g * p.mg * p.kk, col, 0, acc, (b * p.m + g * p.mg) * p.l + r0 * ow, p.l);
      }
    }
  }
  return acc;
}

/** Centres the Conv-like operands X (one zero point) and W (one, or one per output channel). */
export function centerConv(ctx: KernelContext, x: Tensor, xzp: Tensor | undefined, w: Tensor, wzp: Tensor | undefined, p: ConvPlan): [Float32Array, Float32Array] {
  const xz = zeroPoints(xzp, x, 1, 'x_zero_point', ctx);
  const wz = zeroPoints(wzp, w, p.m, 'w_zero_point', ctx);
  return [centered(int8Data(x, 'x', ctx), xz, 1), centered(int8Data(w, 'w', ctx), wz, p.kk)];
}

/** Exact batched integer product of zero-point-centred A (per-tensor or per-row zp) and B (per-tensor or per-column zp). */
export function matMulAccumulate(ctx: KernelContext, a: Tensor, azp: Tensor | undefined, b: Tensor, bzp: Tensor | undefined): { p: MatMulPlan; acc: Float64Array } {
  const p = planMatMul(ctx, a.dims, b.dims);
  const az = zeroPoints(azp, a, p.m, 'a_zero_point', ctx);
  const bz = zeroPoints(bzp, b, p.n, 'b_zero_point', ctx);
  const ac = centered(int8Data(a, 'A', ctx), az, p.k);
  const bc = centered(int8Data(b, 'B', ctx), bz, 1);
  const acc = new Float64Array(p.aOffsets.length * p.m * p.n);
  for (let t = 0; t < p.aOffsets.length; t++) dgemmAcc(p.m, p.n, p.k, ac, p.aOffsets[t]!, bc, p.bOffsets[t]!, acc, t * p.m * p.n);
  return { p, acc };
}

/** Wraps exact sums to int32 (ONNX accumulates in int32, so overflow wraps). */
function toInt32(acc: Float64Array): Int32Array {
  const out = new Int32Array(acc.length);
  for (let i = 0; i < acc.length; i++) out[i] = acc[i]! | 0;
  return out;
}

/** ONNX ConvInteger: int32 output of (x - x_zero_point) conv (w - w_zero_point); padding reads the zero point. */
export const convInteger: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, 'x', ctx);
  const w = need(inputs, 1, 'w', ctx);
  const p = planConv(ctx, x.dims, w.dims);
  const [xc, wc] = centerConv(ctx, x, inputs[2], w, inputs[3], p);
  return [tensor('int32', p.outDims, toInt32(convAccumulate(p, xc, wc))) as Tensor];
};

/** ONNX MatMulInteger: int32 output of (A - a_zero_point) x (B - b_zero_point), N-D broadcasting. */
export const matMulInteger: Kernel = (inputs, ctx) => {
  const a = need(inputs, 0, 'A', ctx);
  const b = need(inputs, 1, 'B', ctx);
  if (inputs[2] && inputs[2].dims.length > 1) {
    throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', 'MatMulInteger supports a scalar or 1-D a_zero_point', { details: { node: ctx.node.name, dims: inputs[2].dims } });
  }
  const { p, acc } = matMulAccumulate(ctx, a, inputs[2], b, inputs[3]);
  return [tensor('int32', p.outDims, toInt32(acc)) as Tensor];
};
