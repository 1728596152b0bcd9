import type { KernelContext } from '../types.js';
import { shapeError } from './util.js';

/** A batched matrix product after numpy-style broadcasting of the batch dims. */
export interface MatMulPlan {
  m: number; k: number; n: number;
  outDims: number[];
  /** Element offset of each batch's A and B matrix; C matrices are contiguous in batch order. */
  aOffsets: number[];
  bOffsets: number[];
}

/** Shapes of MatMul-like ops: 1-D operands are promoted (and the added dim dropped again), batch dims broadcast. */
export function planMatMul(ctx: KernelContext, aDims: number[], bDims: number[]): MatMulPlan {
  if (aDims.length === 0 || bDims.length === 0) throw shapeError(ctx, 'operands must have at least one dim', { a: aDims, b: bDims });
  const a = aDims.length === 1 ? [1, aDims[0]!] : aDims;
  const b = bDims.length === 1 ? [bDims[0]!, 1] : bDims;
  const m = a[a.length - 2]!, k = a[a.length - 1]!;
  const kb = b[b.length - 2]!, n = b[b.length - 1]!;
  if (k !== kb) throw shapeError(ctx, `inner dims differ: [${aDims}] x [${bDims}]`, { a: aDims, b: bDims });
  const aBatch = a.slice(0, -2), bBatch = b.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = aBatch[i - (rank - aBatch.length)] ?? 1;
    const db = bBatch[i - (rank - bBatch.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw shapeError(ctx, `batch dims do not broadcast: [${aDims}] x [${bDims}]`, { a: aDims, b: bDims });
    batch.push(da === 1 ? db : da);
  }
  const total = batch.reduce((x, y) => x * y, 1);
  const stridesFor = (dims: number[], mat: number): number[] => {
    const s = Array<number>(rank).fill(0);
    let acc = mat;
    for (let i = dims.length - 1; i >= 0; i--) {
      const r = i + (rank - dims.length);
      s[r] = dims[i] === 1 ? 0 : acc;
      acc *= dims[i]!;
    }
    return s;
  };
  const sa = stridesFor(aBatch, m * k), sb = stridesFor(bBatch, k * n);
  const aOffsets: number[] = [], bOffsets: number[] = [];
  const idx = Array<number>(rank).fill(0);
  for (let t = 0; t < total; t++) {
    let oa = 0, ob = 0;
    for (let i = 0; i < rank; i++) { oa += idx[i]! * sa[i]!; ob += idx[i]! * sb[i]!; }
    aOffsets.push(oa); bOffsets.push(ob);
    for (let i = rank - 1; i >= 0; i--) { if (++idx[i]! < batch[i]!) break; idx[i] = 0; }
  }
  const outDims = [...batch];
  if (aDims.length > 1) outDims.push(m);
  if (bDims.length > 1) outDims.push(n);
  return { m, k, n, outDims, aOffsets, bOffsets };
}
