import type { RoundingMode } from '../arith/multiplier.js';
import { assertMultiplier, requantizerFor } from '../arith/requantize.js';
import {
  checkActivation,
  checkLength,
  checkOffsets,
  checkPerChannel,
  invalid,
  outputBuffer,
  type ActivationClamp,
  type PerChannelQuant,
  type PerTensorQuant,
} from './types.js';

/** Arguments of {@link fullyConnectedS8} (CMSIS-NN `arm_fully_connected_s8` / `…_per_channel_s8`). */
export interface FullyConnectedS8Args {
  /** [batches, accumDepth] row-major (a higher-rank input is flattened to N × (H·W·C)). */
  input: Int8Array;
  batches: number;
  accumDepth: number;
  /** [outputDepth, accumDepth] row-major, as TFLite stores FULLY_CONNECTED weights. */
  filter: Int8Array;
  outputDepth: number;
  bias?: Int32Array;
  /** −input zero point. */
  inputOffset: number;
  /** Weight offset; the int8 spec has weight zp 0 and CMSIS-NN requires 0. Kept for TFLite's per-tensor path. */
  filterOffset?: number;
  outputOffset: number;
  activation: ActivationClamp;
  /** One (M, shift) for the tensor, or one per output channel. */
  quant: PerTensorQuant | PerChannelQuant;
  rounding?: RoundingMode;
  output?: Int8Array;
}

/**
 * int8 fully connected, bit-exact with CMSIS-NN `arm_nn_vec_mat_mult_t_s8` and TFLite `FullyConnected(PerChannel)`:
 * `res = bias[o] + Σ (x + inputOffset)·(w + filterOffset)`, `MBQM(res, M, shift) + outputOffset`, clamped.
 *
 * @example
 * ```ts
 * fullyConnectedS8({
 *   input: Int8Array.of(10, -20, 30, 127), batches: 1, accumDepth: 4,
 *   filter: Int8Array.of(127, -64, 3, -1), outputDepth: 1, bias: Int32Array.of(1000),
 *   inputOffset: 3, outputOffset: 7, activation: { min: -128, max: 127 },
 *   quant: { multiplier: 1099511562, shift: -8 },
 * }); // Int8Array [14]
 * ```
 */
export function fullyConnectedS8(a: FullyConnectedS8Args): Int8Array {
  const rounding = a.rounding ?? 'double';
  const { batches, accumDepth, outputDepth } = a;
  for (const [k, v] of [['batches', batches], ['accumDepth', accumDepth], ['outputDepth', outputDepth]] as const) {
    if (!Number.isInteger(v) || v < 1) throw invalid(`${k} must be a positive integer (got ${v})`, { [k]: v });
  }
  checkLength('input', a.input, batches * accumDepth);
  checkLength('filter', a.filter, outputDepth * accumDepth);
  if (a.bias !== undefined) checkLength('bias', a.bias, outputDepth);
  checkOffsets(a.inputOffset, a.outputOffset);
  const filterOffset = a.filterOffset ?? 0;
  if (!Number.isInteger(filterOffset) || filterOffset < -127 || filterOffset > 128) {
    throw invalid(`filterOffset must be an integer in [−127, 128] (got ${filterOffset})`, { filterOffset });
  }
  checkActivation(a.activation);
  const perChannel = 'multipliers' in a.quant;
  let multipliers: Int32Array;
  let shifts: Int32Array;
  if ('multipliers' in a.quant) {
    checkPerChannel(a.quant, outputDepth, rounding);
    multipliers = a.quant.multipliers;
    shifts = a.quant.shifts;
  } else {
    assertMultiplier(a.quant.multiplier, a.quant.shift, rounding);
    multipliers = Int32Array.of(a.quant.multiplier);
    shifts = Int32Array.of(a.quant.shift);
  }
  const rq = requantizerFor(rounding);
  const { input, filter, bias, inputOffset, outputOffset } = a;
  const actMin = a.activation.min;
  const actMax = a.activation.max;
  const out = outputBuffer(a.output, batches * outputDepth);
  let o = 0;
  for (let b = 0; b < batches; b++) {
    const inBase = b * accumDepth;
    for (let oc = 0; oc < outputDepth; oc++) {
      const fBase = oc * accumDepth;
      let acc = 0;
      for (let k = 0; k < accumDepth; k++) {
        acc += ((input[inBase + k] as number) + inputOffset) * ((filter[fBase + k] as number) + filterOffset);
      }
      if (bias !== undefined) acc += bias[oc] as number;
      const q = perChannel ? oc : 0;
      let v = rq(acc | 0, multipliers[q] as number, shifts[q] as number) + outputOffset;
      v = v < actMin ? actMin : v > actMax ? actMax : v;
      out[o++] = v;
    }
  }
  return out;
}
