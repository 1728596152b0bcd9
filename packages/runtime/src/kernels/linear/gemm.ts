import { attrFloat, attrInt, tensor, type Tensor } from '@quantforge/core';
import type { Kernel } from '../types.js';
import { sgemmAcc, transpose2d } from './gemm-core.js';
import { f32, need, shapeError } from './util.js';

/** y[i, j] = sum_k a[i, k] * b[j, k]: A row-major M x K times the transpose of a row-major N x K matrix. */
function gemmNT(m: number, n: number, k: number, a: Float32Array, b: Float32Array, y: Float32Array): void {
  for (let i = 0; i < m; i++) {
    const ao = i * k;
    for (let j = 0; j < n; j++) {
      const bo = j * k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        s0 += a[ao + p]! * b[bo + p]!;
        s1 += a[ao + p + 1]! * b[bo + p + 1]!;
        s2 += a[ao + p + 2]! * b[bo + p + 2]!;
        s3 += a[ao + p + 3]! * b[bo + p + 3]!;
      }
      for (; p < k; p++) s0 += a[ao + p]! * b[bo + p]!;
      y[i * n + j] = s0 + s1 + s2 + s3;
    }
  }
}

/** ONNX Gemm (float32): Y = alpha * A' B' + beta * C with transA/transB and C broadcast to [M, N]. */
export const gemm: Kernel = (inputs, ctx) => {
  const a = need(inputs, 0, 'A', ctx);
  const b = need(inputs, 1, 'B', ctx);
  const c = inputs[2];
  const alpha = attrFloat(ctx.node, 'alpha', 1);
  const beta = attrFloat(ctx.node, 'beta', 1);
  const transA = attrInt(ctx.node, 'transA', 0) !== 0;
  const transB = attrInt(ctx.node, 'transB', 0) !== 0;
  if (a.dims.length !== 2 || b.dims.length !== 2) throw shapeError(ctx, `A and B must be 2-D, got [${a.dims}] and [${b.dims}]`, { a: a.dims, b: b.dims });
  const m = transA ? a.dims[1]! : a.dims[0]!;
  const k = transA ? a.dims[0]! : a.dims[1]!;
  const kb = transB ? b.dims[1]! : b.dims[0]!;
  const n = transB ? b.dims[0]! : b.dims[1]!;
  if (k !== kb) throw shapeError(ctx, `inner dims differ: A' is ${m}x${k}, B' is ${kb}x${n}`, { a: a.dims, b: b.dims, transA, transB });
  let ad = f32(a, 'A', ctx);
  if (transA) ad = transpose2d(ad, 0, k, m);
  const bd = f32(b, 'B', ctx);
  const y = new Float32Array(m * n);
  if (transB && m <= 8) gemmNT(m, n, k, ad, bd, y);
  else sgemmAcc(m, n, k, ad, 0, transB ? transpose2d(bd, 0, n, k) : bd, 0, y, 0);
  if (alpha !== 1) for (let i = 0; i < y.length; i++) y[i] = y[i]! * alpha;
  if (c && beta !== 0) {
    const cd = f32(c, 'C', ctx);
    const cd2 = c.dims.length >= 2 ? c.dims.slice(-2) : c.dims.length === 1 ? [1, c.dims[0]!] : [1, 1];
    if (c.dims.length > 2 || (cd2[0] !== 1 && cd2[0] !== m) || (cd2[1] !== 1 && cd2[1] !== n)) {
      throw shapeError(ctx, `C [${c.dims}] does not broadcast to [${m}, ${n}]`, { c: c.dims, m, n });
    }
    const rs = cd2[0] === 1 ? 0 : cd2[1]!;
    const cs = cd2[1] === 1 ? 0 : 1;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) y[i * n + j] = y[i * n + j]! + beta * cd[i * rs + j * cs]!;
  }
  return [tensor('float32', [m, n], y) as Tensor];
};
