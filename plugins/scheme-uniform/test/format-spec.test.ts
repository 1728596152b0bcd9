import { describe, expect, it } from 'vitest';
import { isQuantforgeError } from '@quantforge/core';
import { parseFormatSpec } from '../src/format-spec.js';
import { resolveUniformOptions } from '../src/options.js';

function failure(f: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try {
    f();
  } catch (e) {
    if (!isQuantforgeError(e)) throw e;
    return e as unknown as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected a QuantforgeError');
}

describe('parseFormatSpec', () => {
  it('reads the CLI examples', () => {
    expect(parseFormatSpec('int8,per-channel,sym')).toEqual({ bits: 8, signed: true, granularity: 'per-channel', symmetric: true });
    expect(parseFormatSpec('uint8,per-tensor,asym', 'activations')).toEqual({ bits: 8, signed: false, symmetric: false });
  });

  it('reads every token', () => {
    expect(parseFormatSpec('int4,per-group:32,narrow,pow2')).toEqual({
      bits: 4, signed: true, granularity: 'per-group', blockSize: 32, narrowRange: true, powerOfTwo: true,
    });
    expect(parseFormatSpec('uint4')).toEqual({ bits: 4, signed: false });
    expect(parseFormatSpec('int16,full')).toEqual({ bits: 16, signed: true, narrowRange: false });
    expect(parseFormatSpec('int2,per-channel:-1,asymmetric')).toEqual({ bits: 2, signed: true, granularity: 'per-channel', axis: -1, symmetric: false });
    expect(parseFormatSpec(' INT8 , per-group , axis:1 , mse ')).toEqual({ bits: 8, signed: true, granularity: 'per-group', axis: 1, clipping: 'mse' });
    expect(parseFormatSpec('percentile:99.9,symmetric')).toEqual({ clipping: 'percentile', percentile: 99.9, symmetric: true });
    expect(parseFormatSpec('minmax')).toEqual({ clipping: 'minmax' });
  });

  it('gives options the scheme accepts', () => {
    const o = resolveUniformOptions({ weights: parseFormatSpec('int4,per-group:32,asym'), activations: parseFormatSpec('uint8,asym', 'activations') });
    expect(o.weights).toMatchObject({ bits: 4, granularity: 'per-group', blockSize: 32, symmetric: false, narrowRange: true });
    expect(o.activations).toMatchObject({ bits: 8, signed: false, symmetric: false });
  });

  it.each([
    ['int8,bogus', 'bogus'],
    ['int17', 'int17'],
    ['int1', 'int1'],
    ['int8,uint4', 'uint4'],
    ['sym,asym', 'asym'],
    ['per-group:0', 'per-group:0'],
    ['per-group:x', 'per-group:x'],
    ['per-channel:1:2', 'per-channel:1:2'],
    ['int8:3', 'int8:3'],
    ['int8,,sym', ''],
    ['percentile:40', 'percentile:40'],
  ])('refuses %j naming the token %j', (spec, token) => {
    const e = failure(() => parseFormatSpec(spec));
    expect(e.code).toBe('QF_OPTIONS_INVALID');
    expect(e.details.token).toBe(token);
    expect(e.message).toContain(`"${token}"`);
  });

  it('refuses weight-only tokens for activations', () => {
    for (const spec of ['uint8,per-channel', 'uint8,per-group:32', 'uint8,mse', 'uint8,axis:0']) {
      const e = failure(() => parseFormatSpec(spec, 'activations'));
      expect(e.code).toBe('QF_OPTIONS_INVALID');
      expect(e.message).toContain('weights only');
    }
  });

  it('refuses an empty spec', () => {
    expect(failure(() => parseFormatSpec('  ')).code).toBe('QF_OPTIONS_INVALID');
  });
});
