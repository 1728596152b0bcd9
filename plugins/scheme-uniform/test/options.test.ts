import { describe, expect, it } from 'vitest';
import { isQuantforgeError, resolveSchemeOptions, validateOptions } from '@quantforge/core';
import { DEFAULT_UNIFORM_OPTIONS, UniformOptionsSchema, resolveUniformOptions } from '../src/options.js';
import { uniformScheme } from '../src/scheme.js';

function problems(f: () => unknown): { path: string; message: string }[] {
  try {
    f();
  } catch (e) {
    if (!isQuantforgeError(e) || (e as { code: string }).code !== 'QF_OPTIONS_INVALID') throw e;
    return (e as unknown as { details: { problems: { path: string; message: string }[] } }).details.problems;
  }
  throw new Error('expected QF_OPTIONS_INVALID');
}

describe('uniform options', () => {
  it('defaults to signed symmetric narrow weights, unsigned asymmetric activations, minmax', () => {
    const o = resolveUniformOptions();
    expect(o).toEqual(DEFAULT_UNIFORM_OPTIONS);
    expect(o.weights).toEqual({ signed: true, symmetric: true, narrowRange: true, powerOfTwo: false, clipping: 'minmax' });
    expect(o.activations).toEqual({ signed: false, symmetric: false, narrowRange: false, powerOfTwo: false });
    expect(o.calibrator).toBe('minmax');
  });

  it('merges nested groups field by field and does not share the defaults', () => {
    const o = resolveUniformOptions({ weights: { bits: 4, granularity: 'per-group', blockSize: 16 }, activations: { powerOfTwo: true } });
    expect(o.weights).toEqual({ ...DEFAULT_UNIFORM_OPTIONS.weights, bits: 4, granularity: 'per-group', blockSize: 16 });
    expect(o.activations.powerOfTwo).toBe(true);
    o.weights.signed = false;
    expect(DEFAULT_UNIFORM_OPTIONS.weights.signed).toBe(true);
  });

  it('validates shallow merges the way the pipeline resolves options', () => {
    const shallow = resolveSchemeOptions(uniformScheme, { weights: { bits: 4 } });
    expect(validateOptions(UniformOptionsSchema, shallow)).toEqual({ ...DEFAULT_UNIFORM_OPTIONS, weights: { bits: 4 } });
    expect(resolveUniformOptions(shallow).weights.symmetric).toBe(true);
  });

  it('lists every schema problem with its path', () => {
    const p = problems(() => resolveUniformOptions({ weights: { bits: 17, granularity: 'per-row' }, calibrator: 'kl', extra: 1 }));
    const paths = p.map((x) => x.path);
    expect(paths).toContain('/weights/bits');
    expect(paths).toContain('/weights/granularity');
    expect(paths).toContain('/calibrator');
    expect(paths).toContain('/extra');
  });

  it('checks calibrator options against the observer schema', () => {
    expect(resolveUniformOptions({ calibrator: 'percentile', calibratorOptions: { percentile: 99.9 } }).calibratorOptions).toEqual({ percentile: 99.9 });
    expect(problems(() => resolveUniformOptions({ calibrator: 'percentile', calibratorOptions: { percentile: 20 } })).map((x) => x.path)).toEqual(['/calibratorOptions/percentile']);
    expect(problems(() => resolveUniformOptions({ calibratorOptions: { bins: 64 } })).map((x) => x.path)).toEqual(['/calibratorOptions/bins']);
  });

  it('checks fields that need another granularity or clipping', () => {
    expect(problems(() => resolveUniformOptions({ weights: { granularity: 'per-tensor', axis: 0 } }))[0]!.path).toBe('/weights/axis');
    expect(problems(() => resolveUniformOptions({ weights: { granularity: 'per-channel', blockSize: 8 } }))[0]!.path).toBe('/weights/blockSize');
    expect(problems(() => resolveUniformOptions({ weights: { percentile: 99 } }))[0]!.path).toBe('/weights/percentile');
  });

  it('refuses a non-object', () => {
    expect(problems(() => resolveUniformOptions(3))[0]!.path).toBe('');
  });
});
