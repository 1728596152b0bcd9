import { allocate, attrInt, dtypeFromOnnx, isInteger, type DType, type Tensor } from '@quantforge/core';
import type { Kernel, KernelContext, KernelTable } from '../types.js';
import { dtypeError, fromNumbers, isBig, kernelError, need, numbers, roundHalfEven } from './util.js';

// Cast between numeric dtypes, bool and strings. Float -> integer truncates toward zero and wider integer targets keep
// the low bits, like C casts; 4-bit (and 2-bit) targets follow the ONNX reference instead: clip to the range, then
// round half to even.

function parseNumber(s: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan' || t === '+nan' || t === '-nan') return NaN;
  return Number(t);
}

/** Shortest decimal that reads back as the same float32 (what numpy prints for a float32). */
function float32ToString(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'INF' : '-INF';
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

/** Casts `x` to `to`; `saturate` (opset 19) only matters for float8 targets. */
export function castTensor(x: Tensor, to: DType, ctx: KernelContext, saturate = true): Tensor {
  const n = x.data.length;
  if (x.dtype === to) return { dtype: to, dims: [...x.dims], data: (Array.isArray(x.data) ? [...x.data] : x.data.slice()) as Tensor['data'] };
  if (to === 'string') {
    const out = new Array<string>(n);
    if (isBig(x.dtype)) for (let i = 0; i < n; i++) out[i] = String((x.data as BigInt64Array)[i]);
    else {
      const src = numbers(x, ctx);
      const fmt = x.dtype === 'float64' ? (v: number) => String(v) : isInteger(x.dtype) || x.dtype === 'bool' ? (v: number) => (x.dtype === 'bool' ? (v ? 'True' : 'False') : String(v)) : float32ToString;
      for (let i = 0; i < n; i++) out[i] = fmt(src[i]!);
    }
    return { dtype: 'string', dims: [...x.dims], data: out };
  }
  if (x.dtype === 'string') {
    const src = x.data as string[];
    if (isBig(to)) {
      const out = allocate(to, n) as BigInt64Array | BigUint64Array;
      const wrap = to === 'int64' ? BigInt.asIntN : BigInt.asUintN;
      for (let i = 0; i < n; i++) {
        const s = src[i]!.trim();
        out[i] = /^[-+]?\d+$/.test(s) ? wrap(64, BigInt(s)) : BigInt(Math.trunc(parseNumber(s)) || 0);
      }
      return { dtype: to, dims: [...x.dims], data: out };
    }
    return store(Float64Array.from(src, parseNumber), to, x.dims, ctx, saturate);
  }
  if (to === 'float4e2m1' || to.startsWith('complex') || to === 'float8e8m0') throw dtypeError(ctx, to, { target: to });
  if (isBig(x.dtype)) {
    const src = x.data as BigInt64Array | BigUint64Array;
    if (isBig(to)) {
      const out = allocate(to, n) as BigInt64Array | BigUint64Array;
      const wrap = to === 'int64' ? BigInt.asIntN : BigInt.asUintN;
      for (let i = 0; i < n; i++) out[i] = wrap(64, src[i]!);
      return { dtype: to, dims: [...x.dims], data: out };
    }
    // Narrow integer targets keep the low bits; wrapping to 32 bits first keeps that exact beyond 2^53.
    const narrow = isInteger(to) && !to.endsWith('int4');
    const vals = new Float64Array(n);
    for (let i = 0; i < n; i++) vals[i] = narrow ? Number(BigInt.asIntN(32, src[i]!)) : Number(src[i]!);
    return store(vals, to, x.dims, ctx, saturate);
  }
  return store(numbers(x, ctx), to, x.dims, ctx, saturate);
}

function store(values: ArrayLike<number>, to: DType, dims: readonly number[], ctx: KernelContext, saturate: boolean): Tensor {
  if (to === 'int4' || to === 'uint4' || to === 'int2' || to === 'uint2') {
    const bits = to.endsWith('4') ? 4 : 2;
    const [lo, hi] = to.startsWith('u') ? [0, 2 ** bits - 1] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
    const out = allocate(to, values.length) as Uint8Array | Int8Array;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      out[i] = Number.isNaN(v) ? 0 : roundHalfEven(Math.min(hi, Math.max(lo, v)));
    }
    return { dtype: to, dims: [...dims], data: out };
  }
  return fromNumbers(to, dims, values, ctx, saturate);
}

const cast: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const code = attrInt(ctx.node, 'to');
  const to = code === undefined ? undefined : dtypeFromOnnx(code);
  if (!to) throw kernelError(ctx, `attribute to=${code} is not a known dtype`, { to: code });
  return [castTensor(x, to, ctx, attrInt(ctx.node, 'saturate', 1) === 1)];
};

const castLike: Kernel = (inputs, ctx) => [castTensor(need(inputs, 0, ctx), need(inputs, 1, ctx).dtype, ctx, attrInt(ctx.node, 'saturate', 1) === 1)];

export const CAST_KERNELS: KernelTable = { Cast: cast, CastLike: castLike };
