import { allocate, attrInt, attrString, sizeOf, type DType, type Tensor, type TensorData } from '@quantforge/core';
import type { Kernel, KernelContext, KernelTable } from '../types.js';
import { binaryLoop, broadcastAll } from './broadcast.js';
import { dtypeError, fromNumbers, isBig, isFloatType, kernelError, need, numbers, withDims } from './util.js';

// Elementwise arithmetic, comparison and selection with multidirectional broadcasting.

type NumFn = (a: number, b: number) => number;
type BigFn = (a: bigint, b: bigint) => bigint;

interface ArithSpec {
  /** Float semantics (also used for integers unless `int` is given). */
  float: NumFn;
  /** Integer semantics where they differ from the float ones (truncating division, 32-bit products). */
  int?: NumFn;
  big: BigFn;
}

function isHalf(dtype: DType): boolean {
  return dtype === 'float16' || dtype === 'bfloat16';
}

/** `a op b` with broadcasting; the result takes `a`'s dtype. Exported for kernels that reuse the arithmetic. */
export function arithmetic(a: Tensor, b: Tensor, spec: ArithSpec, ctx: KernelContext): Tensor {
  if (a.dtype !== b.dtype) throw kernelError(ctx, `operands have different dtypes ${a.dtype} and ${b.dtype}`, { dtypes: [a.dtype, b.dtype] });
  const dtype = a.dtype;
  if (dtype === 'bool' || dtype === 'string' || dtype.startsWith('complex')) throw dtypeError(ctx, dtype);
  const { dims, maps } = broadcastAll([a.dims, b.dims], ctx);
  const [ma, mb] = [maps[0]!, maps[1]!];
  const n = sizeOf(dims);
  if (isBig(dtype)) {
    const out = allocate(dtype, n) as BigInt64Array | BigUint64Array;
    const wrap = dtype === 'int64' ? BigInt.asIntN : BigInt.asUintN;
    try {
      binaryLoop(a.data as BigInt64Array, ma, b.data as BigInt64Array, mb, out, (x, y) => wrap(64, spec.big(x, y)));
    } catch (e) {
      if (e instanceof RangeError) throw kernelError(ctx, `integer arithmetic failed: ${e.message}`);
      throw e;
    }
    return { dtype, dims, data: out };
  }
  if (isHalf(dtype)) {
    const out = new Float32Array(n);
    binaryLoop(numbers(a, ctx), ma, numbers(b, ctx), mb, out, spec.float);
    return fromNumbers(dtype, dims, out, ctx);
  }
  const out = allocate(dtype, n) as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
  const f = isFloatType(dtype) ? spec.float : (spec.int ?? spec.float);
  binaryLoop(numbers(a, ctx), ma, numbers(b, ctx), mb, out, f);
  return { dtype, dims, data: out };
}

const ADD: ArithSpec = { float: (a, b) => a + b, big: (a, b) => a + b };
const SUB: ArithSpec = { float: (a, b) => a - b, big: (a, b) => a - b };
// Math.imul keeps the low 32 bits of the product, exactly what int32/uint32 storage keeps; narrower ints are exact.
const MUL: ArithSpec = { float: (a, b) => a * b, int: (a, b) => Math.imul(a, b), big: (a, b) => a * b };
const DIV: ArithSpec = { float: (a, b) => a / b, int: (a, b) => Math.trunc(a / b), big: (a, b) => a / b };
const MAX: ArithSpec = { float: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b), big: (a, b) => (a > b ? a : b) };
const MIN: ArithSpec = { float: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b), big: (a, b) => (a < b ? a : b) };

function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}
const MOD: ArithSpec = {
  float: pyMod,
  big: (a, b) => {
    const r = a % b;
    return r !== 0n && r < 0n !== b < 0n ? r + b : r;
  },
};
const FMOD: ArithSpec = { float: (a, b) => a % b, big: (a, b) => a % b };

/** Mod: fmod=0 takes the divisor's sign (integers only per spec), fmod=1 the dividend's (C fmod). */
const mod: Kernel = (inputs, ctx) => [arithmetic(need(inputs, 0, ctx), need(inputs, 1, ctx), attrInt(ctx.node, 'fmod', 0) === 1 ? FMOD : MOD, ctx)];

const bitShift: Kernel = (inputs, ctx) => {
  const a = need(inputs, 0, ctx);
  if (!a.dtype.startsWith('uint')) throw dtypeError(ctx, a.dtype);
  const left = attrString(ctx.node, 'direction', '') === 'LEFT';
  // Shifts by 32 or more clear a 32-bit value; JS would take the count mod 32.
  const spec: ArithSpec = left
    ? { float: (x, s) => (s >= 32 ? 0 : (x << s) >>> 0), big: (x, s) => x << s }
    : { float: (x, s) => (s >= 32 ? 0 : x >>> s), big: (x, s) => x >> s };
  return [arithmetic(a, need(inputs, 1, ctx), spec, ctx)];
};

function binary(spec: ArithSpec): Kernel {
  return (inputs, ctx) => [arithmetic(need(inputs, 0, ctx), need(inputs, 1, ctx), spec, ctx)];
}

function variadic(spec: ArithSpec, mean = false): Kernel {
  return (inputs, ctx) => {
    const present = inputs.filter((t): t is Tensor => t !== undefined);
    if (present.length === 0) throw kernelError(ctx, 'needs at least one input');
    let acc = present[0]!;
    for (let i = 1; i < present.length; i++) acc = arithmetic(acc, present[i]!, spec, ctx);
    if (present.length === 1) acc = withDims(acc, acc.dims);
    if (mean) {
      const div = fromNumbers(acc.dtype, [], [present.length], ctx);
      acc = arithmetic(acc, div, DIV, ctx);
    }
    return [acc];
  };
}

/** Pow: base and exponent may differ in dtype (opset 12+); the result has the base's dtype. */
const pow: Kernel = (inputs, ctx) => {
  const a = need(inputs, 0, ctx);
  const b = need(inputs, 1, ctx);
  const { dims, maps } = broadcastAll([a.dims, b.dims], ctx);
  const out = new Float64Array(sizeOf(dims));
  binaryLoop(numbers(a, ctx), maps[0]!, numbers(b, ctx), maps[1]!, out, Math.pow);
  return [fromNumbers(a.dtype, dims, out, ctx)];
};

type Compare = (a: number | bigint | string, b: number | bigint | string) => boolean;

function comparison(test: Compare): Kernel {
  return (inputs, ctx) => {
    const a = need(inputs, 0, ctx);
    const b = need(inputs, 1, ctx);
    if (a.dtype !== b.dtype) throw kernelError(ctx, `operands have different dtypes ${a.dtype} and ${b.dtype}`);
    const { dims, maps } = broadcastAll([a.dims, b.dims], ctx);
    const out = new Uint8Array(sizeOf(dims));
    // Half floats compare by value, not by bit pattern (+0 == -0, NaN != NaN).
    const da = (isHalf(a.dtype) ? numbers(a, ctx) : a.data) as ArrayLike<number | bigint | string>;
    const db = (isHalf(b.dtype) ? numbers(b, ctx) : b.data) as ArrayLike<number | bigint | string>;
    binaryLoop(da, maps[0]!, db, maps[1]!, out, (x, y) => (test(x, y) ? 1 : 0));
    return [{ dtype: 'bool', dims, data: out }];
  };
}

function logical(f: (a: number, b: number) => boolean): Kernel {
  return (inputs, ctx) => {
    const a = need(inputs, 0, ctx);
    const b = need(inputs, 1, ctx);
    if (a.dtype !== 'bool' || b.dtype !== 'bool') throw dtypeError(ctx, a.dtype === 'bool' ? b.dtype : a.dtype);
    const { dims, maps } = broadcastAll([a.dims, b.dims], ctx);
    const out = new Uint8Array(sizeOf(dims));
    binaryLoop(a.data as Uint8Array, maps[0]!, b.data as Uint8Array, maps[1]!, out, (x, y) => (f(x, y) ? 1 : 0));
    return [{ dtype: 'bool', dims, data: out }];
  };
}

const not: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  if (x.dtype !== 'bool') throw dtypeError(ctx, x.dtype);
  return [{ dtype: 'bool', dims: [...x.dims], data: (x.data as Uint8Array).map((v) => (v ? 0 : 1)) }];
};

/** Where(cond, X, Y): three-way broadcast; works for every dtype, strings included. */
const where: Kernel = (inputs, ctx) => {
  const c = need(inputs, 0, ctx);
  const x = need(inputs, 1, ctx);
  const y = need(inputs, 2, ctx);
  if (x.dtype !== y.dtype) throw kernelError(ctx, `X and Y have different dtypes ${x.dtype} and ${y.dtype}`);
  const { dims, maps } = broadcastAll([c.dims, x.dims, y.dims], ctx);
  const [mc, mx, my] = [maps[0]!, maps[1]!, maps[2]!];
  const n = sizeOf(dims);
  const cd = c.data as ArrayLike<number>;
  const xd = x.data as ArrayLike<unknown>;
  const yd = y.data as ArrayLike<unknown>;
  const out = allocate(x.dtype, n) as unknown as unknown[];
  for (let i = 0; i < n; i++) {
    out[i] = cd[mc ? mc[i]! : i] ? xd[mx ? mx[i]! : i] : yd[my ? my[i]! : i];
  }
  return [{ dtype: x.dtype, dims, data: out as unknown as TensorData }];
};

export const ELEMENTWISE_KERNELS: KernelTable = {
  Add: binary(ADD),
  Sub: binary(SUB),
  Mul: binary(MUL),
  Div: binary(DIV),
  Pow: pow,
  Max: variadic(MAX),
  Min: variadic(MIN),
  Sum: variadic(ADD),
  Mean: variadic(ADD, true),
  Equal: comparison((a, b) => a === b),
  Greater: comparison((a, b) => a > b),
  Less: comparison((a, b) => a < b),
  GreaterOrEqual: comparison((a, b) => a >= b),
  LessOrEqual: comparison((a, b) => a <= b),
  And: logical((a, b) => a !== 0 && b !== 0),
  Or: logical((a, b) => a !== 0 || b !== 0),
  Xor: logical((a, b) => (a !== 0) !== (b !== 0)),
  Not: not,
  Where: where,
  Mod: mod,
  BitShift: bitShift,
};
