import { sizeOf } from '../ir/tensor.js';
import { axisLayout } from './ranges.js';

/**
 * Calls `fn(start, length, param, paramStride)` for every run of consecutive elements whose parameter index is
 * `param + j · paramStride` for the j-th element of the run. Per-tensor is one run with stride 0; per-channel runs are
 * the inner extent (stride 0); per-group runs are the inner extent with stride 1 (ONNX blocked scale order). Hot loops
 * then index parameters without per-element division.
 *
 * @example
 * ```ts
 * forEachParamRun(dims, e.axis, e.blockSize, (start, length, p0, stride) => {
 *   for (let j = 0; j < length; j++) out[start + j] = x[start + j] / e.scale[p0 + j * stride];
 * });
 * ```
 */
export function forEachParamRun(
  dims: readonly number[],
  axis: number | undefined,
  blockSize: number | undefined,
  fn: (start: number, length: number, param: number, paramStride: number) => void,
): void {
  if (axis === undefined) {
    fn(0, sizeOf(dims), 0, 0);
    return;
  }
  const l = axisLayout(dims, axis);
  if (l.inner === 0 || l.outer === 0) return;
  const blocks = blockSize === undefined ? 0 : Math.ceil(l.size / blockSize);
  for (let o = 0; o < l.outer; o++) {
    for (let a = 0; a < l.size; a++) {
      const start = (o * l.size + a) * l.inner;
      if (blockSize === undefined) fn(start, l.inner, a, 0);
      else fn(start, l.inner, (o * blocks + Math.floor(a / blockSize)) * l.inner, 1);
    }
  }
}
