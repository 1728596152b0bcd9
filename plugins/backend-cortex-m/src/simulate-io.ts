import { QuantforgeError, type Program, type ProgramTensor } from '@quantforge/core';
import { roundHalfAway } from './arith/index.js';
import { nchwToNhwc, nhwcToNchw } from './lower/layout.js';

function tensorNamed(program: Program, ids: readonly number[], name: string): ProgramTensor {
  const t = ids.map((id) => program.tensors[id]!).find((x) => x.name === name);
  if (t === undefined) throw new QuantforgeError('QF_INVALID_ARGUMENT', `the program has no input or output named ${name}`, { details: { name } });
  return t;
}

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
  const t = tensorNamed(program, program.inputs, name);
  const s = Math.fround(t.scale!);
  const wide = t.dtype === 'int16';
  const [lo, hi] = wide ? [-32768, 32767] : [-128, 127];
  const q = wide ? new Int16Array(values.length) : new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.max(lo, Math.min(hi, roundHalfAway(Math.fround(values[i]! / s)) + t.zeroPoint!));
  if (t.dims.length !== 4) return q;
  const [n, h, w, c] = t.dims as [number, number, number, number];
  return nchwToNhwc(q, [n, c, h, w]);
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
  const t = tensorNamed(program, program.outputs, name);
  let data = codes;
  if (t.dims.length === 4) {
    const [n, h, w, c] = t.dims as [number, number, number, number];
    data = nhwcToNchw(codes, [n, c, h, w]);
  }
  return Float32Array.from(data, (v) => (v - t.zeroPoint!) * t.scale!);
}
