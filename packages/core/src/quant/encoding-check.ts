import { QuantforgeError } from '../errors/error.js';
import { sizeOf } from '../ir/tensor.js';
import { affineStorage, checkAffineFormat, quantRange } from './affine.js';
import type { AffineStorage, CodebookEncoding, Encoding, LogEncoding } from './encoding.js';
import { paramCount } from './ranges.js';

function bad(message: string, details: Record<string, unknown>): never {
  throw new QuantforgeError('QF_INVALID_ARGUMENT', message, { details, hint: 'The encoding is malformed; check the scheme that produced it' });
}

const STORAGE_BITS: Record<AffineStorage, [number, boolean]> = {
  int4: [4, true], uint4: [4, false], int8: [8, true], uint8: [8, false], int16: [16, true], uint16: [16, false], int32: [32, true],
};

/**
 * Number of non-zero magnitude levels of a log encoding, `(fsr − minExponent) / step` (must be a whole number).
 *
 * @example
 * ```ts
 * logLevelCount({ kind: 'log', bits: 3, signed: false, step: 1, fsr: 0, minExponent: -7, zeroCode: true }); // 7
 * ```
 */
export function logLevelCount(e: LogEncoding): number {
  const raw = (e.fsr - e.minExponent) / e.step;
  const n = Math.round(raw);
  if (!(Math.abs(raw - n) <= 1e-9 * Math.max(1, Math.abs(raw))) || n < 1) {
    bad(`log encoding: (fsr − minExponent) / step must be a positive whole number, got ${raw}`, { fsr: e.fsr, minExponent: e.minExponent, step: e.step });
  }
  return n;
}

/**
 * Rows (after the layout transpose) and sub-vectors per row of a codebook encoding for a tensor of `count` elements.
 *
 * @example
 * ```ts
 * codebookShape(e, 64 * 128); // { rows: 64, perRow: 32 } for rowLength 128, d = 4
 * ```
 */
export function codebookShape(e: CodebookEncoding, count: number): { rows: number; perRow: number } {
  return { rows: count / e.layout.rowLength, perRow: (e.layout.rowLength + (e.layout.pad ?? 0)) / e.subvectorLength };
}

function checkPositiveArray(name: string, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    if (!(a[i]! > 0 && Number.isFinite(a[i]!))) bad(`${name}[${i}] must be positive and finite, got ${a[i]}`, { index: i, value: a[i] });
  }
}

function checkChannels(what: string, length: number, dims: readonly number[] | undefined, axis: number | undefined, blockSize?: number): void {
  if (axis === undefined) {
    if (length !== 1) bad(`${what}: ${length} parameters without an axis (per-tensor needs 1)`, { length });
    return;
  }
  if (dims !== undefined) {
    const need = paramCount(dims, axis, blockSize);
    if (need !== length) bad(`${what}: ${length} parameters, the tensor [${dims.join(', ')}] needs ${need}`, { length, need, axis, blockSize });
  }
}

/**
 * Checks an encoding's internal consistency and, given `dims`, that it fits the tensor. Throws
 * `QF_ENCODING_UNSUPPORTED` for an unknown kind and `QF_INVALID_ARGUMENT` for a malformed encoding.
 *
 * @example
 * ```ts
 * checkEncoding(encoding, [64, 3, 3, 3]);
 * ```
 */
export function checkEncoding(e: Encoding, dims?: readonly number[]): void {
  switch (e.kind) {
    case 'affine': {
      checkAffineFormat(e);
      if (e.scale.length !== e.zeroPoint.length || e.scale.length === 0) {
        bad(`affine encoding: ${e.scale.length} scales and ${e.zeroPoint.length} zero points`, { scales: e.scale.length, zeroPoints: e.zeroPoint.length });
      }
      const sb = STORAGE_BITS[e.storage];
      if (sb === undefined || sb[0] < e.bits || sb[1] !== e.signed) {
        const sign = e.signed ? 'signed' : 'unsigned';
        bad(`affine encoding: storage ${e.storage} cannot hold ${sign} ${e.bits}-bit codes (use ${affineStorage(e.bits, e.signed)})`, {
          storage: e.storage,
          bits: e.bits,
        });
      }
      if (e.blockSize !== undefined && e.axis === undefined) bad('affine encoding: blockSize needs an axis', { blockSize: e.blockSize });
      checkPositiveArray('scale', e.scale);
      const [qmin, qmax] = quantRange(e.bits, e.signed, e.narrowRange);
      for (let i = 0; i < e.zeroPoint.length; i++) {
        const z = e.zeroPoint[i]!;
        if (z < qmin || z > qmax) bad(`zeroPoint[${i}] = ${z} is outside [${qmin}, ${qmax}]`, { index: i, zeroPoint: z });
      }
      if (e.symmetric) {
        const mid = e.signed ? 0 : 2 ** (e.bits - 1);
        const off = e.zeroPoint.findIndex((z) => z !== mid);
        if (off >= 0) bad(`symmetric affine encoding needs zero point ${mid}, zeroPoint[${off}] is ${e.zeroPoint[off]}`, { index: off, zeroPoint: e.zeroPoint[off] });
      }
      if (e.powerOfTwo) {
        const off = e.scale.findIndex((v) => v !== 2 ** Math.round(Math.log2(v)));
        if (off >= 0) bad(`powerOfTwo affine encoding: scale[${off}] = ${e.scale[off]} is not a power of two`, { index: off, scale: e.scale[off] });
      }
      checkChannels('affine encoding', e.scale.length, dims, e.axis, e.blockSize);
      return;
    }
    case 'log': {
      const minBits = e.signed ? 2 : 1;
      if (!Number.isInteger(e.bits) || e.bits < minBits || e.bits > 16) bad(`log encoding: bits must be ${minBits}–16, got ${e.bits}`, { bits: e.bits });
      if (!(e.step > 0) || !Number.isFinite(e.step) || !Number.isFinite(e.fsr) || !Number.isFinite(e.minExponent)) {
        bad('log encoding: step must be positive and fsr, minExponent finite', { step: e.step, fsr: e.fsr, minExponent: e.minExponent });
      }
      const levels = logLevelCount(e);
      const capacity = 2 ** (e.bits - (e.signed ? 1 : 0)) - (e.zeroCode ? 1 : 0);
      if (levels > capacity) bad(`log encoding: ${levels} levels do not fit ${e.bits} bits (at most ${capacity})`, { levels, capacity });
      if ((e.channelFsr === undefined) !== (e.axis === undefined)) bad('log encoding: channelFsr and axis go together', { axis: e.axis });
      if (e.channelFsr !== undefined) {
        for (let i = 0; i < e.channelFsr.length; i++) if (!Number.isFinite(e.channelFsr[i]!)) bad(`channelFsr[${i}] is not finite`, { index: i });
        checkChannels('log encoding', e.channelFsr.length, dims, e.axis);
      }
      return;
    }
    case 'codebook': {
      const { k, groups, subvectorLength: d, layout } = e;
      for (const [name, v] of [['k', k], ['groups', groups], ['subvectorLength', d], ['layout.rowLength', layout.rowLength]] as const) {
        if (!Number.isInteger(v) || v < 1) bad(`codebook encoding: ${name} must be a positive integer, got ${v}`, { [name]: v });
      }
      if (e.centroids.length !== groups * k * d) bad(`codebook encoding: ${e.centroids.length} centroid values, expected groups·k·d = ${groups * k * d}`, { groups, k, d });
      if (e.residual !== undefined && e.residual.centroids.length !== groups * e.residual.k * d) {
        bad('codebook encoding: residual centroids must be groups·k·d long', { groups, k: e.residual.k, d });
      }
      const pad = layout.pad ?? 0;
      if (!Number.isInteger(pad) || pad < 0 || pad >= d) bad(`codebook encoding: layout.pad must be an integer from 0 to d − 1 = ${d - 1}, got ${pad}`, { pad, d });
      const padded = layout.rowLength + pad;
      if (padded % d !== 0) bad(`codebook encoding: rowLength ${layout.rowLength} + pad ${pad} is not a multiple of d = ${d}`, { rowLength: layout.rowLength, pad, d });
      if (e.grouping === 'tensor' && groups !== 1) bad('codebook encoding: grouping "tensor" has exactly one codebook', { groups });
      if (e.grouping === 'subspace' && groups !== padded / d) bad('codebook encoding: grouping "subspace" needs groups = (rowLength + pad) / d', { groups, rowLength: layout.rowLength, pad, d });
      if (!['tensor', 'channel', 'subspace'].includes(e.grouping)) bad(`codebook encoding: unknown grouping ${String(e.grouping)}`, { grouping: e.grouping });
      if (dims !== undefined) {
        const n = sizeOf(dims);
        if (n % layout.rowLength !== 0) bad(`codebook encoding: ${n} elements are not whole rows of ${layout.rowLength}`, { count: n, rowLength: layout.rowLength });
        if (e.grouping === 'channel' && (n / layout.rowLength) % groups !== 0) bad(`codebook encoding: ${n / layout.rowLength} rows do not split into ${groups} channels`, { groups });
        if (layout.perm !== undefined) {
          const seen = [...layout.perm].sort((a, b) => a - b);
          if (seen.length !== dims.length || seen.some((v, i) => v !== i)) {
            bad(`codebook encoding: perm [${layout.perm.join(', ')}] is not a permutation of rank ${dims.length}`, { perm: layout.perm });
          }
        }
      }
      return;
    }
    case 'ternary': {
      if (e.scale.length === 0) bad('ternary encoding: needs at least one scale', {});
      checkPositiveArray('scale', e.scale);
      if (e.negativeScale !== undefined) {
        if (e.negativeScale.length !== e.scale.length) bad('ternary encoding: negativeScale must match scale in length', {});
        checkPositiveArray('negativeScale', e.negativeScale);
      }
      if (e.threshold !== undefined && e.threshold.length !== e.scale.length) bad('ternary encoding: threshold must match scale in length', {});
      checkChannels('ternary encoding', e.scale.length, dims, e.axis);
      return;
    }
    default: {
      const kind = (e as { kind?: unknown }).kind;
      throw new QuantforgeError('QF_ENCODING_UNSUPPORTED', `unknown encoding kind ${String(kind)}`, { details: { kind } });
    }
  }
}
