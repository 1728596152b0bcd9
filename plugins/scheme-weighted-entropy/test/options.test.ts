import { describe, expect, it } from 'vitest';
import { resolveSchemeOptions } from '@quantforge/core';
import { f32, quantInfo } from '@quantforge/testing';
import { resolveWeightedEntropyOptions } from '../src/options.js';
import { weightedEntropy, weightedEntropyPlugin } from '../src/plugin.js';
import { weightedEntropyScheme } from '../src/scheme.js';

describe('weighted-entropy options', () => {
  it('fills defaults', () => {
    expect(resolveWeightedEntropyOptions()).toEqual({ profile: 'uniform', activationObjective: 'entropy', maxSweeps: 100000 });
  });

  it.each([
    [{ bits: 9 }, '/bits'],
    [{ levels: 1 }, '/levels'],
    [{ bits: 2, levels: 5 }, '/levels'],
    [{ profile: 'convex' }, '/minBits'],
    [{ profile: 'convex', minBits: 2, maxBits: 4 }, '/layers'],
    [{ profile: 'convex', minBits: 5, maxBits: 4, layers: ['a'] }, '/minBits'],
    [{ profile: 'convex', minBits: 2, maxBits: 4, layers: ['a'], levels: 3 }, '/levels'],
    [{ minBits: 2 }, '/minBits'],
    [{ activationObjective: 'kl' }, '/activationObjective'],
  ])('rejects %j with QF_OPTIONS_INVALID', (options, where) => {
    try {
      resolveWeightedEntropyOptions(options);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'QF_OPTIONS_INVALID' });
      expect(JSON.stringify((e as { details: unknown }).details)).toContain(where);
    }
  });

  it('gives a SchemeUse whose options the pipeline validates against the scheme schema', () => {
    const use = weightedEntropy({ levels: 12, activationBits: 3 });
    expect(use).toMatchObject({ plugin: weightedEntropyPlugin, scheme: 'weighted-entropy', options: { levels: 12, activationBits: 3 } });
    expect(resolveSchemeOptions(weightedEntropyScheme, use.options)).toMatchObject({ levels: 12, profile: 'uniform' });
  });

  it('refuses bias tensors with a coded error', () => {
    expect(() => weightedEntropyScheme.quantizeWeight!(f32([2], [1, 2]), {}, quantInfo({ role: 'bias', bits: 32 }))).toThrow(expect.objectContaining({ code: 'QF_QUANTIZE' }));
  });
});
