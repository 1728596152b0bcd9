import type { SerializedEncoding } from '../quant/encoding-json.js';
import type { Granularity, PlanEntry } from '../quant/plan.js';

/**
 * The format a target demands of one tensor, in the vocabulary every affine scheme shares: code width, signedness,
 * symmetry, narrow range, granularity and axis.
 */
export interface TargetFormat {
  bits?: number;
  signed?: boolean;
  symmetric?: boolean;
  narrowRange?: boolean;
  granularity?: Granularity;
  axis?: number;
}

const ROLE_KEY = { weight: 'weights', activation: 'activations' } as const;

/**
 * A copy of a plan entry with a target's format applied: `bits`, `granularity` and `axis` on the entry, the
 * statistics request's `finalize` (so calibration computes the range for that format), and the scheme options' format
 * group (`options.weights` / `options.activations`, the convention of affine schemes such as `uniform`) where the
 * options have one. A backend's `lower` still checks the encodings it gets, since a scheme may ignore the options.
 *
 * @example
 * ```ts
 * const e2 = applyAffineFormat(entry, { bits: 8, signed: true, symmetric: true, narrowRange: true, granularity: 'per-channel', axis: 0 });
 * ```
 */
export function applyAffineFormat(entry: PlanEntry, format: TargetFormat): PlanEntry {
  const out: PlanEntry = structuredClone(entry);
  if (format.bits !== undefined) out.bits = format.bits;
  if (format.granularity !== undefined) {
    out.granularity = format.granularity;
    delete out.blockSize;
    if (format.granularity === 'per-tensor') delete out.axis;
    else if (format.axis !== undefined) out.axis = format.axis;
  }
  if (out.stats !== null) {
    const f = out.stats.finalize;
    if (format.bits !== undefined) f.bits = format.bits;
    if (format.signed !== undefined) f.signed = format.signed;
    if (format.symmetric !== undefined) f.symmetric = format.symmetric;
    if (format.narrowRange !== undefined) f.narrowRange = format.narrowRange;
  }
  const key = entry.role === 'weight' || entry.role === 'activation' ? ROLE_KEY[entry.role] : undefined;
  const group = key === undefined ? undefined : out.options[key];
  if (key !== undefined && typeof group === 'object' && group !== null && !Array.isArray(group)) {
    const g: Record<string, unknown> = { ...(group as Record<string, unknown>) };
    for (const k of ['bits', 'signed', 'symmetric', 'narrowRange'] as const) if (format[k] !== undefined) g[k] = format[k];
    if (entry.role === 'weight' && format.granularity !== undefined) {
      g.granularity = format.granularity;
      delete g.blockSize;
      if (format.granularity === 'per-tensor') delete g.axis;
      else if (format.axis !== undefined) g.axis = format.axis;
    }
    out.options = { ...out.options, [key]: g };
  }
  return out;
}

/**
 * A per-tensor affine encoding as plan JSON, for `PlanEntry.fixed` (an encoding the target imposes).
 *
 * @example
 * ```ts
 * entry.fixed = fixedAffine(1 / 256, -128, 8); // TFLite int8 softmax output
 * ```
 */
export function fixedAffine(scale: number, zeroPoint: number, bits: 8 | 16): SerializedEncoding {
  return {
    kind: 'affine', bits, signed: true, narrowRange: false, symmetric: zeroPoint === 0, powerOfTwo: Number.isInteger(Math.log2(scale)),
    scale: [Math.fround(scale)], zeroPoint: [zeroPoint], storage: bits === 8 ? 'int8' : 'int16',
  };
}
