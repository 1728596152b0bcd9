import { attrInt } from '../../ir/attributes.js';
import { dtypeFromOnnx, type DType } from '../../ir/dtype.js';
import type { Dim } from '../../ir/graph.js';
import { broadcastShapes } from './dims.js';
import { UNKNOWN, type KnownValue, type OpContext, type OpResult, type OpRule } from './types.js';

/** Output 0 is input 0 unchanged (activations, normalizations, Identity, Clip, Softmax, ...). */
export const sameAsInput: OpRule = (ctx) => ({ outputs: [ctx.input(0) ?? UNKNOWN], values: [ctx.value(0)] });

function allInputs(ctx: OpContext, from = 0): number[] {
  const idx: number[] = [];
  for (let i = from; i < ctx.node.inputs.length; i++) if (ctx.has(i)) idx.push(i);
  return idx;
}

function broadcastOf(ctx: OpContext, indices: number[]): Dim[] | null {
  return broadcastShapes(ctx, indices.map((i) => ctx.input(i)?.shape));
}

function firstDtype(ctx: OpContext, indices: number[]): DType | null {
  for (const i of indices) {
    const d = ctx.input(i)?.dtype;
    if (d) return d;
  }
  return null;
}

/** Element-wise on all inputs with broadcasting; output dtype of the inputs (Add, Max, Sum, PRelu, ...). */
export const broadcasting: OpRule = (ctx) => {
  const idx = allInputs(ctx);
  return { outputs: [{ dtype: firstDtype(ctx, idx), shape: broadcastOf(ctx, idx) }] };
};

/** Comparisons and logic: broadcasting, bool output. */
export const comparison: OpRule = (ctx) => ({ outputs: [{ dtype: 'bool', shape: broadcastOf(ctx, allInputs(ctx)) }] });

export const where: OpRule = (ctx) => ({
  outputs: [{ dtype: firstDtype(ctx, [1, 2]), shape: broadcastOf(ctx, allInputs(ctx)) }],
});

/** Arithmetic that also computes small known integer values (Shape arithmetic in exported models). */
export function arithmetic(f: (a: number, b: number) => number): OpRule {
  return (ctx) => {
    const result = broadcasting(ctx);
    const a = ctx.value(0);
    const b = ctx.value(1);
    // float32 results round like the runtime's; integer shape math is exact either way.
    const g = result.outputs[0]?.dtype === 'float32' ? (x: number, y: number) => Math.fround(f(x, y)) : f;
    const value = a && b ? combine(a, b, g) : undefined;
    return value ? { outputs: result.outputs, values: [value] } : result;
  };
}

function combine(a: KnownValue, b: KnownValue, f: (x: number, y: number) => number): KnownValue | undefined {
  // Only the shapes that shape arithmetic produces: equal lengths, or one side a single element.
  const n = Math.max(a.values.length, b.values.length);
  if (a.values.length !== n && a.values.length !== 1) return undefined;
  if (b.values.length !== n && b.values.length !== 1) return undefined;
  const dims = a.dims.length >= b.dims.length ? a.dims : b.dims;
  const values: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a.values[a.values.length === 1 ? 0 : i]!;
    const y = b.values[b.values.length === 1 ? 0 : i]!;
    if (typeof x !== 'number' || typeof y !== 'number') {
      values.push(null);
      continue;
    }
    const r = f(x, y);
    values.push(Number.isFinite(r) ? r : null);
  }
  return { dims: [...dims], values };
}

/** Integer division in ONNX truncates toward zero; on floats it divides. */
export function divide(ctx: OpContext): OpResult {
  const dtype = ctx.input(0)?.dtype ?? null;
  const integer = dtype !== null && /int/.test(dtype);
  return arithmetic((a, b) => (integer ? Math.trunc(a / b) : a / b))(ctx);
}

export const cast: OpRule = (ctx) => {
  const to = dtypeFromOnnx(attrInt(ctx.node, 'to', 0)) ?? null;
  const v = ctx.value(0);
  let value: KnownValue | undefined;
  if (v && to !== null) {
    const integer = /int/.test(to);
    const values = v.values.map((x) => {
      if (typeof x !== 'number') return integer ? x : null;
      if (to === 'bool') return x !== 0 ? 1 : 0;
      return integer ? Math.trunc(x) : x;
    });
    value = { dims: [...v.dims], values };
  }
  return { outputs: [{ dtype: to, shape: ctx.input(0)?.shape ?? null }], values: [value] };
};

export const castLike: OpRule = (ctx) => ({ outputs: [{ dtype: ctx.input(1)?.dtype ?? null, shape: ctx.input(0)?.shape ?? null }] });

export const dropout: OpRule = (ctx) => {
  const x = ctx.input(0) ?? UNKNOWN;
  return { outputs: [x, { dtype: 'bool', shape: x.shape }] };
};
