import type { AddParams } from '../arith/op-params.js';
import type { RoundingMode } from '../arith/multiplier.js';
import { assertMultiplier, requantizerFor } from '../arith/requantize.js';
import { broadcastIndices } from './broadcast.js';
import { checkActivation, checkOffsets, invalid, outputBuffer, type ActivationClamp } from './types.js';

interface BinaryOperands {
  input1: Int8Array;
  input2: Int8Array;
  /** Shapes for broadcasting; omit for equal lengths or a one-element operand. */
  input1Dims?: readonly number[];
  input2Dims?: readonly number[];
  activation: ActivationClamp;
  rounding?: RoundingMode;
  output?: Int8Array;
}

/** Arguments of {@link addS8}: operands plus the parameters from `addParams`. */
export interface AddS8Args extends BinaryOperands {
  params: AddParams;
}

/** MUL int8 parameters (offsets: inputs −zp, output +zp; (M, shift) from `mulMultiplier`). */
export interface MulS8Params {
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  multiplier: number;
  shift: number;
}

/** Arguments of {@link mulS8}. */
export interface MulS8Args extends BinaryOperands {
  params: MulS8Params;
}

/**
 * int8 elementwise add, bit-exact with CMSIS-NN `arm_elementwise_add_s8` and TFLite's double-scaling `AddFunc`:
 * `a = (x + off1)·2^leftShift`, `b = (y + off2)·2^leftShift`, each requantized with its (M, shift), summed, requantized
 * with the output (M, shift), `+ outputOffset`, clamped. Broadcasts NumPy-style.
 *
 * @example
 * ```ts
 * addS8({ input1: Int8Array.of(13), input2: Int8Array.of(5), activation: { min: -128, max: 127 },
 *   params: addParams({ scale: 0.1, zeroPoint: 3 }, { scale: 0.2, zeroPoint: -5 }, { scale: 0.25, zeroPoint: 10 }) });
 * // Int8Array [22]
 * ```
 */
export function addS8(a: AddS8Args): Int8Array {
  const rounding = a.rounding ?? 'double';
  const p = a.params;
  checkOffsets(p.input1Offset, p.outputOffset, 'input1Offset');
  checkOffsets(p.input2Offset, p.outputOffset, 'input2Offset');
  if (!Number.isInteger(p.leftShift) || p.leftShift < 0 || p.leftShift > 30) {
    throw invalid(`leftShift must be an integer in [0, 30] (got ${p.leftShift})`, { leftShift: p.leftShift });
  }
  assertMultiplier(p.input1Multiplier, p.input1Shift, rounding);
  assertMultiplier(p.input2Multiplier, p.input2Shift, rounding);
  assertMultiplier(p.outputMultiplier, p.outputShift, rounding);
  checkActivation(a.activation);
  const { size, index1, index2 } = broadcastIndices(a.input1.length, a.input2.length, a.input1Dims, a.input2Dims);
  const rq = requantizerFor(rounding);
  const scale = 2 ** p.leftShift;
  const out = outputBuffer(a.output, size);
  const { min, max } = a.activation;
  for (let i = 0; i < size; i++) {
    const x = (((a.input1[index1[i] as number] as number) + p.input1Offset) * scale) | 0;
    const y = (((a.input2[index2[i] as number] as number) + p.input2Offset) * scale) | 0;
    const sum = (rq(x, p.input1Multiplier, p.input1Shift) + rq(y, p.input2Multiplier, p.input2Shift)) | 0;
    let v = rq(sum, p.outputMultiplier, p.outputShift) + p.outputOffset;
    v = v < min ? min : v > max ? max : v;
    out[i] = v;
  }
  return out;
}

/**
 * int8 elementwise multiply, bit-exact with CMSIS-NN `arm_elementwise_mul_s8` and TFLite `Mul`:
 * `MBQM((x + off1)·(y + off2), M, shift) + outputOffset`, clamped. Broadcasts NumPy-style.
 *
 * @example
 * ```ts
 * mulS8({ input1: Int8Array.of(4), input2: Int8Array.of(6), activation: { min: -128, max: 127 },
 *   params: { input1Offset: 0, input2Offset: 0, outputOffset: 0, multiplier: 1 << 30, shift: 0 } });
 * // Int8Array [12]
 * ```
 */
export function mulS8(a: MulS8Args): Int8Array {
  const rounding = a.rounding ?? 'double';
  const p = a.params;
  checkOffsets(p.input1Offset, p.outputOffset, 'input1Offset');
  checkOffsets(p.input2Offset, p.outputOffset, 'input2Offset');
  assertMultiplier(p.multiplier, p.shift, rounding);
  checkActivation(a.activation);
  const { size, index1, index2 } = broadcastIndices(a.input1.length, a.input2.length, a.input1Dims, a.input2Dims);
  const rq = requantizerFor(rounding);
  const out = outputBuffer(a.output, size);
  const { min, max } = a.activation;
  for (let i = 0; i < size; i++) {
    const x = (a.input1[index1[i] as number] as number) + p.input1Offset;
    const y = (a.input2[index2[i] as number] as number) + p.input2Offset;
    let v = rq(x * y, p.multiplier, p.shift) + p.outputOffset;
    v = v < min ? min : v > max ? max : v;
    out[i] = v;
  }
  return out;
}
