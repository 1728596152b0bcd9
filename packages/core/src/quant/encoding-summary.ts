import type { Encoding } from './encoding.js';
import { logLevelCount } from './encoding-check.js';

/** A small JSON-able description of an encoding for reports (no per-channel arrays, only their extent). */
export interface EncodingSummary {
  kind: Encoding['kind'];
  /** Bits per element as the codes are stored logically (codebook: index bits / sub-vector length). */
  bitsPerElement: number;
  granularity: 'per-tensor' | 'per-channel' | 'per-group';
  axis?: number;
  /** Number of scale / fsr / codebook parameters sets. */
  parameterSets: number;
  /** Kind-specific highlights (storage, scale range, levels, k, d ...). */
  detail: Record<string, number | string | boolean>;
}

function span(a: Float32Array | Int32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * Summarizes an encoding for a report.
 *
 * @example
 * ```ts
 * encodingSummary(e); // { kind: 'affine', bitsPerElement: 8, granularity: 'per-channel', axis: 0, parameterSets: 64, detail: {...} }
 * ```
 */
export function encodingSummary(e: Encoding): EncodingSummary {
  const withAxis = (s: EncodingSummary): EncodingSummary => (e.axis === undefined ? s : { ...s, axis: e.axis });
  switch (e.kind) {
    case 'affine': {
      const s = span(e.scale);
      const z = span(e.zeroPoint);
      return withAxis({
        kind: 'affine', bitsPerElement: e.bits,
        granularity: e.axis === undefined ? 'per-tensor' : e.blockSize === undefined ? 'per-channel' : 'per-group',
        parameterSets: e.scale.length,
        detail: {
          storage: e.storage, signed: e.signed, symmetric: e.symmetric, narrowRange: e.narrowRange, powerOfTwo: e.powerOfTwo,
          scaleMin: s.min, scaleMax: s.max, zeroPointMin: z.min, zeroPointMax: z.max, ...(e.blockSize === undefined ? {} : { blockSize: e.blockSize }),
        },
      });
    }
    case 'log':
      return withAxis({
        kind: 'log', bitsPerElement: e.bits, granularity: e.channelFsr === undefined ? 'per-tensor' : 'per-channel',
        parameterSets: e.channelFsr?.length ?? 1,
        detail: { base: 2 ** e.step, step: e.step, fsr: e.fsr, minExponent: e.minExponent, levels: logLevelCount(e), signed: e.signed, zeroCode: e.zeroCode },
      });
    case 'codebook': {
      const k = Math.max(e.k, 1);
      const indexBits = Math.ceil(Math.log2(k)) + (e.residual === undefined ? 0 : Math.ceil(Math.log2(Math.max(e.residual.k, 1))));
      return withAxis({
        kind: 'codebook', bitsPerElement: indexBits / e.subvectorLength, granularity: e.grouping === 'channel' ? 'per-channel' : 'per-tensor',
        parameterSets: e.groups,
        detail: { k: e.k, subvectorLength: e.subvectorLength, grouping: e.grouping, residualK: e.residual?.k ?? 0, rowLength: e.layout.rowLength, ...(e.layout.pad ? { pad: e.layout.pad } : {}) },
      });
    }
    case 'ternary': {
      const s = span(e.scale);
      return withAxis({
        kind: 'ternary', bitsPerElement: Math.log2(3), granularity: e.axis === undefined ? 'per-tensor' : 'per-channel',
        parameterSets: e.scale.length,
        detail: { scaleMin: s.min, scaleMax: s.max, asymmetric: e.negativeScale !== undefined, threshold: e.threshold !== undefined },
      });
    }
  }
}
