import { QuantforgeError, forEachParamRun, normalizeAxis, quantizeWith, type QuantizedTensor, type Tensor, type TensorQuantInfo } from '@quantforge/core';
import { binChannels, searchBinnedFsr } from './binned.js';
import { fsrForMax, logQuantEncoding, logStep, magnitudeLevels } from './ladder.js';
import type { ResolvedLogQuantOptions } from './options.js';
import { weightValues } from './values.js';

/**
 * Largest magnitude of each parameter channel (one entry when `axis` is undefined).
 *
 * @example
 * ```ts
 * channelMaxAbs(Float32Array.of(1, -3, 2, 0), [2, 2], 0); // [3, 2]
 * ```
 */
export function channelMaxAbs(values: Float32Array, dims: readonly number[], axis?: number): Float64Array {
  const maxAbs = new Float64Array(axis === undefined ? 1 : dims[axis]!);
  forEachParamRun(dims, axis, undefined, (start, length, p) => {
    let m = maxAbs[p]!;
    for (let i = start; i < start + length; i++) {
      const a = Math.abs(values[i]!);
      if (a > m) m = a;
    }
    maxAbs[p] = m;
  });
  return maxAbs;
}

function channelAxis(o: ResolvedLogQuantOptions, info: TensorQuantInfo, rank: number): number | undefined {
  if (!o.perChannel) return undefined;
  const axis = o.axis ?? info.axis ?? 0;
  if (rank === 0) {
    throw new QuantforgeError('QF_QUANTIZE', `per-channel logquant needs a tensor with an axis; ${info.name} is a scalar`, { details: { tensor: info.name } });
  }
  return normalizeAxis(axis, rank);
}

/**
 * Quantizes a weight with LogQuant: `sign(w) · 2^clip(round(log2|w|))` on a signed ladder of `bits` (one of them the
 * sign) with exact zero; the full-scale range from the largest magnitude (`fsr: 'max'`) or the candidate with the least
 * squared error (`'search'`), per tensor or per channel (`channelFsr`; the encoding's `fsr` is the largest of them).
 * Codes come from core's `quantizeWith`.
 *
 * @example
 * ```ts
 * const q = quantizeLogWeight(weight, resolveLogQuantOptions({ bits: 4 }), info);
 * dequantize(q); // powers of two, signs kept
 * ```
 */
export function quantizeLogWeight(t: Tensor, o: ResolvedLogQuantOptions, info: TensorQuantInfo): QuantizedTensor {
  const values = weightValues(t, info.name);
  const bits = o.bits ?? info.bits;
  if (!(Number.isInteger(bits) && bits >= 2 && bits <= 8)) {
    throw new QuantforgeError('QF_QUANTIZE', `logquant weights need 2–8 bits (one is the sign); ${info.name} is planned with ${bits}`, {
      details: { tensor: info.name, bits }, hint: 'Set the scheme option bits (2–8)',
    });
  }
  const step = logStep(o.base);
  const levels = magnitudeLevels(bits, true);
  const axis = channelAxis(o, info, t.dims.length);
  const maxAbs = channelMaxAbs(values, t.dims, axis);
  const channels = maxAbs.length;
  let tensorMax = 0;
  for (const m of maxAbs) if (m > tensorMax) tensorMax = m;
  const allZeroFsr = fsrForMax(tensorMax, step);
  const tops = Float64Array.from(maxAbs, (m) => (m > 0 ? fsrForMax(m, step) : allZeroFsr));
  const fsrs = Float32Array.from(tops);
  if (o.fsr === 'search') {
    // The lowest candidate's zero threshold sits (levels + ½)·step below its fsr; one spare octave on each side.
    const span = Math.ceil(o.searchOctaves + levels * step) + 2;
    const binned = binChannels(values, t.dims, axis, Float64Array.from(tops, (top) => top + 1 - span), span);
    for (let c = 0; c < channels; c++) fsrs[c] = searchBinnedFsr(binned, c, levels, step, tops[c]!, o.searchOctaves);
  }
  let fsr = -Infinity;
  for (const f of fsrs) if (f > fsr) fsr = f;
  const encoding = axis === undefined ? logQuantEncoding(bits, true, step, fsr) : logQuantEncoding(bits, true, step, fsr, { channelFsr: fsrs, axis });
  return quantizeWith(encoding, values, t.dims);
}
