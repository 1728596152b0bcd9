/**
 * Integer rounding modes used by quantizers and integer kernels. `Math.round` is neither of them (it rounds ties
 * toward +∞), so every target names its mode explicitly.
 */

/**
 * Rounds to the nearest integer, ties to even (`rint`; ONNX QuantizeLinear, TensorRT Q, numpy).
 *
 * @example
 * ```ts
 * roundHalfEven(2.5); // 2
 * roundHalfEven(-1.5); // -2
 * ```
 */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  // Math.round sends ties up; a tie is detected exactly because r - v is computed without error for |v| < 2^52.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Rounds to the nearest integer, ties away from zero (C `std::round`, TFLite `TfLiteRound`, CUDA `round`).
 *
 * @example
 * ```ts
 * roundHalfAway(-2.5); // -3
 * roundHalfAway(0.49999999999999994); // 0
 * ```
 */
export function roundHalfAway(v: number): number {
  const t = Math.trunc(v);
  // Comparing the exact remainder avoids the misrounding of sign(v)·floor(|v| + 0.5) just below 0.5.
  return Math.abs(v - t) >= 0.5 ? t + Math.sign(v) : t;
}
