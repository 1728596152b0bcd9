import { allocate, attrFloat, attrInts, attrString, sizeOf, stridesOf, type TensorData } from '@quantforge/core';
import type { Kernel, KernelTable } from '../types.js';
import { fromNumbers, kernelError, need, normAxis, readInts } from './util.js';

// Pad in constant, reflect, edge and wrap modes. Negative pads crop. Each axis gets a table of source coordinates
// (-1 = fill with the constant), and the output walks those tables.

function sourceIndex(mode: string, c: number, d: number): number {
  if (c >= 0 && c < d) return c;
  switch (mode) {
    case 'constant': return -1;
    case 'edge': return c < 0 ? 0 : d - 1;
    case 'wrap': return ((c % d) + d) % d;
    default: {
      if (d === 1) return 0;
      const period = 2 * (d - 1);
      const m = ((c % period) + period) % period;
      return m < d ? m : period - m;
    }
  }
}

const pad: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const rank = x.dims.length;
  const mode = attrString(ctx.node, 'mode', 'constant');
  if (!['constant', 'reflect', 'edge', 'wrap'].includes(mode)) throw kernelError(ctx, `unknown mode ${mode}`, { mode });
  let pads: number[];
  let fill: unknown;
  let axes = x.dims.map((_, i) => i);
  if (ctx.opset < 11) {
    pads = attrInts(ctx.node, 'pads', []);
    fill = fromNumbers(x.dtype, [], [attrFloat(ctx.node, 'value', 0)], ctx).data[0];
  } else {
    pads = readInts(need(inputs, 1, ctx));
    const cv = inputs[2];
    fill = cv && cv.data.length > 0 ? (cv.data as ArrayLike<unknown>)[0] : allocate(x.dtype, 1)[0];
    if (inputs[3]) axes = readInts(inputs[3]).map((a) => normAxis(a, rank, ctx));
  }
  if (pads.length !== 2 * axes.length) throw kernelError(ctx, `pads has ${pads.length} entries for ${axes.length} axes`);
  const before = x.dims.map(() => 0);
  const after = x.dims.map(() => 0);
  axes.forEach((a, k) => {
    before[a] = pads[k]!;
    after[a] = pads[k + axes.length]!;
  });
  const dims = x.dims.map((d, i) => d + before[i]! + after[i]!);
  if (dims.some((d) => d < 0)) throw kernelError(ctx, 'pads crop more than the input holds', { pads });
  if (mode !== 'constant' && x.dims.some((d, i) => d === 0 && dims[i]! > 0)) throw kernelError(ctx, `mode ${mode} cannot pad an empty axis`);
  const tables = dims.map((d, a) => Int32Array.from({ length: d }, (_, o) => sourceIndex(mode, o - before[a]!, x.dims[a]!)));
  const strides = stridesOf(x.dims);
  const n = sizeOf(dims);
  const out = allocate(x.dtype, n) as unknown as unknown[];
  const src = x.data as ArrayLike<unknown>;
  const counter = new Array<number>(rank).fill(0);
  for (let o = 0; o < n; o++) {
    let pos = 0;
    let inside = true;
    for (let a = 0; a < rank; a++) {
      const s = tables[a]![counter[a]!]!;
      if (s < 0) {
        inside = false;
        break;
      }
      pos += s * strides[a]!;
    }
    out[o] = inside ? src[pos] : fill;
    for (let a = rank - 1; a >= 0; a--) {
      if (++counter[a]! < dims[a]!) break;
      counter[a] = 0;
    }
  }
  return [{ dtype: x.dtype, dims, data: out as unknown as TensorData }];
};

export const PAD_KERNELS: KernelTable = { Pad: pad };
