import {
  quantizeWith, QuantforgeError, tensor,
  type AffineEncoding, type PlanEntry, type QuantizedTensor, type Tensor,
} from '@quantforge/core';

/** The affine encoding of a planned tensor; other kinds are refused, a missing one is a plan/encoding mismatch. */
export function affineOf(name: string, q: QuantizedTensor | undefined): AffineEncoding {
  if (q === undefined) {
    throw new QuantforgeError('QF_PIPELINE_INVALID', `the plan quantizes "${name}" but no encoding was given for it`, {
      details: { tensor: name },
      hint: 'Every tensor of the plan needs an entry in encodings',
    });
  }
  if (q.encoding.kind !== 'affine') {
    throw new QuantforgeError('QF_ENCODING_UNSUPPORTED', `the qdq exporter writes affine encodings only; "${name}" has a ${q.encoding.kind} encoding`, {
      details: { tensor: name, kind: q.encoding.kind, exporter: 'qdq', supported: ['affine'] },
      hint: 'Use an exporter that writes this kind (e.g. a codebook writer) or an affine scheme for this tensor',
    });
  }
  return q.encoding;
}

/** Shape of the scale / zero point of an encoding for a tensor of `dims` (ONNX Q/DQ layout). */
export function paramDims(e: AffineEncoding, dims: readonly number[]): number[] {
  if (e.axis === undefined) return [];
  if (e.blockSize === undefined) return [e.scale.length];
  const out = [...dims];
  out[e.axis] = Math.ceil(dims[e.axis]! / e.blockSize);
  return out;
}

/** The scale as a float32 initializer tensor of `dims` (a copy: the encoding stays the caller's). */
export function scaleTensor(e: AffineEncoding, dims: number[]): Tensor {
  return tensor('float32', dims, Float32Array.from(e.scale));
}

/**
 * The zero point in the storage type, or undefined for int32 codes: ONNX DequantizeLinear takes no zero point for
 * int32 (it must be 0), so a non-zero one cannot be written.
 */
export function zeroPointTensor(name: string, e: AffineEncoding, dims: number[]): Tensor | undefined {
  if (e.storage === 'int32') {
    if (e.zeroPoint.some((z) => z !== 0)) {
      throw new QuantforgeError('QF_ENCODING_UNSUPPORTED', `"${name}" is stored as int32 with a non-zero zero point, which DequantizeLinear cannot express`, {
        details: { tensor: name, storage: 'int32' },
      });
    }
    return undefined;
  }
  const t = tensor(e.storage, dims);
  (t.data as Int8Array).set(e.zeroPoint);
  return t;
}

/** Integer codes of a weight: the ones the scheme produced, else quantized here from the float initializer. */
export function weightCodes(name: string, q: QuantizedTensor, e: AffineEncoding, float: Tensor | undefined): Tensor {
  if (q.codes !== undefined) {
    if (q.codes.dtype !== e.storage) {
      throw new QuantforgeError('QF_PIPELINE_INVALID', `codes of "${name}" are ${q.codes.dtype}, the encoding stores ${e.storage}`, {
        details: { tensor: name, codes: q.codes.dtype, storage: e.storage },
      });
    }
    return q.codes;
  }
  if (float === undefined || float.dtype !== 'float32') {
    throw new QuantforgeError('QF_PIPELINE_INVALID', `"${name}" is a weight without codes and without a float32 initializer to quantize`, {
      details: { tensor: name },
    });
  }
  return quantizeWith(e, float.data as Float32Array, float.dims).codes!;
}

/** True for entries whose values are constants (weights, biases): they get DequantizeLinear only. */
export function isConstantRole(entry: PlanEntry): boolean {
  return entry.role === 'weight' || entry.role === 'bias';
}
