import { attrInt, attrInts, attrString } from '../../ir/attributes.js';
import type { DType } from '../../ir/dtype.js';
import type { Dim } from '../../ir/graph.js';
import { num } from './dims.js';
import { UNKNOWN, type OpContext, type OpResult, type OpRule } from './types.js';

interface Window {
  kernel: Dim[];
  strides: number[];
  dilations: number[];
  pads: number[];
  autoPad: string;
  ceil: boolean;
}

function windowOf(ctx: OpContext, spatial: number, kernel: Dim[]): Window {
  const n = ctx.node;
  const w: Window = {
    kernel,
    strides: attrInts(n, 'strides', new Array<number>(spatial).fill(1)),
    dilations: attrInts(n, 'dilations', new Array<number>(spatial).fill(1)),
    pads: attrInts(n, 'pads', new Array<number>(2 * spatial).fill(0)),
    autoPad: attrString(n, 'auto_pad', 'NOTSET'),
    ceil: attrInt(n, 'ceil_mode', 0) === 1,
  };
  if (w.kernel.length !== spatial || w.strides.length !== spatial || w.dilations.length !== spatial || w.pads.length !== 2 * spatial) {
    ctx.fail(`kernel_shape/strides/dilations/pads do not match ${spatial} spatial dims`, {
      kernel: w.kernel, strides: w.strides, dilations: w.dilations, pads: w.pads,
    });
  }
  if (w.strides.some((s) => s <= 0) || w.dilations.some((d) => d <= 0)) ctx.fail('strides and dilations must be positive', { strides: w.strides, dilations: w.dilations });
  return w;
}

/** Output size of a sliding window along one axis (Conv and pools). */
function windowDim(ctx: OpContext, input: Dim, w: Window, i: number): Dim {
  const s = w.strides[i]!;
  const k = num(w.kernel[i]);
  const d = w.dilations[i]!;
  const pb = w.pads[i]!;
  const pe = w.pads[i + w.kernel.length]!;
  const same = w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER';
  // Windows that keep the size keep a symbolic dim too.
  if (s === 1 && (same || (k !== undefined && (w.autoPad === 'VALID' ? k === 1 : pb + pe === d * (k - 1)) && !w.ceil))) return input;
  if (typeof input !== 'number') return null;
  if (same) return Math.ceil(input / s);
  if (k === undefined) return null;
  const effK = d * (k - 1) + 1;
  const padded = w.autoPad === 'VALID' ? input : input + pb + pe;
  if (padded < effK) ctx.fail(`window of ${effK} does not fit the (padded) input of ${padded} along spatial axis ${i}`, { input, kernel: k, pads: w.pads });
  let out = (w.ceil ? Math.ceil((padded - effK) / s) : Math.floor((padded - effK) / s)) + 1;
  // ceil_mode: a last window that would start in the end padding is dropped (as ONNX Runtime and PyTorch do).
  if (w.ceil && (out - 1) * s >= input + (w.autoPad === 'VALID' ? 0 : pb)) out--;
  return out;
}

function convCore(ctx: OpContext, xi: number, wi: number, bi: number, dtype: DType | null): OpResult {
  const x = ctx.input(xi)?.shape ?? null;
  const wShape = ctx.input(wi)?.shape ?? null;
  const rank = x?.length ?? wShape?.length;
  if (rank === undefined) return { outputs: [{ dtype, shape: null }] };
  if (rank < 3) ctx.fail(`input rank ${rank} is too small for a convolution`, { rank });
  if (x && wShape && x.length !== wShape.length) ctx.fail(`input rank ${x.length} differs from weight rank ${wShape.length}`, { input: x, weight: wShape });
  const spatial = rank - 2;
  const group = attrInt(ctx.node, 'group', 1);
  const m = wShape?.[0] ?? null;
  const c = num(x?.[1]);
  const cg = num(wShape?.[1]);
  if (c !== undefined && cg !== undefined && c !== cg * group) {
    ctx.fail(`input has ${c} channels but the weight expects ${cg} x group ${group}`, { inputChannels: c, weightChannels: cg, group });
  }
  const bias = ctx.input(bi)?.shape;
  if (bias && bias.length === 1 && typeof bias[0] === 'number' && typeof m === 'number' && bias[0] !== m) {
    ctx.fail(`bias has ${bias[0]} elements for ${m} output channels`, { bias: bias[0], outputChannels: m });
  }
  const kernel: Dim[] = attrInts(ctx.node, 'kernel_shape') ?? (wShape ? wShape.slice(2) : new Array<Dim>(spatial).fill(null));
  const w = windowOf(ctx, spatial, kernel);
  const out: Dim[] = [x?.[0] ?? null, m];
  for (let i = 0; i < spatial; i++) out.push(windowDim(ctx, x?.[i + 2] ?? null, w, i));
  return { outputs: [{ dtype, shape: out }] };
}

export const conv: OpRule = (ctx) => convCore(ctx, 0, 1, 2, ctx.input(0)?.dtype ?? null);
export const qlinearConv: OpRule = (ctx) => convCore(ctx, 0, 3, 8, ctx.input(7)?.dtype ?? ctx.input(0)?.dtype ?? null);
export const convInteger: OpRule = (ctx) => convCore(ctx, 0, 1, -1, 'int32');

export const convTranspose: OpRule = (ctx) => {
  const xt = ctx.input(0);
  const x = xt?.shape ?? null;
  const wShape = ctx.input(1)?.shape ?? null;
  const dtype = xt?.dtype ?? null;
  const rank = x?.length ?? wShape?.length;
  if (rank === undefined) return { outputs: [{ dtype, shape: null }] };
  if (rank < 3) ctx.fail(`input rank ${rank} is too small for a convolution`, { rank });
  const spatial = rank - 2;
  const group = attrInt(ctx.node, 'group', 1);
  const c = num(x?.[1]);
  const wc = num(wShape?.[0]);
  if (c !== undefined && wc !== undefined && c !== wc) ctx.fail(`input has ${c} channels but the weight expects ${wc}`, { inputChannels: c, weightChannels: wc });
  const mg = num(wShape?.[1]);
  const out: Dim[] = [x?.[0] ?? null, mg === undefined ? null : mg * group];
  const outputShape = attrInts(ctx.node, 'output_shape');
  if (outputShape) {
    const sp = outputShape.length === rank ? outputShape.slice(2) : outputShape;
    if (sp.length !== spatial) ctx.fail(`output_shape has ${sp.length} entries for ${spatial} spatial dims`, { outputShape });
    return { outputs: [{ dtype, shape: [...out, ...sp] }] };
  }
  const kernel: Dim[] = attrInts(ctx.node, 'kernel_shape') ?? (wShape ? wShape.slice(2) : new Array<Dim>(spatial).fill(null));
  const w = windowOf(ctx, spatial, kernel);
  const outPad = attrInts(ctx.node, 'output_padding', new Array<number>(spatial).fill(0));
  for (let i = 0; i < spatial; i++) {
    const inp = x?.[i + 2] ?? null;
    const k = num(kernel[i]);
    const s = w.strides[i]!;
    if (typeof inp !== 'number') {
      out.push(null);
    } else if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
      out.push(inp * s);
    } else if (k === undefined) {
      out.push(null);
    } else {
      const pads = w.autoPad === 'VALID' ? 0 : w.pads[i]! + w.pads[i + spatial]!;
      out.push(s * (inp - 1) + (outPad[i] ?? 0) + w.dilations[i]! * (k - 1) + 1 - pads);
    }
  }
  return { outputs: [{ dtype, shape: out }] };
};

function poolCore(ctx: OpContext): OpResult {
  const xt = ctx.input(0) ?? UNKNOWN;
  const kernel = attrInts(ctx.node, 'kernel_shape');
  if (!kernel) ctx.fail('pooling needs kernel_shape');
  const x = xt.shape;
  if (x && x.length !== kernel.length + 2) ctx.fail(`input rank ${x.length} does not match kernel_shape of ${kernel.length} dims`, { input: x, kernel });
  const w = windowOf(ctx, kernel.length, kernel);
  const shape: Dim[] | null = x ? [x[0]!, x[1]!, ...kernel.map((_, i) => windowDim(ctx, x[i + 2]!, w, i))] : null;
  return { outputs: [{ dtype: xt.dtype, shape }] };
}

export const pool: OpRule = poolCore;

export const maxPool: OpRule = (ctx) => {
  const y = poolCore(ctx).outputs[0]!;
  return { outputs: [y, { dtype: 'int64', shape: y.shape }] };
};

export const globalPool: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  if (x && x.length < 2) ctx.fail(`input rank ${x.length} is too small for global pooling`, { input: x });
  return { outputs: [{ dtype: xt.dtype, shape: x ? [x[0]!, x[1]!, ...x.slice(2).map(() => 1)] : null }] };
};
