import { QuantforgeError } from '../errors/error.js';
import { sizeOf } from '../ir/tensor.js';
import type { Range } from './affine.js';

/**
 * A tensor seen as `[outer, size, inner]` around one axis: element `(o, a, i)` sits at `(o · size + a) · inner + i`.
 */
export interface AxisLayout {
  axis: number;
  outer: number;
  size: number;
  inner: number;
}

/**
 * Resolves a possibly negative axis against a rank, throwing `QF_INVALID_ARGUMENT` when out of range.
 *
 * @example
 * ```ts
 * normalizeAxis(-1, 4); // 3
 * ```
 */
export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `axis ${axis} is out of range for rank ${rank}`, { details: { axis, rank } });
  }
  return a;
}

/**
 * The `[outer, size, inner]` view of dims around `axis`.
 *
 * @example
 * ```ts
 * axisLayout([2, 3, 4], 1); // { axis: 1, outer: 2, size: 3, inner: 4 }
 * ```
 */
export function axisLayout(dims: readonly number[], axis: number): AxisLayout {
  const a = normalizeAxis(axis, dims.length);
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < a; d++) outer *= dims[d]!;
  for (let d = a + 1; d < dims.length; d++) inner *= dims[d]!;
  return { axis: a, outer, size: dims[a]!, inner };
}

/**
 * Number of scales a granularity needs: 1 per-tensor, `dims[axis]` per-channel, and for per-group the tensor size
 * with `dims[axis]` replaced by `ceil(dims[axis] / blockSize)`.
 *
 * @example
 * ```ts
 * paramCount([8, 32], 1, 16); // 16 (8 rows × 2 blocks)
 * ```
 */
export function paramCount(dims: readonly number[], axis?: number, blockSize?: number): number {
  if (axis === undefined) return 1;
  const l = axisLayout(dims, axis);
  if (blockSize === undefined) return l.size;
  checkBlockSize(blockSize);
  return l.outer * Math.ceil(l.size / blockSize) * l.inner;
}

function checkBlockSize(blockSize: number): void {
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `blockSize must be a positive integer, got ${blockSize}`, { details: { blockSize } });
  }
}

/**
 * Exact min and max of values, ignoring NaN; [0, 0] when nothing finite-comparable is present.
 *
 * @example
 * ```ts
 * tensorRange(new Float32Array([3, -2, 1])); // { min: -2, max: 3 }
 * ```
 */
export function tensorRange(values: ArrayLike<number>): Range {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min > max ? { min: 0, max: 0 } : { min, max };
}

/**
 * Reduces a tensor to per-channel ranges along `axis` (any axis, negative allowed), or to per-group ranges with
 * `blockSize`: the result is ordered like ONNX blocked-quantization scales (dims with `dims[axis]` replaced by
 * `ceil(dims[axis] / blockSize)`, row-major). NaN is ignored; a slice without values gets [0, 0].
 *
 * @example
 * ```ts
 * const { min, max } = reduceRanges(w.data as Float32Array, w.dims, 0); // one range per output channel
 * ```
 */
export function reduceRanges(
  values: ArrayLike<number>,
  dims: readonly number[],
  axis: number,
  blockSize?: number,
): { min: Float32Array; max: Float32Array } {
  if (sizeOf(dims) !== values.length) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `dims [${dims.join(', ')}] do not match ${values.length} values`, {
      details: { dims: [...dims], length: values.length },
    });
  }
  const l = axisLayout(dims, axis);
  const block = blockSize ?? l.size;
  if (blockSize !== undefined) checkBlockSize(blockSize);
  const blocks = blockSize === undefined ? 1 : Math.ceil(l.size / block);
  // Per-channel is the per-group case with one block per channel and the outer/inner extents folded in.
  const perGroup = blockSize !== undefined;
  const count = perGroup ? l.outer * blocks * l.inner : l.size;
  const lo = new Float64Array(count).fill(Infinity);
  const hi = new Float64Array(count).fill(-Infinity);
  for (let o = 0; o < l.outer; o++) {
    for (let a = 0; a < l.size; a++) {
      const base = (o * l.size + a) * l.inner;
      const p0 = perGroup ? (o * blocks + Math.floor(a / block)) * l.inner : a;
      for (let i = 0; i < l.inner; i++) {
        const v = values[base + i]!;
        const p = perGroup ? p0 + i : p0;
        if (v < lo[p]!) lo[p] = v;
        if (v > hi[p]!) hi[p] = v;
      }
    }
  }
  const min = new Float32Array(count);
  const max = new Float32Array(count);
  for (let p = 0; p < count; p++) {
    if (lo[p]! <= hi[p]!) {
      min[p] = lo[p]!;
      max[p] = hi[p]!;
    }
  }
  return { min, max };
}
