import { attrInt } from '@quantforge/core';
import type { Kernel, KernelTable } from '../types.js';
import { kernelError, need, numbers, readInts } from './util.js';

// NonMaxSuppression: greedy per (batch, class), highest score first (ties by box index), a box is dropped when its IoU
// with an already kept box exceeds iou_threshold.

function corners(b: ArrayLike<number>, o: number, centered: boolean): [number, number, number, number] {
  if (centered) {
    const [xc, yc, w, h] = [b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!];
    return [yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2];
  }
  // Corner boxes may name either diagonal pair; normalize to (min, max).
  return [Math.min(b[o]!, b[o + 2]!), Math.min(b[o + 1]!, b[o + 3]!), Math.max(b[o]!, b[o + 2]!), Math.max(b[o + 1]!, b[o + 3]!)];
}

function iou(a: [number, number, number, number], b: [number, number, number, number]): number {
  const ih = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iw = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ih * iw;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

const nonMaxSuppression: Kernel = (inputs, ctx) => {
  const boxesT = need(inputs, 0, ctx);
  const scoresT = need(inputs, 1, ctx);
  const maxOut = inputs[2] && inputs[2].data.length > 0 ? readInts(inputs[2])[0]! : 0;
  const iouThreshold = inputs[3] && inputs[3].data.length > 0 ? numbers(inputs[3], ctx)[0]! : 0;
  const scoreThreshold = inputs[4] && inputs[4].data.length > 0 ? numbers(inputs[4], ctx)[0]! : -Infinity;
  const centered = attrInt(ctx.node, 'center_point_box', 0) === 1;
  const [batches, n] = [boxesT.dims[0]!, boxesT.dims[1]!];
  const classes = scoresT.dims[1]!;
  if (boxesT.dims[2] !== 4 || scoresT.dims[0] !== batches || scoresT.dims[2] !== n) {
    throw kernelError(ctx, `boxes [${boxesT.dims.join(', ')}] and scores [${scoresT.dims.join(', ')}] do not match`);
  }
  const boxes = numbers(boxesT, ctx);
  const scores = numbers(scoresT, ctx);
  const picked: number[] = [];
  for (let b = 0; b < batches; b++) {
    const all = Array.from({ length: n }, (_, i) => corners(boxes, (b * n + i) * 4, centered));
    for (let c = 0; c < classes; c++) {
      const base = (b * classes + c) * n;
      const order = Array.from({ length: n }, (_, i) => i)
        .filter((i) => scores[base + i]! > scoreThreshold)
        .sort((x, y) => scores[base + y]! - scores[base + x]! || x - y);
      const kept: number[] = [];
      for (const i of order) {
        if (kept.length >= maxOut) break;
        if (kept.every((k) => iou(all[i]!, all[k]!) <= iouThreshold)) kept.push(i);
      }
      for (const k of kept) picked.push(b, c, k);
    }
  }
  return [{ dtype: 'int64', dims: [picked.length / 3, 3], data: BigInt64Array.from(picked, BigInt) }];
};

export const DETECTION_KERNELS: KernelTable = { NonMaxSuppression: nonMaxSuppression };
