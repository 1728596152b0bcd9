import { QuantforgeError, type AffineFormat, type TensorPlanInfo } from '@quantforge/core';
import type { ResolvedUniformOptions, WeightOptions } from './options.js';

/**
 * The affine number format of a weight: the options' fields, the bit width from the options else the plan.
 * `QF_QUANTIZE` when the plan's width is outside 2–16.
 *
 * @example
 * ```ts
 * weightFormat(options.weights, info); // { bits: 8, signed: true, symmetric: true, narrowRange: true, powerOfTwo: false }
 * ```
 */
export function weightFormat(o: WeightOptions, info: Pick<TensorPlanInfo, 'name' | 'bits'>): AffineFormat {
  return { bits: codeBits(o.bits, info), signed: o.signed, symmetric: o.symmetric, narrowRange: o.narrowRange, powerOfTwo: o.powerOfTwo };
}

/**
 * A bit width the options set, else the plan's, checked to be 2–16 (`QF_QUANTIZE` naming the tensor).
 *
 * @example
 * ```ts
 * codeBits(undefined, { name: 'x', bits: 8 }); // 8
 * ```
 */
export function codeBits(bits: number | undefined, info: Pick<TensorPlanInfo, 'name' | 'bits'>): number {
  const b = bits ?? info.bits;
  if (!Number.isInteger(b) || b < 2 || b > 16) {
    throw new QuantforgeError('QF_QUANTIZE', `uniform quantization of ${info.name}: ${b} bits is outside 2–16`, {
      details: { tensor: info.name, bits: b },
      hint: 'Set bits 2–16 in the recipe or the uniform scheme options',
    });
  }
  return b;
}

/**
 * The affine format of an activation: the options' fields, the bit width from the options else the plan. Dynamic mode
 * uses it at run time (per-tensor, from each batch's range); static mode through {@link encodeActivationStats}.
 *
 * @example
 * ```ts
 * activationFormat(resolveUniformOptions(), { name: 'x', bits: 8 }); // uint8 asymmetric
 * ```
 */
export function activationFormat(options: ResolvedUniformOptions, info: Pick<TensorPlanInfo, 'name' | 'bits'>): AffineFormat {
  const a = options.activations;
  return { bits: codeBits(a.bits, info), signed: a.signed, symmetric: a.symmetric, narrowRange: a.narrowRange, powerOfTwo: a.powerOfTwo };
}

