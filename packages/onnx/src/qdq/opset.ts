import { QuantforgeError, type AffineEncoding, type Model, type OpsetImport } from '@quantforge/core';

/**
 * Opset policy of the QDQ exporter. The default-domain opset is the lowest that can hold what the export writes,
 * never lower than the model's own:
 *
 * | written                                                    | needs opset |
 * |------------------------------------------------------------|-------------|
 * | per-tensor int8 / uint8 Q/DQ, int32 DQ, MatMulInteger, ConvInteger | 10 |
 * | DynamicQuantizeLinear                                      | 11          |
 * | per-axis Q/DQ (`axis`)                                     | 13          |
 * | int16 / uint16 / int4 / uint4, blocked (`block_size`)      | 21          |
 *
 * When that raises the opset, the model's own nodes are rewritten by the version adapter (`adaptNodes`) so they keep
 * their meaning; ops it cannot convert are refused with `QF_ENCODING_UNSUPPORTED` naming the opset they would need.
 */
export const OPSET_PER_TENSOR = 10;
export const OPSET_DYNAMIC = 11;
export const OPSET_PER_AXIS = 13;
export const OPSET_WIDE_TYPES = 21;

/**
 * The opset an affine encoding's Q/DQ needs.
 *
 * @example
 * ```ts
 * encodingOpset(affineEncoding({ min: -1, max: 1 }, { bits: 4, signed: true, symmetric: true })); // 21
 * ```
 */
export function encodingOpset(e: AffineEncoding): number {
  if (e.blockSize !== undefined || ['int16', 'uint16', 'int4', 'uint4'].includes(e.storage)) return OPSET_WIDE_TYPES;
  if (e.axis !== undefined) return OPSET_PER_AXIS;
  return OPSET_PER_TENSOR;
}

// First IR version of each ONNX release, by the default-domain opset it introduced.
const IR_BY_OPSET: [number, number][] = [[21, 10], [19, 9], [15, 8], [12, 7], [11, 6], [10, 5], [9, 4], [1, 3]];

/**
 * The lowest IR version that may carry a default-domain opset.
 *
 * @example
 * ```ts
 * minIrVersion(13); // 7
 * minIrVersion(21); // 10
 * ```
 */
export function minIrVersion(opset: number): number {
  for (const [o, ir] of IR_BY_OPSET) if (opset >= o) return ir;
  return 3;
}

function isDefault(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

/** The model's default-domain opset (1 when it imports none, as ONNX defines). */
export function modelOpset(model: Model): number {
  return model.opsetImports.find((o) => isDefault(o.domain))?.version ?? 1;
}

/** Opset imports with the default domain set to `version` (added when missing), other domains unchanged. */
export function withOpset(imports: readonly OpsetImport[], version: number): OpsetImport[] {
  const out = imports.map((o) => (isDefault(o.domain) ? { ...o, version } : { ...o }));
  if (!out.some((o) => isDefault(o.domain))) out.unshift({ domain: '', version });
  return out;
}

/** Checks a caller-chosen opset against what the export needs. */
export function checkRequestedOpset(requested: number | undefined, needed: number): void {
  if (requested === undefined) return;
  if (!Number.isInteger(requested) || requested < OPSET_PER_TENSOR) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `the QDQ opset must be an integer ≥ ${OPSET_PER_TENSOR}, got ${requested}`, { details: { opset: requested } });
  }
  if (requested < needed) {
    throw new QuantforgeError('QF_ENCODING_UNSUPPORTED', `the encodings need opset ${needed}, but opset ${requested} was requested`, {
      details: { requested, needed },
      hint: 'per-axis Q/DQ needs opset 13; int4/int16 and blocked quantization need opset 21',
    });
  }
}
