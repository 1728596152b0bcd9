import { attrInt, dtypeFromOnnx } from '@quantforge/core';
import type { Kernel, KernelTable } from '../types.js';
import { fromNumbers, kernelError, need, readInts } from './util.js';

// Generalized cosine windows (opset 17): w[n] = sum_k (-1)^k a_k cos(2 pi k n / N), with N = size when periodic and
// size - 1 when symmetric.

function cosineWindow(coeffs: number[]): Kernel {
  return (inputs, ctx) => {
    const size = readInts(need(inputs, 0, ctx))[0]!;
    if (size < 0) throw kernelError(ctx, `size ${size} must not be negative`);
    const periodic = attrInt(ctx.node, 'periodic', 1) === 1;
    const dtype = dtypeFromOnnx(attrInt(ctx.node, 'output_datatype', 1));
    if (!dtype) throw kernelError(ctx, 'output_datatype is not a known dtype');
    const n = periodic ? size : size - 1;
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      let v = 0;
      coeffs.forEach((a, k) => (v += (k % 2 === 0 ? a : -a) * Math.cos((2 * Math.PI * k * i) / n)));
      out[i] = v;
    }
    return [fromNumbers(dtype, [size], out, ctx)];
  };
}

export const WINDOW_KERNELS: KernelTable = {
  HannWindow: cosineWindow([0.5, 0.5]),
  HammingWindow: cosineWindow([25 / 46, 21 / 46]),
  BlackmanWindow: cosineWindow([0.42, 0.5, 0.08]),
};
