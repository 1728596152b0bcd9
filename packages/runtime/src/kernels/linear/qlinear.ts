import { QuantforgeError, allocate, tensor, type Tensor } from '@quantforge/core';
import type { Kernel, KernelContext } from '../types.js';
import { planConv } from './conv.js';
import { centerConv, convAccumulate, matMulAccumulate } from './integer.js';
import { int8Data, roundHalfEven, saturate, scales } from './quant-util.js';
import { need, shapeError } from './util.js';

/** The output zero point (its dtype is the output dtype; absent means uint8 0). */
function outputZero(t: Tensor | undefined, ctx: KernelContext): { dtype: 'uint8' | 'int8'; zp: number } {
  if (!t) return { dtype: 'uint8', zp: 0 };
  const d = int8Data(t, 'y_zero_point', ctx);
  if (d.length !== 1) throw shapeError(ctx, 'y_zero_point must be a single value', { dims: t.dims });
  return { dtype: t.dtype as 'uint8' | 'int8', zp: d[0]! };
}

function scalarScale(t: Tensor, what: string, ctx: KernelContext): number {
  const s = scales(t, 1, what, ctx);
  return s[0]!;
}

/** Requantizes one sum: round half to even of acc * multiplier (float32 arithmetic, as onnxruntime), plus zp, saturated. */
function requant(acc: number, mult: number, zp: number, signed: boolean): number {
  return saturate(roundHalfEven(Math.fround(acc * mult)) + zp, signed);
}

/**
 * ONNX QLinearConv: exact int32 convolution of centred operands plus the int32 bias, requantized with
 * x_scale * w_scale[m] / y_scale; w_scale and w_zero_point may be per output channel.
 */
export const qlinearConv: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, 'x', ctx);
  const w = need(inputs, 3, 'w', ctx);
  const p = planConv(ctx, x.dims, w.dims);
  const xs = scalarScale(need(inputs, 1, 'x_scale', ctx), 'x_scale', ctx);
  const ws = scales(need(inputs, 4, 'w_scale', ctx), p.m, 'w_scale', ctx);
  const ys = scalarScale(need(inputs, 6, 'y_scale', ctx), 'y_scale', ctx);
  const { dtype, zp } = outputZero(inputs[7], ctx);
  const [xc, wc] = centerConv(ctx, x, inputs[2], w, inputs[5], p);
  const acc = convAccumulate(p, xc, wc);
  const bias = inputs[8];
  let bd: Int32Array | undefined;
  if (bias) {
    if (bias.dtype !== 'int32') throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `QLinearConv bias must be int32, got ${bias.dtype}`, { details: { node: ctx.node.name, dtype: bias.dtype } });
    bd = bias.data as Int32Array;
    if (bd.length !== p.m) throw shapeError(ctx, `bias has ${bd.length} values for ${p.m} output channels`, { dims: bias.dims });
  }
  const mult = Array.from({ length: p.m }, (_, o) => Math.fround(Math.fround(xs * (ws.length === 1 ? ws[0]! : ws[o]!)) / ys));
  const y = allocate(dtype, acc.length);
  const signed = dtype === 'int8';
  for (let b = 0; b < p.n; b++) {
    for (let o = 0; o < p.m; o++) {
      const off = (b * p.m + o) * p.l;
      const bo = bd ? bd[o]! : 0;
      const mo = mult[o]!;
      for (let i = 0; i < p.l; i++) y[off + i] = requant(((acc[off + i]! | 0) + bo) | 0, mo, zp, signed);
    }
  }
  return [tensor(dtype, p.outDims, y) as Tensor];
};

/**
 * ONNX QLinearMatMul: exact int32 product of centred operands requantized with a_scale * b_scale / y_scale;
 * A's scale/zero point may be per row and B's per column.
 */
export const qlinearMatMul: Kernel = (inputs, ctx) => {
  const a = need(inputs, 0, 'a', ctx);
  const b = need(inputs, 3, 'b', ctx);
  const { p, acc } = matMulAccumulate(ctx, a, inputs[2], b, inputs[5]);
  const as = scales(need(inputs, 1, 'a_scale', ctx), p.m, 'a_scale', ctx);
  const bs = scales(need(inputs, 4, 'b_scale', ctx), p.n, 'b_scale', ctx);
  const ys = scalarScale(need(inputs, 6, 'y_scale', ctx), 'y_scale', ctx);
  const { dtype, zp } = outputZero(inputs[7], ctx);
  const y = allocate(dtype, acc.length);
  const signed = dtype === 'int8';
  const mn = p.m * p.n;
  for (let t = 0; t < acc.length; t++) {
    const i = Math.floor((t % mn) / p.n);
    const j = t % p.n;
    const mult = Math.fround(Math.fround((as.length === 1 ? as[0]! : as[i]!) * (bs.length === 1 ? bs[0]! : bs[j]!)) / ys);
    y[t] = requant(acc[t]! | 0, mult, zp, signed);
  }
  return [tensor(dtype, p.outDims, y) as Tensor];
};
