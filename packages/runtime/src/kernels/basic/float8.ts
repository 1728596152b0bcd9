import type { DType } from '@quantforge/core';

// The four ONNX float8 formats. E4M3FN and E5M2FNUZ/E4M3FNUZ have no infinities; the FNUZ ones have no negative zero
// and use 0x80 as their only NaN. Encoding rounds to nearest even; out-of-range values saturate to the largest finite
// value when asked to (the ONNX default) and otherwise become NaN, or infinity for E5M2.

interface Format {
  mbits: number;
  bias: number;
  max: number;
  inf: boolean;
  uz: boolean;
}

const FORMATS: Partial<Record<DType, Format>> = {
  float8e4m3fn: { mbits: 3, bias: 7, max: 448, inf: false, uz: false },
  float8e4m3fnuz: { mbits: 3, bias: 8, max: 240, inf: false, uz: true },
  float8e5m2: { mbits: 2, bias: 15, max: 57344, inf: true, uz: false },
  float8e5m2fnuz: { mbits: 2, bias: 16, max: 57344, inf: false, uz: true },
};

export function isFloat8(dtype: DType): boolean {
  return FORMATS[dtype] !== undefined;
}

function format(dtype: DType): Format {
  const f = FORMATS[dtype];
  if (!f) throw new RangeError(`${dtype} is not a float8 dtype`);
  return f;
}

function exponentOf(q: number): number {
  let e = Math.floor(Math.log2(q));
  if (2 ** e > q) e--;
  else if (2 ** (e + 1) <= q) e++;
  return e;
}

/** Bits of `v` in a float8 `dtype`. */
export function float8Encode(dtype: DType, v: number, saturate: boolean): number {
  const f = format(dtype);
  const nan = f.uz ? 0x80 : 0x7f;
  if (Number.isNaN(v)) return nan;
  const sign = v < 0 || Object.is(v, -0) ? 0x80 : 0;
  const a = Math.abs(v);
  const emin = 1 - f.bias;
  let q = 0;
  if (a !== Infinity && a !== 0) {
    const e = Math.max(exponentOf(a), emin);
    const step = 2 ** (e - f.mbits);
    const n = a / step;
    let r = Math.round(n);
    if (r - n === 0.5 && r % 2 !== 0) r -= 1;
    q = r * step;
  }
  if (a === Infinity || q > f.max) {
    if (saturate) q = f.max;
    else if (f.inf) return sign | 0x7c;
    else return nan;
  }
  if (q === 0) return f.uz ? 0 : sign;
  const e = exponentOf(q);
  if (e < emin) return sign | Math.round(q / 2 ** (emin - f.mbits));
  const mant = Math.round((q / 2 ** e - 1) * 2 ** f.mbits);
  return sign | ((e + f.bias) << f.mbits) | mant;
}

/** The number a float8 bit pattern stands for. */
export function float8Decode(dtype: DType, bits: number): number {
  const f = format(dtype);
  const b = bits & 0xff;
  if (f.uz && b === 0x80) return NaN;
  const sign = b & 0x80 ? -1 : 1;
  const ebits = 7 - f.mbits;
  const exp = (b >> f.mbits) & ((1 << ebits) - 1);
  const mant = b & ((1 << f.mbits) - 1);
  const top = (1 << ebits) - 1;
  if (f.inf && exp === top) return mant === 0 ? sign * Infinity : NaN;
  if (!f.inf && !f.uz && exp === top && mant === (1 << f.mbits) - 1) return NaN;
  if (exp === 0) return sign * mant * 2 ** (1 - f.bias - f.mbits);
  return sign * (1 + mant / (1 << f.mbits)) * 2 ** (exp - f.bias);
}
