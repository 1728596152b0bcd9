import { QuantforgeError, codebookShape, sizeOf, type QuantizedTensor } from '@quantforge/core';

/** Storage of a codebook-quantized tensor against its float32 original, in bits. */
export interface CompressionStats {
  /** 32 bits per original value. */
  originalBits: number;
  /** ⌈log2 k⌉ bits per index, per stage. */
  codeBits: number;
  /** 32 bits per stored centroid value, both stages. */
  codebookBits: number;
  /** originalBits / (codeBits + codebookBits). */
  ratio: number;
}

/**
 * Bits of a codebook encoding: indices packed at ⌈log2 k⌉ bits (each stage with its own k) plus float32 codebooks,
 * against the float32 original. Row padding is counted: a padded sub-vector costs a full index and its codebook
 * stores all d coordinates. `QF_ENCODING_UNSUPPORTED` for other encoding kinds.
 *
 * @example
 * ```ts
 * // 1024 × 1024, d = 4, K = 256: codes 262 144 × 8 bits, codebooks 256 × 256 × 4 × 32 bits
 * compressionStats(q).ratio; // 33 554 432 / (2 097 152 + 8 388 608) = 3.2
 * ```
 */
export function compressionStats(q: QuantizedTensor): CompressionStats {
  const e = q.encoding;
  if (e.kind !== 'codebook') {
    throw new QuantforgeError('QF_ENCODING_UNSUPPORTED', `compression ratios are computed for codebook encodings, not ${e.kind}`, { details: { kind: e.kind } });
  }
  const n = sizeOf(q.dims);
  // Padded sub-vectors (layout.pad) cost a whole index and d centroid values like any other.
  const { rows, perRow } = codebookShape(e, n);
  const vectors = rows * perRow;
  const indexBits = (k: number): number => Math.ceil(Math.log2(k));
  let codeBits = vectors * indexBits(e.k);
  let codebookBits = 32 * e.centroids.length;
  if (e.residual !== undefined) {
    codeBits += vectors * indexBits(e.residual.k);
    codebookBits += 32 * e.residual.centroids.length;
  }
  const originalBits = 32 * n;
  return { originalBits, codeBits, codebookBits, ratio: originalBits / (codeBits + codebookBits) };
}

/**
 * The compression ratio of a codebook-quantized tensor: float32 original bits over packed index bits plus float32
 * codebook bits (see {@link compressionStats}).
 *
 * @example
 * ```ts
 * compressionRatio(await kmeansScheme.quantizeWeight!(w, opts, info)); // ≈ 8 for 4-bit codes of a large tensor
 * ```
 */
export function compressionRatio(q: QuantizedTensor): number {
  return compressionStats(q).ratio;
}
