import { activationRange, roundHalfAway } from '../arith/index.js';
import type { ClampBounds } from '../activation.js';
import type { ActivationQuant } from './builder.js';

/**
 * The int8 clamp of a kernel's output: TFLite's `CalculateActivationRangeQuantized` for Relu, Relu6 and
 * Relu(−1, 1); the same rule (`zp + round(f / scale)` with a float32 division, ties away from zero) for other
 * constant Clip bounds; the full int8 range without an activation.
 */
export function outputClamp(clamp: ClampBounds | undefined, out: ActivationQuant): { min: number; max: number } {
  if (clamp === undefined) return { min: -128, max: 127 };
  if (clamp.name !== 'clip') return activationRange(clamp.name, out.scale, out.zeroPoint);
  const q = (f: number): number => out.zeroPoint + roundHalfAway(Math.fround(f / out.scale));
  const min = Number.isFinite(clamp.lo) ? Math.max(-128, Math.min(127, q(clamp.lo))) : -128;
  const max = Number.isFinite(clamp.hi) ? Math.min(127, Math.max(-128, q(clamp.hi))) : 127;
  return { min, max: Math.max(min, max) };
}
