import { tensor, type Tensor } from '@quantforge/core';
import type { Kernel } from '../types.js';
import { sgemmAcc } from './gemm-core.js';
import { planMatMul } from './matmul-plan.js';
import { f32, need } from './util.js';

/** ONNX MatMul (float32) with numpy semantics: N-D batches broadcast, 1-D operands promoted. */
export const matMul: Kernel = (inputs, ctx) => {
  const a = need(inputs, 0, 'A', ctx);
  const b = need(inputs, 1, 'B', ctx);
  const ad = f32(a, 'A', ctx), bd = f32(b, 'B', ctx);
  const p = planMatMul(ctx, a.dims, b.dims);
  const { m, k, n } = p;
  const y = new Float32Array(p.aOffsets.length * m * n);
  const shared = p.bOffsets.every((o) => o === 0);
  const contiguousA = p.aOffsets.every((o, i) => o === i * m * k);
  if (shared && contiguousA && p.aOffsets.length > 1) {
    // One weight matrix for every batch: a single tall product is faster than many short ones.
    sgemmAcc(p.aOffsets.length * m, n, k, ad, 0, bd, 0, y, 0);
  } else {
    for (let t = 0; t < p.aOffsets.length; t++) sgemmAcc(m, n, k, ad, p.aOffsets[t]!, bd, p.bOffsets[t]!, y, t * m * n);
  }
  return [tensor('float32', p.outDims, y) as Tensor];
};
