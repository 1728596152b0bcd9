import { QuantforgeError } from '../errors/error.js';

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `${what} needs arrays of equal length (${a.length} vs ${b.length})`, {
      details: { a: a.length, b: b.length },
    });
  }
}

/**
 * Signal-to-quantization-noise ratio in dB: `10·log10(Σ r² / Σ (r − a)²)`, accumulated in float64. Identical arrays
 * give `Infinity`; a zero reference with any error gives `-Infinity`.
 *
 * @example
 * ```ts
 * sqnr(weights, dequantize(q)); // e.g. 38.4
 * ```
 */
export function sqnr(reference: ArrayLike<number>, approx: ArrayLike<number>): number {
  checkSameLength(reference, approx, 'sqnr');
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const e = r - approx[i]!;
    signal += r * r;
    noise += e * e;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}

/**
 * Cosine similarity of two vectors, in float64. Two zero vectors give 1 (they agree), one zero vector gives 0.
 *
 * @example
 * ```ts
 * cosine(new Float32Array([1, 0]), new Float32Array([1, 1])); // 0.7071…
 * ```
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkSameLength(a, b, 'cosine');
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 && nb === 0) return 1;
  if (na === 0 || nb === 0) return 0;
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}
