import { dequantizeProgramOutput, quantizeProgramInput, type Program } from '@quantforge/core';

// Core's program I/O is what every backend's evaluation uses; these names stay for callers of this package.

/**
 * TFLite QUANTIZE of one float sample of a program input, given in ONNX layout (NCHW for 4-D): `q = clamp(round(x /
 * scale) + zp)` with a float32 division and ties away from zero, then reordered to NHWC. An int16x8 program's
 * inputs are int16 (clamped to [−32768, 32767]), an int8 program's int8.
 *
 * @example
 * ```ts
 * const q = quantizeInput(program, 'input', pixels); // Int8Array, NHWC
 * ```
 */
export function quantizeInput(program: Program, name: string, values: Float32Array): Int8Array | Int16Array {
  return quantizeProgramInput(program, name, values);
}

/**
 * Dequantizes a program output back to float in ONNX layout: `(q − zp) · scale`.
 *
 * @example
 * ```ts
 * const logits = dequantizeOutput(program, 'logits', out.logits as Int8Array);
 * ```
 */
export function dequantizeOutput(program: Program, name: string, codes: Int8Array | Int16Array): Float32Array {
  return dequantizeProgramOutput(program, name, codes);
}
