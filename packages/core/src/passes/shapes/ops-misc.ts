import { attrGraph, attrInt, attrInts, attrString } from '../../ir/attributes.js';
import { dtypeFromOnnx, type DType } from '../../ir/dtype.js';
import type { Dim } from '../../ir/graph.js';
import { intsArg } from './arguments.js';
import { fmt, joinDim, normAxis, num } from './dims.js';
import { UNKNOWN, type OpContext, type OpRule, type ValueType } from './types.js';

/** Reduce* ops: `axesSince` is the opset where axes moved from an attribute to an input (13 for ReduceSum, else 18). */
export function reduce(axesSince: number): OpRule {
  return (ctx) => {
    const xt = ctx.input(0) ?? UNKNOWN;
    const x = xt.shape;
    const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
    const axes = intsArg(ctx, 'axes', 1, axesSince);
    if (!x) return { outputs: [{ dtype: xt.dtype, shape: null }] };
    if (axes === 'unknown') return { outputs: [{ dtype: xt.dtype, shape: keep ? x.map(() => null) : null }] };
    const inputForm = ctx.opset >= axesSince;
    if ((axes === undefined || axes.length === 0) && inputForm && attrInt(ctx.node, 'noop_with_empty_axes', 0) === 1) {
      return { outputs: [xt] };
    }
    const set = new Set(axes === undefined || axes.length === 0 ? x.map((_, i) => i) : axes.map((a) => normAxis(ctx, a, x.length)));
    const out = keep ? x.map((d, i) => (set.has(i) ? 1 : d)) : x.filter((_, i) => !set.has(i));
    return { outputs: [{ dtype: xt.dtype, shape: out }] };
  };
}

export const argReduce: OpRule = (ctx) => {
  const x = ctx.input(0)?.shape;
  if (!x) return { outputs: [{ dtype: 'int64', shape: null }] };
  const axis = normAxis(ctx, attrInt(ctx.node, 'axis', 0), x.length);
  const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
  return { outputs: [{ dtype: 'int64', shape: keep ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis) }] };
};

export const batchNorm: OpRule = (ctx) => {
  const x = ctx.input(0) ?? UNKNOWN;
  // Training mode adds running mean and variance, shaped like the mean/var inputs.
  return { outputs: [x, ctx.input(3), ctx.input(4)] };
};

export const layerNorm: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  const stash: DType | null = dtypeFromOnnx(attrInt(ctx.node, 'stash_type', 1)) ?? null;
  if (!x) return { outputs: [xt, { dtype: stash, shape: null }, { dtype: stash, shape: null }] };
  const axis = normAxis(ctx, attrInt(ctx.node, 'axis', -1), x.length);
  const stat = { dtype: stash, shape: x.map((d, i) => (i >= axis ? 1 : d)) };
  return { outputs: [xt, stat, stat] };
};

export const resize: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  if (!x) return { outputs: [{ dtype: xt.dtype, shape: null }] };
  const scalesAt = ctx.opset < 11 ? 1 : 2;
  const axes = ctx.opset >= 18 ? attrInts(ctx.node, 'axes') : undefined;
  const on = (axes ?? x.map((_, i) => i)).map((a) => normAxis(ctx, a, x.length));
  const out: Dim[] = [...x];
  const unknownOnAxes = (): { outputs: ValueType[] } => {
    for (const a of on) out[a] = null;
    return { outputs: [{ dtype: xt.dtype, shape: out }] };
  };
  if (ctx.opset >= 11 && ctx.has(3)) {
    // Sizes may come from a Shape chain and carry symbolic dims.
    const sizes = ctx.value(3)?.values;
    if (!sizes) return unknownOnAxes();
    if (sizes.length !== on.length) ctx.fail(`sizes has ${sizes.length} entries for ${on.length} axes`, { sizes });
    // keep_aspect_ratio_policy other than stretch recomputes sizes from a common scale; not worth guessing.
    if (attrString(ctx.node, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') return unknownOnAxes();
    on.forEach((a, i) => {
      out[a] = sizes[i]!;
    });
    return { outputs: [{ dtype: xt.dtype, shape: out }] };
  }
  const scales = ctx.has(scalesAt) ? ctx.numbers(scalesAt) : undefined;
  return { outputs: [{ dtype: xt.dtype, shape: scaled(ctx, x, on, scales) }] };
};

/** Upsample (deprecated): scales from the attribute (opset 7-8) or input 1 (opset 9). */
export const upsample: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  if (!x) return { outputs: [{ dtype: xt.dtype, shape: null }] };
  const a = ctx.node.attributes.find((attr) => attr.name === 'scales');
  const scales = ctx.has(1) ? ctx.numbers(1) : a?.type === 'floats' ? a.value : undefined;
  return { outputs: [{ dtype: xt.dtype, shape: scaled(ctx, x, x.map((_, i) => i), scales) }] };
};

function scaled(ctx: OpContext, x: Dim[], axes: number[], scales: number[] | undefined): Dim[] {
  const out: Dim[] = [...x];
  if (!scales || scales.length === 0) {
    for (const a of axes) out[a] = null;
    return out;
  }
  if (scales.length !== axes.length) ctx.fail(`scales has ${scales.length} entries for ${axes.length} axes`, { scales });
  axes.forEach((a, i) => {
    const s = scales[i]!;
    const d = x[a]!;
    // float32 arithmetic, then truncation, as the runtimes compute it.
    out[a] = s === 1 ? d : typeof d === 'number' ? Math.floor(Math.fround(Math.fround(s) * d)) : null;
  });
  return out;
}

/** LSTM (4 gates), GRU (3) and RNN (1): Y, Y_h and (LSTM) Y_c. */
export function recurrent(gates: number): OpRule {
  return (ctx) => {
    const xt = ctx.input(0) ?? UNKNOWN;
    const x = xt.shape;
    const w = ctx.input(1)?.shape;
    const r = ctx.input(2)?.shape;
    const dirs = attrString(ctx.node, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
    const layout = attrInt(ctx.node, 'layout', 0);
    let hidden: Dim = attrInt(ctx.node, 'hidden_size') ?? num(r?.[2]) ?? null;
    const wRows = num(w?.[1]);
    if (hidden === null && wRows !== undefined) {
      if (wRows % gates !== 0) ctx.fail(`W has ${wRows} rows, not a multiple of ${gates} gates`, { weight: w });
      hidden = wRows / gates;
    }
    if (typeof hidden === 'number' && wRows !== undefined && wRows !== gates * hidden) {
      ctx.fail(`W has ${wRows} rows, expected ${gates} x hidden_size ${hidden}`, { weight: w, hidden });
    }
    const wDirs = num(w?.[0]);
    if (wDirs !== undefined && wDirs !== dirs) ctx.fail(`W has ${wDirs} directions, the node runs ${dirs}`, { weight: w, direction: dirs });
    if (x && x.length !== 3) ctx.fail(`input must have rank 3, got ${fmt(x)}`, { input: x });
    const seq = x ? x[layout === 0 ? 0 : 1]! : null;
    const batch = x ? x[layout === 0 ? 1 : 0]! : null;
    const y: Dim[] = layout === 0 ? [seq, dirs, batch, hidden] : [batch, seq, dirs, hidden];
    const state: Dim[] = layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
    const outputs: ValueType[] = [{ dtype: xt.dtype, shape: y }, { dtype: xt.dtype, shape: state }];
    if (gates === 4) outputs.push({ dtype: xt.dtype, shape: state });
    return { outputs };
  };
}

export const ifOp: OpRule = (ctx) => {
  const thenBranch = attrGraph(ctx.node, 'then_branch');
  const elseBranch = attrGraph(ctx.node, 'else_branch');
  if (!thenBranch || !elseBranch) return ctx.fail('If needs then_branch and else_branch graphs');
  const a = ctx.subgraph(thenBranch);
  const b = ctx.subgraph(elseBranch);
  const outputs = ctx.node.outputs.map((_, i) => merge(a[i] ?? UNKNOWN, b[i] ?? UNKNOWN));
  return { outputs };
};

function merge(a: ValueType, b: ValueType): ValueType {
  const dtype = a.dtype === b.dtype ? a.dtype : null;
  if (!a.shape || !b.shape || a.shape.length !== b.shape.length) return { dtype, shape: null };
  const bs = b.shape;
  return { dtype, shape: a.shape.map((d, i) => joinDim(d, bs[i]!)) };
}

export const quantizeLinear: OpRule = (ctx) => {
  const x = ctx.input(0)?.shape ?? null;
  const out = attrInt(ctx.node, 'output_dtype', 0);
  const dtype = ctx.input(2)?.dtype ?? (out !== 0 ? dtypeFromOnnx(out) : undefined) ?? 'uint8';
  return { outputs: [{ dtype, shape: x }] };
};

export const dequantizeLinear: OpRule = (ctx) => {
  const x = ctx.input(0)?.shape ?? null;
  const out = attrInt(ctx.node, 'output_dtype', 0);
  const dtype = (out !== 0 ? dtypeFromOnnx(out) : undefined) ?? ctx.input(1)?.dtype ?? 'float32';
  return { outputs: [{ dtype, shape: x }] };
};

export const dynamicQuantizeLinear: OpRule = (ctx) => ({
  outputs: [
    { dtype: 'uint8', shape: ctx.input(0)?.shape ?? null },
    { dtype: 'float32', shape: [] },
    { dtype: 'uint8', shape: [] },
  ],
});
