import { attrFloat, attrFloats, attrInt, attrString, attrStrings, type Tensor } from '@quantforge/core';
import type { KernelContext } from '../types.js';
import { sigmoid, softplus } from './unary.js';
import { fromNumbers, kernelError, need, numbers, readInts } from './util.js';

// What LSTM, GRU and RNN share: attribute parsing, both layouts, per-direction activations, sequence lengths, and the
// dense products of W with x_t and R with h_{t-1}.

export type Act = (v: number) => number;

interface ActivationInfo {
  f: Act;
  usesAlpha: boolean;
  usesBeta: boolean;
}

/** The RNN activation functions ONNX names, with their alpha/beta defaults. */
function makeActivation(name: string, alpha: number | undefined, beta: number | undefined, ctx: KernelContext): ActivationInfo {
  switch (name.toLowerCase()) {
    case 'sigmoid': return { f: sigmoid, usesAlpha: false, usesBeta: false };
    case 'tanh': return { f: Math.tanh, usesAlpha: false, usesBeta: false };
    case 'relu': return { f: (v) => (v > 0 ? v : 0), usesAlpha: false, usesBeta: false };
    case 'softsign': return { f: (v) => v / (1 + Math.abs(v)), usesAlpha: false, usesBeta: false };
    case 'softplus': return { f: softplus, usesAlpha: false, usesBeta: false };
    case 'affine': { const a = alpha ?? 1; const b = beta ?? 0; return { f: (v) => a * v + b, usesAlpha: true, usesBeta: true }; }
    case 'leakyrelu': { const a = alpha ?? 0.01; return { f: (v) => (v >= 0 ? v : a * v), usesAlpha: true, usesBeta: false }; }
    case 'thresholdedrelu': { const a = alpha ?? 1; return { f: (v) => (v > a ? v : 0), usesAlpha: true, usesBeta: false }; }
    case 'scaledtanh': { const a = alpha ?? 1; const b = beta ?? 1; return { f: (v) => a * Math.tanh(b * v), usesAlpha: true, usesBeta: true }; }
    case 'hardsigmoid': { const a = alpha ?? 0.2; const b = beta ?? 0.5; return { f: (v) => Math.max(0, Math.min(1, a * v + b)), usesAlpha: true, usesBeta: true }; }
    case 'elu': { const a = alpha ?? 1; return { f: (v) => (v >= 0 ? v : a * Math.expm1(v)), usesAlpha: true, usesBeta: false }; }
    default: throw kernelError(ctx, `unknown activation ${name}`, { activation: name });
  }
}

/** Activations for every direction; alpha/beta lists are consumed in order by the activations that take them. */
function activations(ctx: KernelContext, dirs: number, defaults: string[]): Act[] {
  const names = attrStrings(ctx.node, 'activations') ?? [];
  const list = names.length > 0 ? names : Array.from({ length: dirs }, () => defaults).flat();
  const per = defaults.length;
  // A forward-only list given to a bidirectional node applies to both directions.
  const full = list.length === per && dirs === 2 ? [...list, ...list] : list;
  if (full.length !== per * dirs) throw kernelError(ctx, `needs ${per * dirs} activations, has ${list.length}`);
  const alphas = attrFloats(ctx.node, 'activation_alpha', []);
  const betas = attrFloats(ctx.node, 'activation_beta', []);
  let ai = 0;
  let bi = 0;
  return full.map((name) => {
    const probe = makeActivation(name, undefined, undefined, ctx);
    const alpha = probe.usesAlpha ? alphas[ai++] : undefined;
    const beta = probe.usesBeta ? betas[bi++] : undefined;
    return makeActivation(name, alpha, beta, ctx).f;
  });
}

export interface Recurrent {
  S: number;
  B: number;
  I: number;
  H: number;
  dirs: number;
  direction: string;
  layout: number;
  dtype: Tensor['dtype'];
  X: ArrayLike<number>;
  W: ArrayLike<number>;
  R: ArrayLike<number>;
  bias: ArrayLike<number> | undefined;
  lens: number[] | undefined;
  h0: ArrayLike<number> | undefined;
  acts: Act[];
  /** Clamp applied to gate pre-activations (identity when the clip attribute is absent). */
  clamp: Act;
}

/** Parses the inputs X, W, R, B, sequence_lens, initial_h common to all three ops; `gates` rows per direction in W. */
export function setupRecurrent(inputs: (Tensor | undefined)[], ctx: KernelContext, gates: number, defaults: string[]): Recurrent {
  const node = ctx.node;
  const x = need(inputs, 0, ctx);
  const w = need(inputs, 1, ctx);
  const r = need(inputs, 2, ctx);
  const layout = attrInt(node, 'layout', 0);
  const direction = attrString(node, 'direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) throw kernelError(ctx, `unknown direction ${direction}`);
  const dirs = direction === 'bidirectional' ? 2 : 1;
  if (x.dims.length !== 3) throw kernelError(ctx, 'X must be 3-D');
  const [S, B] = layout === 0 ? [x.dims[0]!, x.dims[1]!] : [x.dims[1]!, x.dims[0]!];
  const I = x.dims[2]!;
  const H = attrInt(node, 'hidden_size', r.dims[2] ?? 0);
  if (w.dims[0] !== dirs || w.dims[1] !== gates * H || w.dims[2] !== I) throw kernelError(ctx, `W [${w.dims.join(', ')}] does not match ${dirs} x ${gates * H} x ${I}`);
  if (r.dims[0] !== dirs || r.dims[1] !== gates * H || r.dims[2] !== H) throw kernelError(ctx, `R [${r.dims.join(', ')}] does not match ${dirs} x ${gates * H} x ${H}`);
  const clip = attrFloat(node, 'clip');
  const lim = clip === undefined ? Infinity : clip;
  const lens = inputs[4] ? readInts(inputs[4]) : undefined;
  if (lens?.some((l) => l < 0 || l > S)) throw kernelError(ctx, `sequence_lens [${lens.join(', ')}] must lie in [0, ${S}]`);
  return {
    S, B, I, H, dirs, direction, layout, dtype: x.dtype,
    X: numbers(x, ctx), W: numbers(w, ctx), R: numbers(r, ctx),
    bias: inputs[3] ? numbers(inputs[3], ctx) : undefined,
    lens,
    h0: inputs[5] ? numbers(inputs[5], ctx) : undefined,
    acts: activations(ctx, dirs, defaults),
    clamp: (v) => (v < -lim ? -lim : v > lim ? lim : v),
  };
}

/** Offset of x_t for batch b. */
export function xOffset(s: Recurrent, t: number, b: number): number {
  return s.layout === 0 ? (t * s.B + b) * s.I : (b * s.S + t) * s.I;
}

/** Offset of the [direction, batch] state row (initial_h, Y_h, Y_c). */
export function stateOffset(s: Recurrent, d: number, b: number): number {
  return s.layout === 0 ? (d * s.B + b) * s.H : (b * s.dirs + d) * s.H;
}

/** Offset of the [t, direction, batch] row of Y. */
export function yOffset(s: Recurrent, t: number, d: number, b: number): number {
  return s.layout === 0 ? ((t * s.dirs + d) * s.B + b) * s.H : ((b * s.S + t) * s.dirs + d) * s.H;
}

/** out[j] = sum_k M[off + j*len + k] * v[vo + k] for `rows` rows (a slice of W or R times x_t or h). */
export function matVec(m: ArrayLike<number>, off: number, rows: number, len: number, v: ArrayLike<number>, vo: number, out: Float64Array): void {
  for (let j = 0; j < rows; j++) {
    let acc = 0;
    const base = off + j * len;
    for (let k = 0; k < len; k++) acc += m[base + k]! * v[vo + k]!;
    out[j] = acc;
  }
}

/** Y, Y_h (and any further state outputs) as tensors of X's dtype in the node's layout. */
export function recurrentOutputs(s: Recurrent, y: Float64Array, states: Float64Array[], ctx: KernelContext): Tensor[] {
  const yDims = s.layout === 0 ? [s.S, s.dirs, s.B, s.H] : [s.B, s.S, s.dirs, s.H];
  const sDims = s.layout === 0 ? [s.dirs, s.B, s.H] : [s.B, s.dirs, s.H];
  return [fromNumbers(s.dtype, yDims, y, ctx), ...states.map((st) => fromNumbers(s.dtype, sDims, st, ctx))];
}
