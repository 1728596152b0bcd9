import { attrInt, attrString } from '@quantforge/core';
import type { Kernel, KernelTable } from '../types.js';
import { cubicWeights } from './resize.js';
import { fromNumbers, kernelError, need, numbers } from './util.js';

// GridSample for 4-D input (N, C, H, W) with a (N, H_out, W_out, 2) grid of normalized (x, y) in [-1, 1].
// Coordinates outside the image are first moved by the padding mode (border clamps, reflection folds), then pixels
// are fetched with the same rule (zeros reads 0 outside).

function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const dx = lo - x;
    const n = Math.floor(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const dx = x - hi;
    const n = Math.floor(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

function nearbyint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const gridSample: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const gridT = need(inputs, 1, ctx);
  const rawMode = attrString(ctx.node, 'mode', ctx.opset >= 20 ? 'linear' : 'bilinear');
  const mode = rawMode === 'linear' ? 'bilinear' : rawMode === 'cubic' ? 'bicubic' : rawMode;
  const padding = attrString(ctx.node, 'padding_mode', 'zeros');
  const align = attrInt(ctx.node, 'align_corners', 0) === 1;
  if (x.dims.length !== 4 || gridT.dims.length !== 4 || gridT.dims[3] !== 2) {
    throw kernelError(ctx, `only 4-D input with a (N, H, W, 2) grid is supported, got [${x.dims.join(', ')}] and [${gridT.dims.join(', ')}]`);
  }
  if (!['bilinear', 'nearest', 'bicubic'].includes(mode) || !['zeros', 'border', 'reflection'].includes(padding)) {
    throw kernelError(ctx, `unknown mode ${rawMode} or padding_mode ${padding}`);
  }
  const [N, C, H, W] = x.dims as [number, number, number, number];
  const [, Ho, Wo] = gridT.dims as [number, number, number, number];
  const src = numbers(x, ctx);
  const grid = numbers(gridT, ctx);
  const out = new Float64Array(N * C * Ho * Wo);
  const [xMin, xMax] = align ? [0, W - 1] : [-0.5, W - 0.5];
  const [yMin, yMax] = align ? [0, H - 1] : [-0.5, H - 0.5];
  const denorm = (g: number, size: number): number => (align ? ((g + 1) / 2) * (size - 1) : ((g + 1) * size - 1) / 2);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      const pixel = (r: number, col: number): number => {
        if (padding === 'zeros') return r >= 0 && r < H && col >= 0 && col < W ? src[plane + r * W + col]! : 0;
        if (padding === 'border') return src[plane + Math.min(H - 1, Math.max(0, r)) * W + Math.min(W - 1, Math.max(0, col))]!;
        const rr = Math.min(H - 1, Math.max(0, Math.trunc(reflect(r, yMin, yMax))));
        const cc = Math.min(W - 1, Math.max(0, Math.trunc(reflect(col, xMin, xMax))));
        return src[plane + rr * W + cc]!;
      };
      for (let i = 0; i < Ho * Wo; i++) {
        const g = (n * Ho * Wo + i) * 2;
        let gx = denorm(grid[g]!, W);
        let gy = denorm(grid[g + 1]!, H);
        if (mode === 'nearest') {
          gx = nearbyint(gx);
          gy = nearbyint(gy);
        }
        if (gx < xMin || gx > xMax || gy < yMin || gy > yMax) {
          if (padding === 'border') {
            gx = Math.min(W - 1, Math.max(0, gx));
            gy = Math.min(H - 1, Math.max(0, gy));
          } else if (padding === 'reflection') {
            gx = reflect(gx, xMin, xMax);
            gy = reflect(gy, yMin, yMax);
          }
        }
        let v: number;
        if (mode === 'nearest') {
          v = pixel(Math.trunc(gy), Math.trunc(gx));
        } else if (mode === 'bilinear') {
          const x1 = Math.floor(gx);
          const y1 = Math.floor(gy);
          const dx = gx - x1;
          const dy = gy - y1;
          v = (1 - dy) * ((1 - dx) * pixel(y1, x1) + dx * pixel(y1, x1 + 1)) + dy * ((1 - dx) * pixel(y1 + 1, x1) + dx * pixel(y1 + 1, x1 + 1));
        } else {
          const x0 = Math.floor(gx) - 1;
          const y0 = Math.floor(gy) - 1;
          const wx = cubicWeights(-0.75, gx - x0 - 1);
          const wy = cubicWeights(-0.75, gy - y0 - 1);
          v = 0;
          for (let a = 0; a < 4; a++) {
            let row = 0;
            for (let b = 0; b < 4; b++) row += wx[b]! * pixel(y0 + a, x0 + b);
            v += wy[a]! * row;
          }
        }
        out[(n * C + c) * Ho * Wo + i] = v;
      }
    }
  }
  return [fromNumbers(x.dtype, [N, C, Ho, Wo], out, ctx)];
};

export const GRID_SAMPLE_KERNELS: KernelTable = { GridSample: gridSample };
