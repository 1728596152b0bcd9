import { QuantforgeError } from '../errors/error.js';
import { roundHalfAway } from '../quant/rounding.js';
import type { Program, ProgramTensor } from './program.js';

function tensorNamed(program: Program, ids: readonly number[], name: string): ProgramTensor {
  const t = ids.map((id) => program.tensors[id]!).find((x) => x.name === name);
  if (t === undefined) throw new QuantforgeError('QF_INVALID_ARGUMENT', `the program has no input or output named ${name}`, { details: { name } });
  if (t.scale === undefined || t.zeroPoint === undefined || (t.dtype !== 'int8' && t.dtype !== 'int16')) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `program tensor ${name} is not a per-tensor int8/int16 activation (dtype ${t.dtype}, scale ${String(t.scale)})`, { details: { name, dtype: t.dtype } });
  }
  return t;
}

// 4-D transposes between ONNX's NCHW and a program's NHWC; the element type is kept.
function transpose<T extends Int8Array | Int16Array>(src: T, [n, c, h, w]: readonly number[], toNhwc: boolean): T {
  const dst = new (src.constructor as { new (n: number): T })(src.length);
  for (let b = 0; b < n!; b++) for (let ch = 0; ch < c!; ch++) for (let y = 0; y < h!; y++) for (let x = 0; x < w!; x++) {
    const nchw = ((b * c! + ch) * h! + y) * w! + x;
    const nhwc = ((b * h! + y) * w! + x) * c! + ch;
    if (toNhwc) dst[nhwc] = src[nchw]!;
    else dst[nchw] = src[nhwc]!;
  }
  return dst;
}

/** NCHW dims of a 4-D program tensor (whatever the program's layout), for transposes and ONNX-shaped results. */
function nchwDims(program: Program, dims: readonly number[]): number[] {
  return program.layout === 'NHWC' ? [dims[0]!, dims[3]!, dims[1]!, dims[2]!] : [...dims];
}

/**
 * Quantizes one float sample of a program input, given in ONNX layout (NCHW for 4-D), into the program's layout
 * with the input tensor's scale and zero point: `q = clamp(round(x / scale) + zp)` with a float32 division and ties
 * away from zero (TFLite QUANTIZE), clamped to the tensor's int8 or int16 range.
 *
 * @example
 * ```ts
 * const q = quantizeProgramInput(program, 'input', pixels); // Int8Array, in program.layout
 * ```
 */
export function quantizeProgramInput(program: Program, name: string, values: Float32Array): Int8Array | Int16Array {
  const t = tensorNamed(program, program.inputs, name);
  const s = Math.fround(t.scale!);
  const wide = t.dtype === 'int16';
  const [lo, hi] = wide ? [-32768, 32767] : [-128, 127];
  const q = wide ? new Int16Array(values.length) : new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.max(lo, Math.min(hi, roundHalfAway(Math.fround(values[i]! / s)) + t.zeroPoint!));
  if (t.dims.length !== 4 || program.layout !== 'NHWC') return q;
  return transpose(q, nchwDims(program, t.dims), true);
}

/**
 * Dequantizes one sample of a program output back to float in ONNX layout: `(q − zp) · scale`, reordered from the
 * program's layout to NCHW for 4-D outputs.
 *
 * @example
 * ```ts
 * const logits = dequantizeProgramOutput(program, 'logits', out.logits!);
 * ```
 */
export function dequantizeProgramOutput(program: Program, name: string, codes: Int8Array | Int16Array): Float32Array {
  const t = tensorNamed(program, program.outputs, name);
  const data = t.dims.length === 4 && program.layout === 'NHWC' ? transpose(codes, nchwDims(program, t.dims), false) : codes;
  return Float32Array.from(data, (v) => (v - t.zeroPoint!) * t.scale!);
}

/**
 * ONNX dims of a program tensor for `rows` samples stacked along the batch axis (4-D NHWC → NCHW).
 *
 * @example
 * ```ts
 * programOnnxDims(program, program.tensors[program.outputs[0]!]!.dims, 8); // [8, 10]
 * ```
 */
export function programOnnxDims(program: Program, dims: readonly number[], rows: number): number[] {
  if (dims.length === 0) return [];
  const d = dims.length === 4 ? nchwDims(program, dims) : [...dims];
  d[0] = d[0]! * rows;
  return d;
}
