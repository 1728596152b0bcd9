import { QuantforgeError } from '@quantforge/core';
import { assertMultiplier } from '../arith/requantize.js';
import type { RoundingMode } from '../arith/multiplier.js';

/** NHWC dims as CMSIS-NN's `cmsis_nn_dims` (filters: conv [C_OUT, HK, WK, CK], depthwise [1, HK, WK, C_OUT]). */
export interface Dims4 {
  n: number;
  h: number;
  w: number;
  c: number;
}

/** A height/width pair (`cmsis_nn_tile`). */
export interface Tile {
  h: number;
  w: number;
}

/** Inclusive clamp range after requantization (`cmsis_nn_activation`), from `activationRange`. */
export interface ActivationClamp {
  min: number;
  max: number;
}

/** Per-output-channel requantization (`cmsis_nn_per_channel_quant_params`): TFLite's (M, shift), positive = left. */
export interface PerChannelQuant {
  multipliers: Int32Array;
  shifts: Int32Array;
}

/** Per-tensor requantization (`cmsis_nn_per_tensor_quant_params`). */
export interface PerTensorQuant {
  multiplier: number;
  shift: number;
}

export function invalid(message: string, details: Record<string, unknown> = {}): QuantforgeError {
  return new QuantforgeError('QF_INVALID_ARGUMENT', message, { details });
}

export function checkDims(name: string, d: Dims4): number {
  for (const k of ['n', 'h', 'w', 'c'] as const) {
    if (!Number.isInteger(d[k]) || d[k] < 1) throw invalid(`${name}.${k} must be a positive integer (got ${d[k]})`, { name, dims: d });
  }
  return d.n * d.h * d.w * d.c;
}

export function checkTile(name: string, t: Tile, min: number): void {
  if (!Number.isInteger(t.h) || !Number.isInteger(t.w) || t.h < min || t.w < min) {
    throw invalid(`${name} must hold integers ≥ ${min} (got ${t.h}, ${t.w})`, { name, tile: t });
  }
}

export function checkLength(name: string, arr: { length: number }, expected: number): void {
  if (arr.length !== expected) throw invalid(`${name} has ${arr.length} elements, expected ${expected}`, { name, length: arr.length, expected });
}

/** Offsets as TFLM passes them: input offset = −zp_in ∈ [−127, 128], output offset = +zp_out ∈ [−128, 127]. */
export function checkOffsets(inputOffset: number, outputOffset: number, inputName = 'inputOffset'): void {
  if (!Number.isInteger(inputOffset) || inputOffset < -127 || inputOffset > 128) {
    throw invalid(`${inputName} (−zero point) must be an integer in [−127, 128] (got ${inputOffset})`, { inputOffset });
  }
  if (!Number.isInteger(outputOffset) || outputOffset < -128 || outputOffset > 127) {
    throw invalid(`outputOffset (+zero point) must be an integer in [−128, 127] (got ${outputOffset})`, { outputOffset });
  }
}

export function checkActivation(a: ActivationClamp): void {
  if (!Number.isInteger(a.min) || !Number.isInteger(a.max) || a.min < -128 || a.max > 127 || a.min > a.max) {
    throw invalid(`the activation range must satisfy −128 ≤ min ≤ max ≤ 127 (got [${a.min}, ${a.max}])`, { activation: a });
  }
}

export function checkPerChannel(q: PerChannelQuant, channels: number, rounding: RoundingMode): void {
  checkLength('multipliers', q.multipliers, channels);
  checkLength('shifts', q.shifts, channels);
  for (let c = 0; c < channels; c++) assertMultiplier(q.multipliers[c] as number, q.shifts[c] as number, rounding);
}

export function outputBuffer(given: Int8Array | undefined, size: number): Int8Array {
  if (given === undefined) return new Int8Array(size);
  checkLength('output', given, size);
  return given;
}
