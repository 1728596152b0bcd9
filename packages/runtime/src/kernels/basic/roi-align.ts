import { attrFloat, attrInt, attrString } from '@quantforge/core';
import type { Kernel, KernelTable } from '../types.js';
import { fromNumbers, kernelError, need, numbers, readInts } from './util.js';

// RoiAlign: each output bin averages (or maxes) bilinear samples on a regular grid inside the bin. Sample handling
// at the image edge, and the max mode (maximum of the weighted corner values), follow onnxruntime, which the ONNX
// reference mirrors.

const roiAlign: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const rois = numbers(need(inputs, 1, ctx), ctx);
  const batchIdx = readInts(need(inputs, 2, ctx));
  if (x.dims.length !== 4) throw kernelError(ctx, 'X must be 4-D');
  const [, C, H, W] = x.dims as [number, number, number, number];
  const mode = attrString(ctx.node, 'mode', 'avg');
  const ph = attrInt(ctx.node, 'output_height', 1);
  const pw = attrInt(ctx.node, 'output_width', 1);
  const ratio = attrInt(ctx.node, 'sampling_ratio', 0);
  const scale = attrFloat(ctx.node, 'spatial_scale', 1);
  const halfPixel = ctx.opset >= 16 && attrString(ctx.node, 'coordinate_transformation_mode', 'half_pixel') === 'half_pixel';
  const offset = halfPixel ? 0.5 : 0;
  const src = numbers(x, ctx);
  const count = batchIdx.length;
  const out = new Float64Array(count * C * ph * pw);
  for (let r = 0; r < count; r++) {
    const b = batchIdx[r]!;
    if (b < 0 || b >= x.dims[0]!) throw kernelError(ctx, `batch index ${b} is out of range`);
    const x0 = rois[r * 4]! * scale - offset;
    const y0 = rois[r * 4 + 1]! * scale - offset;
    let rw = rois[r * 4 + 2]! * scale - offset - x0;
    let rh = rois[r * 4 + 3]! * scale - offset - y0;
    if (!halfPixel) {
      rw = Math.max(rw, 1);
      rh = Math.max(rh, 1);
    }
    const binH = rh / ph;
    const binW = rw / pw;
    const gh = ratio > 0 ? ratio : Math.ceil(rh / ph);
    const gw = ratio > 0 ? ratio : Math.ceil(rw / pw);
    const samples = Math.max(gh * gw, 1);
    for (let c = 0; c < C; c++) {
      const plane = (b * C + c) * H * W;
      for (let i = 0; i < ph; i++) {
        for (let j = 0; j < pw; j++) {
          let acc = mode === 'max' ? -Infinity : 0;
          let seen = false;
          for (let iy = 0; iy < gh; iy++) {
            const y = y0 + i * binH + ((iy + 0.5) * binH) / gh;
            for (let ix = 0; ix < gw; ix++) {
              const xx = x0 + j * binW + ((ix + 0.5) * binW) / gw;
              let contrib = [0, 0, 0, 0];
              if (!(y < -1 || y > H || xx < -1 || xx > W)) {
                const yc = Math.max(y, 0);
                const xc = Math.max(xx, 0);
                let yl = Math.trunc(yc);
                let xl = Math.trunc(xc);
                let yh = yl + 1;
                let xh = xl + 1;
                let yy = yc;
                let xv = xc;
                if (yl >= H - 1) { yl = yh = H - 1; yy = yl; }
                if (xl >= W - 1) { xl = xh = W - 1; xv = xl; }
                const ly = yy - yl;
                const lx = xv - xl;
                const at = (p: number, q: number): number => src[plane + p * W + q]!;
                contrib = [(1 - ly) * (1 - lx) * at(yl, xl), (1 - ly) * lx * at(yl, xh), ly * (1 - lx) * at(yh, xl), ly * lx * at(yh, xh)];
              }
              if (mode === 'max') {
                const m = Math.max(...contrib);
                acc = seen ? Math.max(acc, m) : m;
                seen = true;
              } else {
                acc += contrib[0]! + contrib[1]! + contrib[2]! + contrib[3]!;
              }
            }
          }
          out[((r * C + c) * ph + i) * pw + j] = mode === 'max' ? (seen ? acc : 0) : acc / samples;
        }
      }
    }
  }
  return [fromNumbers(x.dtype, [count, C, ph, pw], out, ctx)];
};

export const ROI_ALIGN_KERNELS: KernelTable = { RoiAlign: roiAlign };
