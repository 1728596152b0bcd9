import {
  QuantforgeError, biasEncoding, quantizeWith, sizeOf, type AffineEncoding, type Encoding, type QuantizedTensor, type Tensor,
} from '@quantforge/core';
import { floatValues } from './weights.js';

function needAffine(e: Encoding | undefined, key: 'input' | 'weight', name: string): AffineEncoding {
  if (e === undefined) {
    throw new QuantforgeError('QF_QUANTIZE', `bias ${name} needs the ${key} encoding (plan dependsOn.${key}) for its int32 scale`, {
      details: { tensor: name, missing: key },
      hint: key === 'input'
        ? 'An int32 bias needs a static input scale: keep biases in float in dynamic and weight-only modes'
        : 'Plan the consuming node\'s weight before its bias',
    });
  }
  if (e.kind !== 'affine') {
    throw new QuantforgeError('QF_QUANTIZE', `bias ${name}: the ${key} encoding is ${e.kind}, an int32 bias needs an affine one`, {
      details: { tensor: name, dependency: key, kind: e.kind },
    });
  }
  return e;
}

/**
 * The weight encoding whose scales a bias of `n` values multiplies: the weight itself when it has one scale or one
 * per bias element, else (per-group weights, or channels along an axis other than the bias's) a per-tensor stand-in
 * with the weight's smallest scale. There is no integer accumulator to match then (such weights are dequantized
 * before the op), so the bias only needs a scale at least as fine as every weight scale.
 */
function biasWeightScales(weight: AffineEncoding, n: number): AffineEncoding {
  if (weight.blockSize === undefined && (weight.scale.length === 1 || weight.scale.length === n)) return weight;
  const finest = weight.scale.reduce((a, b) => Math.min(a, b), Infinity);
  const { axis: _axis, blockSize: _block, ...rest } = weight;
  return { ...rest, scale: Float32Array.of(finest), zeroPoint: new Int32Array(1) };
}

/**
 * Quantizes a bias to int32 with zero point 0 and `scale[c] = s_in · s_w[c]` (core's `biasEncoding`), from the
 * encodings of the consumer's input activation and weight: one scale for a per-tensor weight, one per output channel
 * for a per-channel weight. A weight without a scale per bias element (per-group, or channels along another axis)
 * gives a per-tensor bias scale `s_in · min(s_w)`. Missing or non-affine dependencies and a per-channel input are
 * refused with `QF_QUANTIZE` (dynamic and weight-only modes have no static input scale: their biases stay float).
 *
 * @example
 * ```ts
 * const qb = quantizeBias(bias, { input: inEncoding, weight: wEncoding }, 'conv1.bias');
 * qb.codes?.dtype; // 'int32'
 * ```
 */
export function quantizeBias(t: Tensor, dependencies: Readonly<Record<string, Encoding>>, name: string): QuantizedTensor {
  const input = needAffine(dependencies.input, 'input', name);
  const weight = needAffine(dependencies.weight, 'weight', name);
  if (input.scale.length !== 1 || input.axis !== undefined) {
    throw new QuantforgeError('QF_QUANTIZE', `bias ${name}: the input encoding has ${input.scale.length} scales; an int32 bias needs a per-tensor input`, {
      details: { tensor: name, inputScales: input.scale.length },
    });
  }
  const values = floatValues(t, name);
  const encoding = biasEncoding(input, biasWeightScales(weight, sizeOf(t.dims)));
  return quantizeWith(encoding, values, t.dims);
}
