import { describe, expect, it } from 'vitest';
import { dequantize, type CodebookEncoding, type QuantPlan } from '@quantforge/core';
import { gaussian, quantInfo } from '@quantforge/testing';
import { resolveWeightedEntropyOptions } from '../src/options.js';
import { profileBits, weightLayerOrder, weightLevels } from '../src/profile.js';
import { weightedEntropyScheme } from '../src/scheme.js';

describe('per-layer bit profiles', () => {
  it('shapes bits over depth as Park et al.\'s DEC / INC / CONCAVE / CONVEX', () => {
    const over = (p: Parameters<typeof profileBits>[0]) => [0, 1, 2, 3, 4].map((i) => profileBits(p, i, 5, 2, 6));
    expect(over('uniform')).toEqual([6, 6, 6, 6, 6]);
    expect(over('decreasing')).toEqual([6, 5, 4, 3, 2]);
    expect(over('increasing')).toEqual([2, 3, 4, 5, 6]);
    expect(over('concave')).toEqual([2, 4, 6, 4, 2]);
    expect(over('convex')).toEqual([6, 4, 2, 4, 6]);
    expect(profileBits('decreasing', 0, 1, 2, 6)).toBe(6);
    expect([0, 1, 2, 3].map((i) => profileBits('increasing', i, 4, 1, 4))).toEqual([1, 2, 3, 4]);
  });

  it('reads the depth from the plan order of weight entries', () => {
    const entry = (tensor: string, role: 'weight' | 'activation' | 'bias', scheme = 'weighted-entropy') => ({
      tensor, role, scheme, options: {}, consumers: [], bits: 8, granularity: 'per-tensor' as const, stats: null,
    });
    const plan: QuantPlan = {
      version: 1, excluded: [],
      tensors: {
        input: entry('input', 'activation'), 'c1.w': entry('c1.w', 'weight'), 'c1.b': entry('c1.b', 'bias', 'uniform'),
        'c2.w': entry('c2.w', 'weight', 'uniform'), 'fc.w': entry('fc.w', 'weight'),
      },
    };
    expect(weightLayerOrder(plan)).toEqual(['c1.w', 'c2.w', 'fc.w']);
    expect(weightLayerOrder(plan, 'weighted-entropy')).toEqual(['c1.w', 'fc.w']);
  });

  it('gives each profiled weight the levels of its depth', async () => {
    const layers = ['a', 'b', 'c'];
    const options = { profile: 'convex' as const, minBits: 1, maxBits: 3, layers };
    const o = resolveWeightedEntropyOptions(options);
    expect(layers.map((name) => weightLevels(o, quantInfo({ name })))).toEqual([8, 2, 8]);
    const q = await weightedEntropyScheme.quantizeWeight!(gaussian([32, 8], 2), options, quantInfo({ name: 'b' }));
    expect((q.encoding as CodebookEncoding).k).toBe(2);
    expect(new Set(dequantize(q)).size).toBe(2);
  });

  it('refuses a profiled weight that is not in the layers list', () => {
    const o = resolveWeightedEntropyOptions({ profile: 'decreasing', minBits: 2, maxBits: 4, layers: ['a'] });
    expect(() => weightLevels(o, quantInfo({ name: 'z' }))).toThrow(expect.objectContaining({ code: 'QF_QUANTIZE' }));
  });
});
