import {
  QuantforgeError, affineEncoding, normalizeAxis, quantizeWith, reduceRanges, tensorRange, toFloat64,
  type AffineFormat, type ConsumerRef, type QuantizedTensor, type Range, type Tensor, type TensorPlanInfo,
} from '@quantforge/core';
import { groupByParam, mseClip, percentileClip } from './clipping.js';
import { weightFormat } from './formats.js';
import type { WeightOptions } from './options.js';

/** Block size of per-group weights when neither the options nor the plan give one. */
export const DEFAULT_BLOCK_SIZE = 32;

/** Default percentile of weight clipping `"percentile"`. */
export const DEFAULT_WEIGHT_PERCENTILE = 99.99;

/** Where a weight's parameters run: per-tensor (no axis), per-channel (axis) or per-group (axis + block size). */
export interface WeightLayout {
  axis?: number;
  blockSize?: number;
}

/** The plan facts a weight's format and layout may depend on. */
export type LayoutInfo = Pick<TensorPlanInfo, 'name' | 'bits' | 'granularity' | 'consumers'> & Partial<Pick<TensorPlanInfo, 'axis' | 'blockSize'>>;

function readsAsMatMulB(consumers: readonly ConsumerRef[]): boolean {
  return consumers.some((c) => c.input === 1 && (c.opType === 'MatMul' || c.opType === 'MatMulInteger'));
}

function readsAsConvTransposeW(consumers: readonly ConsumerRef[]): boolean {
  return consumers.some((c) => c.input === 1 && c.opType === 'ConvTranspose');
}

/**
 * The output-channel axis of a weight from the ops reading it: MatMul's B `[…, K, N]` → last; ConvTranspose's W
 * `[C_in, C_out/g, …]` → 1; Conv, Gemm (as exported by PyTorch, `transB = 1`) and the rest → 0.
 *
 * @example
 * ```ts
 * defaultChannelAxis([{ node: 'mm', opType: 'MatMul', input: 1 }], 2); // 1
 * ```
 */
export function defaultChannelAxis(consumers: readonly ConsumerRef[], rank: number): number {
  if (readsAsMatMulB(consumers)) return rank - 1;
  if (readsAsConvTransposeW(consumers) && rank >= 2) return 1;
  return 0;
}

/**
 * The reduction (input-channel) axis blocks run along: MatMul's B → K (`rank − 2`); ConvTranspose's W → 0; Conv
 * and Gemm → 1 (0 for a 1-D tensor).
 *
 * @example
 * ```ts
 * defaultBlockAxis([{ node: 'conv', opType: 'Conv', input: 1 }], 4); // 1
 * ```
 */
export function defaultBlockAxis(consumers: readonly ConsumerRef[], rank: number): number {
  if (readsAsMatMulB(consumers)) return Math.max(rank - 2, 0);
  if (readsAsConvTransposeW(consumers)) return 0;
  return rank >= 2 ? 1 : 0;
}

/**
 * The layout of a weight: the options' granularity, else the plan's; the axis from the options, else the plan's (when
 * the plan means the same granularity), else the consuming op's default; per-group block size likewise, else
 * {@link DEFAULT_BLOCK_SIZE}. A scalar weight is per-tensor whatever was asked (it has no axis).
 *
 * @example
 * ```ts
 * weightLayout(options.weights, info, [64, 3, 3, 3]); // { axis: 0 } for a per-channel Conv weight
 * ```
 */
export function weightLayout(options: WeightOptions, info: LayoutInfo, dims: readonly number[]): WeightLayout {
  const rank = dims.length;
  const granularity = options.granularity ?? info.granularity;
  if (granularity === 'per-tensor' || rank === 0) return {};
  const planAxis = info.granularity === granularity ? info.axis : undefined;
  if (granularity === 'per-channel') {
    return { axis: normalizeAxis(options.axis ?? planAxis ?? defaultChannelAxis(info.consumers, rank), rank) };
  }
  const planBlock = info.granularity === 'per-group' ? info.blockSize : undefined;
  return {
    axis: normalizeAxis(options.axis ?? planAxis ?? defaultBlockAxis(info.consumers, rank), rank),
    blockSize: options.blockSize ?? planBlock ?? DEFAULT_BLOCK_SIZE,
  };
}

/**
 * A float tensor's values as float32 (what ONNX QuantizeLinear reads), refusing NaN and infinities with
 * `QF_NAN_WEIGHTS` and non-float dtypes with `QF_DTYPE_UNSUPPORTED`.
 *
 * @example
 * ```ts
 * const x = floatValues(weight, 'conv1.weight');
 * ```
 */
export function floatValues(t: Tensor, name: string): Float32Array {
  let x: Float32Array;
  if (t.dtype === 'float32') x = t.data as Float32Array;
  else if (t.dtype === 'float16' || t.dtype === 'bfloat16' || t.dtype === 'float64') x = Float32Array.from(toFloat64(t));
  else {
    throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `uniform quantization needs a float tensor; ${name} is ${t.dtype}`, {
      details: { tensor: name, dtype: t.dtype },
    });
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v - v !== 0) {
      throw new QuantforgeError('QF_NAN_WEIGHTS', `${name} holds a non-finite value (${v}) at element ${i}`, {
        details: { tensor: name, index: i, value: String(v) },
        hint: 'Fix the model (or exclude the tensor from quantization): NaN or infinite weights cannot be given a scale',
      });
    }
  }
  return x;
}

type RangeArrays = { min: ArrayLike<number>; max: ArrayLike<number> };

function clippedRanges(values: Float32Array, dims: readonly number[], layout: WeightLayout, o: WeightOptions, format: AffineFormat): { min: Float64Array; max: Float64Array } {
  const groups = groupByParam(values, dims, layout.axis, layout.blockSize);
  const count = groups.offsets.length - 1;
  // Float64 keeps each chosen range exactly as the search evaluated it.
  const min = new Float64Array(count);
  const max = new Float64Array(count);
  for (let p = 0; p < count; p++) {
    const g = groups.values.subarray(groups.offsets[p]!, groups.offsets[p + 1]!);
    let r = o.clipping === 'mse' ? mseClip(g, format) : percentileClip(g, o.percentile ?? DEFAULT_WEIGHT_PERCENTILE, o.symmetric);
    // A mostly-zero group can clip to [0, 0], whose scale 1 would flatten its few non-zero values.
    if (r.min === 0 && r.max === 0) r = tensorRange(g);
    min[p] = r.min;
    max[p] = r.max;
  }
  return { min, max };
}

/**
 * The clipping ranges of a weight for its layout: exact extremes per parameter (`minmax`), or each parameter group's
 * MSE-optimal / percentile range. Per-tensor returns one range, otherwise arrays in ONNX scale order.
 *
 * @example
 * ```ts
 * weightRanges(x, [8, 16], { axis: 0 }, options.weights, format).min.length; // 8
 * ```
 */
export function weightRanges(
  values: Float32Array, dims: readonly number[], layout: WeightLayout, o: WeightOptions, format: AffineFormat,
): Range | RangeArrays {
  if (o.clipping === 'minmax') return layout.axis === undefined ? tensorRange(values) : reduceRanges(values, dims, layout.axis, layout.blockSize);
  const r = clippedRanges(values, dims, layout, o, format);
  return layout.axis === undefined ? { min: r.min[0]!, max: r.max[0]! } : r;
}

/**
 * Quantizes a weight tensor: layout from the options and plan, range per parameter, affine parameters and codes from
 * core (`affineEncoding`, `quantizeWith`: round half to even, saturate).
 *
 * @example
 * ```ts
 * const q = quantizeWeightTensor(weight, options.weights, info);
 * dequantize(q); // ≈ weight
 * ```
 */
export function quantizeWeightTensor(t: Tensor, o: WeightOptions, info: LayoutInfo): QuantizedTensor {
  const values = floatValues(t, info.name);
  const format = weightFormat(o, info);
  const layout = weightLayout(o, info, t.dims);
  const ranges = weightRanges(values, t.dims, layout, o, format);
  const encoding = affineEncoding(ranges, format, layout);
  return quantizeWith(encoding, values, t.dims);
}
