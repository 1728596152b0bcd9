import { attrInt, attrInts, attrString, tensor, type Tensor } from '@quantforge/core';
import type { Kernel, KernelContext } from '../types.js';
import { sgemmAcc, transpose2d } from './gemm-core.js';
import type { Window3 } from './geometry.js';
import { col2imAdd, patchBuffer } from './im2col.js';
import { attrError, f32, need, shapeError } from './util.js';

function lift(v: number[], fill: number): [number, number, number] {
  const a = [...Array<number>(3 - v.length).fill(fill), ...v];
  return [a[0]!, a[1]!, a[2]!];
}

/** Output spatial size and begin pads of ConvTranspose (explicit pads, output_shape or auto_pad). */
function transposeGeometry(ctx: KernelContext, inSp: number[], kernel: number[]): { out: number[]; padBegin: number[] } {
  const rank = inSp.length;
  const node = ctx.node;
  const strides = attrInts(node, 'strides') ?? Array<number>(rank).fill(1);
  const dil = attrInts(node, 'dilations') ?? Array<number>(rank).fill(1);
  const outPad = attrInts(node, 'output_padding') ?? Array<number>(rank).fill(0);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const pads = attrInts(node, 'pads') ?? Array<number>(2 * rank).fill(0);
  let outShape = attrInts(node, 'output_shape');
  if (outShape && outShape.length === rank + 2) outShape = outShape.slice(2);
  if (strides.length !== rank || dil.length !== rank || outPad.length !== rank || pads.length !== 2 * rank || (outShape && outShape.length !== rank)) {
    throw attrError(ctx, 'strides, dilations, output_padding, pads or output_shape do not match the spatial rank', { rank });
  }
  if ([...strides, ...dil, ...kernel].some((v) => !Number.isInteger(v) || v < 1) || [...pads, ...outPad].some((v) => !Number.isInteger(v) || v < 0)) {
    throw attrError(ctx, 'strides, dilations and kernel must be >= 1, pads and output_padding >= 0', { strides, dilations: dil, pads, outputPadding: outPad });
  }
  if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad)) throw attrError(ctx, `unknown auto_pad "${autoPad}"`, { autoPad });
  const out: number[] = [];
  const padBegin: number[] = [];
  for (let i = 0; i < rank; i++) {
    const ext = (kernel[i]! - 1) * dil[i]! + 1;
    const natural = strides[i]! * (inSp[i]! - 1) + outPad[i]! + ext;
    if (outShape || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const o = outShape ? outShape[i]! : inSp[i]! * strides[i]!;
      const total = Math.max(0, natural - o);
      const half = Math.floor(total / 2);
      // SAME_UPPER puts the odd pad at the end of the input window, i.e. it trims the output's end.
      padBegin.push(autoPad === 'SAME_UPPER' ? half : total - half);
      out.push(o);
    } else {
      const pb = autoPad === 'VALID' ? 0 : pads[i]!;
      const pe = autoPad === 'VALID' ? 0 : pads[i + rank]!;
      const o = natural - pb - pe;
      if (o < 1) throw attrError(ctx, `pads leave no output along spatial dim ${i}`, { dim: i, pads });
      out.push(o);
      padBegin.push(pb);
    }
  }
  return { out, padBegin };
}

/** ONNX ConvTranspose (float32): groups, strides, dilations, pads, output_padding, output_shape, auto_pad. */
export const convTranspose: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, 'X', ctx);
  const w = need(inputs, 1, 'W', ctx);
  const bias = inputs[2];
  if (x.dims.length < 3 || x.dims.length > 5 || w.dims.length !== x.dims.length) {
    throw shapeError(ctx, `expects X [N, C, ...] and W [C, M/group, ...k] of equal rank, got [${x.dims}] and [${w.dims}]`, { x: x.dims, w: w.dims });
  }
  const n = x.dims[0]!, c = x.dims[1]!;
  const group = attrInt(ctx.node, 'group', 1);
  const mg = w.dims[1]!;
  const m = mg * group;
  if (group < 1 || c % group !== 0 || w.dims[0] !== c) throw shapeError(ctx, `weight [${w.dims}] does not fit ${c} channels in ${group} groups`, { x: x.dims, w: w.dims, group });
  const cg = c / group;
  const kernel = w.dims.slice(2);
  const inSp = x.dims.slice(2);
  const { out, padBegin } = transposeGeometry(ctx, inSp, kernel);
  const rank = inSp.length;
  const strides = attrInts(ctx.node, 'strides') ?? Array<number>(rank).fill(1);
  const dil = attrInts(ctx.node, 'dilations') ?? Array<number>(rank).fill(1);
  const [inD, inH, inW] = lift(out, 1);
  const [kD, kH, kW] = lift(kernel, 1);
  const [sD, sH, sW] = lift(strides, 1);
  const [dD, dH, dW] = lift(dil, 1);
  const [pD, pH, pW] = lift(padBegin, 0);
  const [outD, outH, outW] = lift(inSp, 1);
  // The conv whose adjoint this is: its input is our output, its output positions are our input positions.
  const win: Window3 = { rank, inD, inH, inW, kD, kH, kW, sD, sH, sW, dD, dH, dW, pD, pH, pW, outD, outH, outW, outSpatial: inSp, pads: [] };
  const kprod = kD * kH * kW;
  const lin = outD * outH * outW;
  const lout = inD * inH * inW;
  const xd = f32(x, 'X', ctx);
  const wd = f32(w, 'W', ctx);
  const y = new Float32Array(n * m * lout);
  const rows = mg * kprod;
  const col = patchBuffer(rows * lin);
  // W_g^T per group, computed once and reused for every image.
  const wt = Array.from({ length: group }, (_, g) => transpose2d(wd, g * cg * rows, cg, rows));
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < group; g++) {
      col.fill(0);
      sgemmAcc(rows, lin, cg, wt[g]!, 0, xd, (b * c + g * cg) * lin, col, 0);
      col2imAdd(col, mg, win, y, (b * m + g * mg) * lout);
    }
  }
  if (bias) {
    const bd = f32(bias, 'B', ctx);
    if (bd.length !== m) throw shapeError(ctx, `bias has ${bd.length} values for ${m} output channels`, { b: bias.dims });
    for (let b = 0; b < n; b++) {
      for (let o = 0; o < m; o++) {
        const off = (b * m + o) * lout;
        const v = bd[o]!;
        for (let i = 0; i < lout; i++) y[off + i] = y[off + i]! + v;
      }
    }
  }
  return [tensor('float32', [n, m, ...out], y) as Tensor];
};
