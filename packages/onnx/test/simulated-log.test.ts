import { dequantize, quantizeWith, tensor, type LogEncoding, type QuantPlan } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { logLadder, simulatedExporter } from '../src/index.js';
import { f32, model, node, randomFloats, runOrt } from './qdq-helpers.js';

// Log fake-quantization written as ONNX ops, run in onnxruntime ('basic'), against core's quantizeWith + dequantize
// on values chosen to sit on and next to every decision boundary.

const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);
function neighbours(v: number, span: number): number[] {
  asFloat[0] = v;
  const b = bits[0]!;
  const out: number[] = [];
  for (let d = -span; d <= span; d++) {
    bits[0] = b + d;
    if (b + d > 0 && b + d < 0x7f800000) out.push(asFloat[0]);
  }
  return out;
}

/** Values per channel: boundaries ± a few ulps, exact powers, random magnitudes, and the special values. */
function probeValues(e: LogEncoding, seed: number): Float32Array {
  const ladder = logLadder(e);
  const out: number[] = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 2 ** -130, 3.4028234663852886e38, -3.4028234663852886e38];
  for (let i = 0; i < ladder.thresholds.length; i++) {
    const t = ladder.thresholds[i]!;
    if (t > 0 && Number.isFinite(t)) for (const v of neighbours(t, 3)) out.push(v, -v);
  }
  for (let k = -48 * 16; k <= 16 * 16; k++) out.push(2 ** (k / 16), -(2 ** (k / 16)));
  for (let k = -40; k <= 10; k++) for (const v of neighbours(2 ** (k + 0.5), 2)) out.push(v, -v);
  const r = randomFloats(4000, seed);
  for (let i = 0; i < r.length; i += 2) out.push(Math.sign(r[i]!) * 2 ** ((r[i + 1]! + 1) * 20 - 30));
  return Float32Array.from(out);
}

async function roundTrip(e: LogEncoding, channels: number, seed: number) {
  const perChannel = probeValues(e, seed);
  const n = perChannel.length;
  const dims = e.axis === undefined ? [n] : [1, channels, n];
  const x = new Float32Array(channels * n);
  for (let c = 0; c < channels; c++) x.set(perChannel, c * n);
  const m = model([node('Identity', ['x'], ['y'], {}, 'id')], [f32('x', dims)], [f32('y', dims)], {});
  const plan: QuantPlan = {
    version: 1, excluded: [],
    tensors: { x: { tensor: 'x', role: 'activation', scheme: 'test', options: {}, consumers: [{ node: 'id', opType: 'Identity', input: 0 }], bits: e.bits, granularity: e.axis === undefined ? 'per-tensor' : 'per-channel', ...(e.axis === undefined ? {} : { axis: e.axis }), stats: null } },
  };
  const { model: out, valueMap } = simulatedExporter().export({ model: m, plan, encodings: { x: { encoding: e, dims } }, mode: 'static' });
  expect(valueMap.x).toBeDefined();
  const got = (await runOrt(out, { x: tensor('float32', dims, x) }, ['y'])).y!;
  const want = dequantize(quantizeWith(e, x, dims));
  let mismatches = 0;
  const first: [number, number, number][] = [];
  for (let i = 0; i < x.length; i++) {
    if (!Object.is(got[i], want[i])) {
      mismatches++;
      if (first.length < 5) first.push([x[i]!, got[i]!, want[i]!]);
    }
  }
  return { count: x.length, mismatches, first };
}

const cases: [string, LogEncoding, number][] = [
  ['signed base 2 with zero', { kind: 'log', bits: 4, signed: true, step: 1, fsr: 0, minExponent: -7, zeroCode: true }, 1],
  ['unsigned 3-bit (Miyashita)', { kind: 'log', bits: 3, signed: false, step: 1, fsr: 0, minExponent: -7, zeroCode: true }, 1],
  ['base √2 without zero code', { kind: 'log', bits: 5, signed: true, step: 0.5, fsr: 1, minExponent: -6.5, zeroCode: false }, 1],
  ['base 4: ties at powers of two', { kind: 'log', bits: 4, signed: true, step: 2, fsr: 4, minExponent: -10, zeroCode: true }, 1],
  ['half-octave offset: ties at powers of two, unsigned', { kind: 'log', bits: 3, signed: false, step: 1, fsr: 0.5, minExponent: -6.5, zeroCode: false }, 1],
  ['Park step 3/8', { kind: 'log', bits: 6, signed: true, step: 0.375, fsr: 0, minExponent: -6, zeroCode: true }, 1],
  ['8-bit step 1/8', { kind: 'log', bits: 8, signed: true, step: 0.125, fsr: 0, minExponent: -15, zeroCode: true }, 1],
  ['levels down in the subnormals', { kind: 'log', bits: 8, signed: false, step: 1, fsr: -10, minExponent: -140, zeroCode: true }, 1],
  ['per-channel ladders', { kind: 'log', bits: 4, signed: true, step: 1, fsr: 0, minExponent: -7, zeroCode: true, channelFsr: new Float32Array([0, 2, -3.5]), axis: 1 }, 3],
];

describe('simulated exporter: log activations', () => {
  it.each(cases)('%s matches core bit for bit', async (_name, e, channels) => {
    const r = await roundTrip(e, channels, 7);
    expect(r.count).toBeGreaterThan(3000);
    expect(r.first).toEqual([]);
    expect(r.mismatches).toBe(0);
  });

  it('has exact ties among the probes of base 4 and rounds them away from zero', () => {
    const e: LogEncoding = { kind: 'log', bits: 4, signed: true, step: 2, fsr: 4, minExponent: -10, zeroCode: true };
    // log2(2^-9) = -9 is half-way between levels 2^-10 and 2^-8.
    expect(dequantize(quantizeWith(e, Float32Array.of(2 ** -9, -(2 ** -9)), [2]))).toEqual(Float32Array.of(2 ** -8, -(2 ** -8)));
    expect(logLadder(e).thresholds[2]).toBe(2 ** -9);
  });
});
