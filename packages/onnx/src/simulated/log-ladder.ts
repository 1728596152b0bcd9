import { dequantize, logChannelMinExponents, logLevelCount, quantizeWith, tensor, type LogEncoding } from '@quantforge/core';

/**
 * The exact float32 decision tables of a log encoding, per channel: where each code begins and what it dequantizes
 * to. Built by asking core's own `quantizeWith` / `dequantize`, so the exported graph follows the reference even where
 * its double-precision log2 and float32 arithmetic in onnxruntime would disagree (near ties, at exact ties).
 */
export interface LogLadder {
  /** Non-zero magnitude levels L. */
  levels: number;
  channels: number;
  /**
   * `channels × (L + 2)`: entry `c` of a channel is the smallest positive float32 whose code magnitude is ≥ c
   * (entry 0 is 0, entry L + 1 is +∞), so a positive `a` has code `max{c : a ≥ entry c}`.
   */
  thresholds: Float32Array;
  /** `channels × (L + 1)`: magnitude of code c (entry 0 is 0). */
  magnitudes: Float32Array;
  /** Smallest-level exponent of each channel. */
  minExponents: Float64Array;
}

const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);

function floatOfBits(b: number): number {
  bits[0] = b;
  return asFloat[0]!;
}

const POSITIVE_INFINITY_BITS = 0x7f800000;

/** The encoding with its channel axis moved first, so a `[channels, n]` probe holds n values of each channel. */
function probeEncoding(e: LogEncoding): LogEncoding {
  return e.axis === undefined ? e : { ...e, axis: 0 };
}

/**
 * Computes the {@link LogLadder} of a log encoding. Positive float32 values are ordered like their bit patterns, and
 * the reference's code magnitude does not decrease with the value, so a bisection over bit patterns finds each
 * threshold exactly (31 rounds, every threshold of every channel at once).
 *
 * @example
 * ```ts
 * const ladder = logLadder({ kind: 'log', bits: 4, signed: true, step: 1, fsr: 0, minExponent: -7, zeroCode: true });
 * ladder.magnitudes[1]; // 2^-7
 * ```
 */
export function logLadder(e: LogEncoding): LogLadder {
  const levels = logLevelCount(e);
  const minExponents = logChannelMinExponents(e);
  const channels = minExponents.length;
  const probeE = probeEncoding(e);
  const dims = e.axis === undefined ? [levels] : [channels, levels];
  const count = channels * levels;
  const lo = new Float64Array(count);
  const hi = new Float64Array(count).fill(POSITIVE_INFINITY_BITS);
  const probe = new Float32Array(count);
  // Invariant per (channel, code c): the value of bits lo has a code below c (lo = 0 stands for "below every
  // positive float"), the value of bits hi reaches c.
  for (let round = 0; round < 32; round++) {
    const mids = new Float64Array(count);
    let open = false;
    for (let i = 0; i < count; i++) {
      const mid = Math.floor((lo[i]! + hi[i]!) / 2);
      mids[i] = mid;
      if (hi[i]! - lo[i]! > 1) open = true;
      probe[i] = floatOfBits(Math.max(1, mid));
    }
    if (!open) break;
    const codes = quantizeWith(probeE, probe, dims).codes!.data as Int8Array | Int16Array;
    for (let i = 0; i < count; i++) {
      if (hi[i]! - lo[i]! <= 1) continue;
      const wanted = (i % levels) + 1;
      if (codes[i]! >= wanted) hi[i] = mids[i]!;
      else lo[i] = mids[i]!;
    }
  }
  const thresholds = new Float32Array(channels * (levels + 2));
  for (let c = 0; c < channels; c++) {
    const row = c * (levels + 2);
    for (let j = 1; j <= levels; j++) thresholds[row + j] = floatOfBits(hi[c * levels + j - 1]!);
    thresholds[row + levels + 1] = Infinity;
  }
  const codeData = levels <= 127 ? new Int8Array(count) : new Int16Array(count);
  for (let i = 0; i < count; i++) codeData[i] = (i % levels) + 1;
  const values = dequantize({ encoding: probeE, dims, codes: tensor(levels <= 127 ? 'int8' : 'int16', dims, codeData as never) });
  const magnitudes = new Float32Array(channels * (levels + 1));
  for (let c = 0; c < channels; c++) magnitudes.set(values.subarray(c * levels, (c + 1) * levels), c * (levels + 1) + 1);
  return { levels, channels, thresholds, magnitudes, minExponents };
}
