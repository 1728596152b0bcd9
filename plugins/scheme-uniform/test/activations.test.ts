import { describe, expect, it } from 'vitest';
import { createCalibrator, isQuantforgeError, type AffineEncoding, type ActivationStats, type StatRequest } from '@quantforge/core';
import { gaussian, quantInfo } from '@quantforge/testing';
import { resolveUniformOptions, type UniformOptions } from '../src/options.js';
import { uniformScheme } from '../src/scheme.js';

const actInfo = quantInfo({ name: 'relu_out', role: 'activation', consumers: [], granularity: 'per-tensor', axis: undefined });

function calibrate(request: StatRequest, batches: Float32Array[]): ActivationStats {
  const cal = createCalibrator([{ tensor: 'relu_out', request }]);
  const stats = cal.init();
  for (const b of batches) {
    cal.observe(stats, 'relu_out', b, [b.length]);
    cal.addSamples(stats, 1);
  }
  return cal.finalize(stats).relu_out!;
}

function encode(options: UniformOptions, batches: Float32Array[]): AffineEncoding {
  const o = resolveUniformOptions(options);
  const request = uniformScheme.statsFor('activation', actInfo, o)!;
  return uniformScheme.encodeActivation!(calibrate(request, batches), o, actInfo) as AffineEncoding;
}

describe('activation statistics and encodings', () => {
  it('asks for the options’ observer, finalized for the activation format', () => {
    const o = resolveUniformOptions({ calibrator: 'entropy', calibratorOptions: { bins: 4096 }, activations: { signed: true, symmetric: true } });
    expect(uniformScheme.statsFor('activation', actInfo, o)).toEqual({
      observer: 'entropy', options: { bins: 4096 }, finalize: { bits: 8, signed: true, symmetric: true, narrowRange: false },
    });
    expect(uniformScheme.statsFor('activation', { ...actInfo, bits: 6 }, resolveUniformOptions())!.finalize.bits).toBe(6);
    expect(uniformScheme.statsFor('activation', actInfo, resolveUniformOptions({ activations: { bits: 4 } }))!.finalize.bits).toBe(4);
    expect(uniformScheme.statsFor('weight', quantInfo(), resolveUniformOptions())).toBeNull();
    expect(uniformScheme.statsFor('bias', quantInfo({ role: 'bias' }), resolveUniformOptions())).toBeNull();
  });

  it('encodes uint8 asymmetric from a min/max range', () => {
    const e = encode({}, [Float32Array.of(-0.5, 2, 0), Float32Array.of(3, -1, 1)]);
    // [-1, 3] over 255 steps; zero point rint(1 / (4/255)) = rint(63.75) = 64.
    expect(e).toMatchObject({ bits: 8, signed: false, symmetric: false, storage: 'uint8' });
    expect(e.scale[0]).toBe(Math.fround(4 / 255));
    expect(e.zeroPoint[0]).toBe(64);
    expect(e.axis).toBeUndefined();
  });

  it('widens an all-positive range to contain zero', () => {
    const e = encode({}, [Float32Array.of(1, 2, 5.1)]);
    expect(e.zeroPoint[0]).toBe(0);
    expect(e.scale[0]).toBe(Math.fround(Math.fround(5.1) / 255));
  });

  it('uses power-of-two activation scales when asked', () => {
    const e = encode({ activations: { powerOfTwo: true } }, [Float32Array.of(-1, 3)]);
    // 4/255 ≈ 0.0157 is just above 2^-6, so it rounds up to 2^-5; zero point 1 / 2^-5 = 32.
    expect(e.scale[0]).toBe(2 ** -5);
    expect(e.zeroPoint[0]).toBe(32);
  });

  it('clips with a histogram calibrator', () => {
    const x = gaussian([20000], 4).data;
    const minmax = encode({ activations: { signed: true, symmetric: true } }, [x]);
    const pct = encode({ calibrator: 'percentile', calibratorOptions: { percentile: 99.9 }, activations: { signed: true, symmetric: true } }, [x]);
    expect(pct.scale[0]!).toBeLessThan(minmax.scale[0]!);
    expect(pct.zeroPoint[0]).toBe(0);
  });

  it('refuses a non-finite range', () => {
    const o = resolveUniformOptions();
    const request = uniformScheme.statsFor('activation', actInfo, o)!;
    const stats = calibrate(request, [Float32Array.of(0, 1)]);
    try {
      uniformScheme.encodeActivation!({ ...stats, range: { min: Number.NaN, max: 1 } }, o, actInfo);
      throw new Error('expected a failure');
    } catch (e) {
      expect(isQuantforgeError(e) && (e as { code: string }).code).toBe('QF_CALIBRATION');
    }
  });
});
