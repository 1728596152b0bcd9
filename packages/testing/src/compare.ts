import { toFloat64, type Tensor } from '@quantforge/core';

/** Allowed difference: |actual - expected| <= atol + rtol * |expected|; a missing field is 0. */
export interface Tolerance {
  atol?: number;
  rtol?: number;
}

/** Default for float dtypes when a case gives no tolerance; integer and string tensors compare exactly. */
export const DEFAULT_FLOAT_TOLERANCE = { atol: 1e-6, rtol: 1e-6 } as const;

const FLOATS = new Set(['float32', 'float64', 'float16', 'bfloat16']);

function numbers(t: Tensor): Float64Array {
  try {
    return toFloat64(t);
  } catch {
    // float8/complex and friends: compare the stored values themselves
    return Float64Array.from(t.data as ArrayLike<number>, Number);
  }
}

/**
 * Compares a tensor to its expected value. Returns undefined when it matches, else a one-line reason with the worst
 * element. NaN matches NaN.
 *
 * @example
 * ```ts
 * const why = compareTensors(actual, expected, { atol: 1e-5 });
 * if (why !== undefined) throw new Error(`output y: ${why}`);
 * ```
 */
export function compareTensors(actual: Tensor, expected: Tensor, tolerance?: Tolerance): string | undefined {
  if (actual.dtype !== expected.dtype) return `dtype is ${actual.dtype}, expected ${expected.dtype}`;
  if (actual.dims.length !== expected.dims.length || actual.dims.some((d, i) => d !== expected.dims[i])) {
    return `dims are [${actual.dims.join(', ')}], expected [${expected.dims.join(', ')}]`;
  }
  if (actual.dtype === 'string') {
    const a = actual.data as string[];
    const e = expected.data as string[];
    const i = e.findIndex((v, k) => a[k] !== v);
    return i < 0 ? undefined : `value ${i} is ${JSON.stringify(a[i])}, expected ${JSON.stringify(e[i])}`;
  }
  // A given tolerance is taken as written (a missing half is 0); none at all means the dtype's default.
  const base = tolerance ?? (FLOATS.has(actual.dtype) ? DEFAULT_FLOAT_TOLERANCE : {});
  const atol = base.atol ?? 0;
  const rtol = base.rtol ?? 0;
  const a = numbers(actual);
  const e = numbers(expected);
  let bad = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    const excess = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (excess > 0 || Number.isNaN(excess)) {
      bad++;
      if (!(excess <= worstExcess)) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (bad === 0) return undefined;
  return `${bad} of ${e.length} values differ; worst at index ${worst}: got ${a[worst]}, expected ${e[worst]} (atol ${atol}, rtol ${rtol})`;
}
