import type { AddParams } from '../arith/op-params.js';
import type { RoundingMode } from '../arith/multiplier.js';
import { assertMultiplier, requantizerFor } from '../arith/requantize.js';
import { broadcastIndices } from './broadcast.js';
import { invalid, type ActivationClamp } from './types.js';
import type { MulS8Params } from './elementwise.js';

// int16 Add and Mul as TFLM runs them (add.cc int16: reference_ops::Add with pot_scale = false → AddGeneralParamScale
// → the AddElementwise template of reference/add.h, left_shift 15 from add_common.cc; mul.cc int16: the MulElementwise
// template of reference/integer_ops/mul.h). They are the int8 formulas with int16 operands and zero offsets.

interface BinaryS16 {
  input1: Int16Array;
  input2: Int16Array;
  input1Dims?: readonly number[];
  input2Dims?: readonly number[];
  activation: ActivationClamp;
  rounding?: RoundingMode;
  output?: Int16Array;
}

function check16(a: BinaryS16, offsets: number[]): void {
  const { min, max } = a.activation;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < -32768 || max > 32767 || min > max) {
    throw invalid(`the int16 activation range must satisfy −32768 ≤ min ≤ max ≤ 32767 (got [${min}, ${max}])`, { activation: a.activation });
  }
  if (offsets.some((o) => o !== 0)) throw invalid('int16 operands are symmetric: every offset must be 0', { offsets });
}

function buffer(given: Int16Array | undefined, size: number): Int16Array {
  if (given === undefined) return new Int16Array(size);
  if (given.length !== size) throw invalid(`output has ${given.length} elements, expected ${size}`, { size });
  return given;
}

/**
 * int16 elementwise add (TFLM `ADD` int16, general scales): `(x · 2^15)` and `(y · 2^15)` each requantized with its
 * (M, shift), summed, requantized with the output (M, shift), clamped. `params` from `addParams(..., { leftShift: 15 })`.
 *
 * @example
 * ```ts
 * addS16({ input1: Int16Array.of(1000), input2: Int16Array.of(2000), activation: { min: -32768, max: 32767 },
 *   params: addParams({ scale: 1e-3, zeroPoint: 0 }, { scale: 1e-3, zeroPoint: 0 }, { scale: 1e-3, zeroPoint: 0 }, { leftShift: 15 }) });
 * // Int16Array [3000]
 * ```
 */
export function addS16(a: BinaryS16 & { params: AddParams }): Int16Array {
  const rounding = a.rounding ?? 'double';
  const p = a.params;
  check16(a, [p.input1Offset, p.input2Offset, p.outputOffset]);
  if (p.leftShift !== 15) throw invalid(`int16 add uses left shift 15 (got ${p.leftShift})`, { leftShift: p.leftShift });
  assertMultiplier(p.input1Multiplier, p.input1Shift, rounding);
  assertMultiplier(p.input2Multiplier, p.input2Shift, rounding);
  assertMultiplier(p.outputMultiplier, p.outputShift, rounding);
  const { size, index1, index2 } = broadcastIndices(a.input1.length, a.input2.length, a.input1Dims, a.input2Dims);
  const rq = requantizerFor(rounding);
  const out = buffer(a.output, size);
  const { min, max } = a.activation;
  for (let i = 0; i < size; i++) {
    // |x| ≤ 2^15 · 2^15 = 2^30: exact in int32, no wrap.
    const x = (a.input1[index1[i]!]! * 32768) | 0;
    const y = (a.input2[index2[i]!]! * 32768) | 0;
    const sum = (rq(x, p.input1Multiplier, p.input1Shift) + rq(y, p.input2Multiplier, p.input2Shift)) | 0;
    const v = rq(sum, p.outputMultiplier, p.outputShift);
    out[i] = v < min ? min : v > max ? max : v;
  }
  return out;
}

/**
 * int16 elementwise multiply (TFLM `MUL` int16): `MBQM(x · y, M, shift)`, clamped (the product of two int16 values
 * fits int32). `params.multiplier` / `shift` from `mulMultiplier`.
 *
 * @example
 * ```ts
 * mulS16({ input1: Int16Array.of(300), input2: Int16Array.of(-200), activation: { min: -32768, max: 32767 },
 *   params: { input1Offset: 0, input2Offset: 0, outputOffset: 0, multiplier: 1 << 30, shift: -1 } }); // Int16Array [-15000]
 * ```
 */
export function mulS16(a: BinaryS16 & { params: MulS8Params }): Int16Array {
  const rounding = a.rounding ?? 'double';
  const p = a.params;
  check16(a, [p.input1Offset, p.input2Offset, p.outputOffset]);
  assertMultiplier(p.multiplier, p.shift, rounding);
  const { size, index1, index2 } = broadcastIndices(a.input1.length, a.input2.length, a.input1Dims, a.input2Dims);
  const rq = requantizerFor(rounding);
  const out = buffer(a.output, size);
  const { min, max } = a.activation;
  for (let i = 0; i < size; i++) {
    const v = rq(a.input1[index1[i]!]! * a.input2[index2[i]!]!, p.multiplier, p.shift);
    out[i] = v < min ? min : v > max ? max : v;
  }
  return out;
}
