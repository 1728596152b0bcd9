import { activationRange, roundHalfAway } from '../arith/index.js';
import type { ClampBounds } from '../activation.js';
import type { ActivationQuant } from './builder.js';

/**
 * The int8 clamp of a kernel's output: TFLite's `CalculateActivationRangeQuantized` for Relu, Relu6 and
 * Relu(−1, 1); the same rule (`zp + round(f / scale)` with a float32 division, ties away from zero) for other
 * constant Clip bounds; the full int8 (int16x8 mode: int16) range without an activation.
 */
export function outputClamp(clamp: ClampBounds | undefined, out: ActivationQuant, bits: 8 | 16 = 8): { min: number; max: number } {
  const lo = bits === 16 ? -32768 : -128;
  const hi = bits === 16 ? 32767 : 127;
  if (clamp === undefined) return { min: lo, max: hi };
  if (clamp.name !== 'clip') return activationRange(clamp.name, out.scale, out.zeroPoint, lo, hi);
  const q = (f: number): number => out.zeroPoint + roundHalfAway(Math.fround(f / out.scale));
  const min = Number.isFinite(clamp.lo) ? Math.max(lo, Math.min(hi, q(clamp.lo))) : lo;
  const max = Number.isFinite(clamp.hi) ? Math.min(hi, Math.max(lo, q(clamp.hi))) : hi;
  return { min, max: Math.max(min, max) };
}
