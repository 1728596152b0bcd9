import { allocate, attrFloat, attrInt, attrString, type Tensor, type TensorData } from '@quantforge/core';
import type { Kernel, KernelContext, KernelTable } from '../types.js';
import { dtypeError, fromNumbers, isBig, need, numbers, roundHalfEven } from './util.js';

// Elementwise one-input math and the pointwise activations.

/** Applies `f` to every element; the result keeps `x`'s dtype. `big` handles 64-bit integers exactly when given. */
export function mapUnary(x: Tensor, f: (v: number) => number, ctx: KernelContext, big?: (v: bigint) => bigint): Tensor {
  const dtype = x.dtype;
  if (dtype === 'bool' || dtype === 'string' || dtype.startsWith('complex')) throw dtypeError(ctx, dtype);
  const n = x.data.length;
  if (isBig(dtype) && big) {
    const out = allocate(dtype, n) as BigInt64Array | BigUint64Array;
    const src = x.data as BigInt64Array;
    const wrap = dtype === 'int64' ? BigInt.asIntN : BigInt.asUintN;
    for (let i = 0; i < n; i++) out[i] = wrap(64, big(src[i]!));
    return { dtype, dims: [...x.dims], data: out };
  }
  const src = numbers(x, ctx);
  if (dtype === 'float16' || dtype === 'bfloat16' || isBig(dtype)) {
    const tmp = new Float64Array(n);
    for (let i = 0; i < n; i++) tmp[i] = f(src[i]!);
    return fromNumbers(dtype, x.dims, tmp, ctx);
  }
  const out = allocate(dtype, n) as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
  for (let i = 0; i < n; i++) out[i] = f(src[i]!);
  return { dtype, dims: [...x.dims], data: out };
}

function unary(f: (v: number) => number, big?: (v: bigint) => bigint): Kernel {
  return (inputs, ctx) => [mapUnary(need(inputs, 0, ctx), f, ctx, big)];
}

/** Unary kernel whose function depends on the node's attributes. */
function unaryWith(make: (ctx: KernelContext) => (v: number) => number): Kernel {
  return (inputs, ctx) => [mapUnary(need(inputs, 0, ctx), make(ctx), ctx)];
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) in double precision: the Maclaurin series where it converges quickly (|x| < 2.5, worst-case cancellation
 * costs about 3 of 16 digits) and the Laplace continued fraction of erfc beyond; both are accurate far below 1e-7.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
  if (ax < 2.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  let t = ax;
  for (let k = 60; k >= 1; k--) t = ax + k / 2 / t;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / t;
  return x > 0 ? 1 - erfc : erfc - 1;
}

export function sigmoid(v: number): number {
  // Split by sign so exp never overflows.
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

export function softplus(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

/** Clip: bounds are attributes before opset 11 and optional scalar inputs from 11. */
const clip: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  let lo = -Infinity;
  let hi = Infinity;
  if (ctx.opset < 11) {
    lo = attrFloat(ctx.node, 'min', -3.4028234663852886e38);
    hi = attrFloat(ctx.node, 'max', 3.4028234663852886e38);
  } else {
    if (inputs[1] && inputs[1].data.length > 0) lo = numbers(inputs[1], ctx)[0]!;
    if (inputs[2] && inputs[2].data.length > 0) hi = numbers(inputs[2], ctx)[0]!;
  }
  const bigLo = Number.isInteger(lo) ? BigInt(lo) : undefined;
  const bigHi = Number.isInteger(hi) ? BigInt(hi) : undefined;
  return [mapUnary(x, (v) => (v < lo ? lo : v > hi ? hi : v), ctx, (v) => (bigLo !== undefined && v < bigLo ? bigLo : bigHi !== undefined && v > bigHi ? bigHi : v))];
};

export const UNARY_KERNELS: KernelTable = {
  Sqrt: unary(Math.sqrt),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Neg: unary((v) => -v, (v) => -v),
  Abs: unary(Math.abs, (v) => (v < 0n ? -v : v)),
  Reciprocal: unary((v) => 1 / v),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Round: unary(roundHalfEven),
  Sign: unary(Math.sign, (v) => (v > 0n ? 1n : v < 0n ? -1n : 0n)),
  Sin: unary(Math.sin),
  Cos: unary(Math.cos),
  Tanh: unary(Math.tanh),
  Sigmoid: unary(sigmoid),
  Erf: unary(erf),
  Relu: unary((v) => (v > 0 ? v : 0), (v) => (v > 0n ? v : 0n)),
  Softplus: unary(softplus),
  Softsign: unary((v) => v / (1 + Math.abs(v))),
  HardSwish: unary((v) => v * Math.max(0, Math.min(1, v / 6 + 0.5))),
  LeakyRelu: unaryWith((ctx) => {
    const alpha = attrFloat(ctx.node, 'alpha', 0.01);
    return (v) => (v >= 0 ? v : alpha * v);
  }),
  HardSigmoid: unaryWith((ctx) => {
    const alpha = attrFloat(ctx.node, 'alpha', 0.2);
    const beta = attrFloat(ctx.node, 'beta', 0.5);
    return (v) => Math.max(0, Math.min(1, alpha * v + beta));
  }),
  Elu: unaryWith((ctx) => {
    const alpha = attrFloat(ctx.node, 'alpha', 1);
    return (v) => (v >= 0 ? v : alpha * Math.expm1(v));
  }),
  Selu: unaryWith((ctx) => {
    const alpha = attrFloat(ctx.node, 'alpha', 1.67326319217681884765625);
    const gamma = attrFloat(ctx.node, 'gamma', 1.05070102214813232421875);
    return (v) => gamma * (v > 0 ? v : alpha * Math.expm1(v));
  }),
  ThresholdedRelu: unaryWith((ctx) => {
    const alpha = attrFloat(ctx.node, 'alpha', 1);
    return (v) => (v > alpha ? v : 0);
  }),
  Clip: clip,
  Tan: unary(Math.tan),
  Asin: unary(Math.asin),
  Acos: unary(Math.acos),
  Atan: unary(Math.atan),
  Sinh: unary(Math.sinh),
  Cosh: unary(Math.cosh),
  Asinh: unary(Math.asinh),
  Acosh: unary(Math.acosh),
  Atanh: unary(Math.atanh),
  Mish: unary((v) => v * Math.tanh(softplus(v))),
  Celu: unaryWith((ctx) => {
    const alpha = attrFloat(ctx.node, 'alpha', 1);
    return (v) => Math.max(0, v) + Math.min(0, alpha * Math.expm1(v / alpha));
  }),
  Shrink: unaryWith((ctx) => {
    const bias = attrFloat(ctx.node, 'bias', 0);
    const lambd = attrFloat(ctx.node, 'lambd', 0.5);
    return (v) => (v < -lambd ? v + bias : v > lambd ? v - bias : 0);
  }),
  Gelu: unaryWith((ctx) => {
    if (attrString(ctx.node, 'approximate', 'none') === 'tanh') {
      const k = Math.sqrt(2 / Math.PI);
      return (v) => 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v)));
    }
    return (v) => 0.5 * v * (1 + erf(v / Math.SQRT2));
  }),
  IsNaN: (inputs, ctx) => [predicate(need(inputs, 0, ctx), Number.isNaN, ctx)],
  IsInf: (inputs, ctx) => {
    const neg = attrInt(ctx.node, 'detect_negative', 1) === 1;
    const pos = attrInt(ctx.node, 'detect_positive', 1) === 1;
    return [predicate(need(inputs, 0, ctx), (v) => (v === Infinity && pos) || (v === -Infinity && neg), ctx)];
  },
};

function predicate(x: Tensor, test: (v: number) => boolean, ctx: KernelContext): Tensor {
  const src = numbers(x, ctx);
  const out = new Uint8Array(src.length);
  for (let i = 0; i < out.length; i++) out[i] = test(src[i]!) ? 1 : 0;
  return { dtype: 'bool', dims: [...x.dims], data: out };
}
