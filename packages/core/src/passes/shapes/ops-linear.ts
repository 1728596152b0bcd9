import { attrInt } from '../../ir/attributes.js';
import type { DType } from '../../ir/dtype.js';
import type { Dim } from '../../ir/graph.js';
import { broadcastShapes, fmt, unifyDim } from './dims.js';
import type { OpContext, OpResult, OpRule } from './types.js';

function matmulCore(ctx: OpContext, ai: number, bi: number, dtype: DType | null): OpResult {
  const a = ctx.input(ai)?.shape ?? null;
  const b = ctx.input(bi)?.shape ?? null;
  if (!a || !b) return { outputs: [{ dtype, shape: null }] };
  if (a.length === 0 || b.length === 0) ctx.fail('MatMul inputs must not be scalars', { a, b });
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const k = unifyDim(a2[a2.length - 1]!, b2[b2.length - 2]!);
  if (k === 'error') ctx.fail(`inner dims differ: ${fmt(a)} x ${fmt(b)}`, { a, b });
  const batch = broadcastShapes(ctx, [a2.slice(0, -2), b2.slice(0, -2)])!;
  const out: Dim[] = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]!);
  if (b.length > 1) out.push(b2[b2.length - 1]!);
  return { outputs: [{ dtype, shape: out }] };
}

export const matmul: OpRule = (ctx) => matmulCore(ctx, 0, 1, ctx.input(0)?.dtype ?? null);
export const qlinearMatmul: OpRule = (ctx) => matmulCore(ctx, 0, 3, ctx.input(7)?.dtype ?? ctx.input(0)?.dtype ?? null);
export const matmulInteger: OpRule = (ctx) => matmulCore(ctx, 0, 1, 'int32');

export const gemm: OpRule = (ctx) => {
  const dtype = ctx.input(0)?.dtype ?? null;
  const a = ctx.input(0)?.shape ?? null;
  const b = ctx.input(1)?.shape ?? null;
  if ((a && a.length !== 2) || (b && b.length !== 2)) ctx.fail(`Gemm needs rank-2 inputs, got ${fmt(a)} and ${fmt(b)}`, { a, b });
  const ta = attrInt(ctx.node, 'transA', 0) === 1;
  const tb = attrInt(ctx.node, 'transB', 0) === 1;
  const m = a ? a[ta ? 1 : 0]! : null;
  const ka = a ? a[ta ? 0 : 1]! : null;
  const kb = b ? b[tb ? 1 : 0]! : null;
  const n = b ? b[tb ? 0 : 1]! : null;
  if (unifyDim(ka, kb) === 'error') ctx.fail(`inner dims differ: ${fmt(a)} x ${fmt(b)} (transA=${Number(ta)}, transB=${Number(tb)})`, { a, b });
  const out: Dim[] = [m, n];
  const c = ctx.input(2)?.shape;
  // C broadcasts to [M, N]; checking it catches a bias of the wrong length.
  if (c) broadcastShapes(ctx, [out, c]);
  return { outputs: [{ dtype, shape: out }] };
};
