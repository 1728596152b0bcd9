import { sizeOf } from '@quantforge/core';
import type { Kernel, KernelTable } from '../types.js';
import { fromNumbers, kernelError, need, numbers } from './util.js';

// Det of the trailing square matrices, by LU decomposition with partial pivoting (in float64).

function det(a: Float64Array, m: number): number {
  let d = 1;
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r * m + col]!) > Math.abs(a[pivot * m + col]!)) pivot = r;
    const p = a[pivot * m + col]!;
    if (p === 0) return 0;
    if (pivot !== col) {
      for (let k = 0; k < m; k++) {
        const t = a[col * m + k]!;
        a[col * m + k] = a[pivot * m + k]!;
        a[pivot * m + k] = t;
      }
      d = -d;
    }
    d *= p;
    for (let r = col + 1; r < m; r++) {
      const f = a[r * m + col]! / p;
      for (let k = col; k < m; k++) a[r * m + k]! -= f * a[col * m + k]!;
    }
  }
  return d;
}

const determinant: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const rank = x.dims.length;
  const m = x.dims[rank - 1] ?? 0;
  if (rank < 2 || x.dims[rank - 2] !== m) throw kernelError(ctx, `input [${x.dims.join(', ')}] is not a batch of square matrices`);
  const batch = x.dims.slice(0, -2);
  const src = numbers(x, ctx);
  const out = new Float64Array(sizeOf(batch));
  for (let b = 0; b < out.length; b++) out[b] = det(Float64Array.from({ length: m * m }, (_, i) => src[b * m * m + i]!), m);
  return [fromNumbers(x.dtype, batch, out, ctx)];
};

export const DETERMINANT_KERNELS: KernelTable = { Det: determinant };
