import { describe, expect, it } from 'vitest';
import { defineScheme, resolveSchemeOptions, tensor, type QuantizedTensor } from '@quantforge/core';
import { compressionRatio, compressionStats } from '../src/compression.js';
import { DEFAULT_KMEANS_OPTIONS, DEFAULT_PQ_OPTIONS, resolveVqOptions } from '../src/options.js';
import { kmeans, pq, vqPlugin } from '../src/plugin.js';
import { kmeansScheme, pqScheme } from '../src/scheme.js';

const invalid = expect.objectContaining({ code: 'QF_OPTIONS_INVALID' });

describe('options', () => {
  it('fills defaults by method', () => {
    expect(resolveVqOptions({})).toEqual(DEFAULT_KMEANS_OPTIONS);
    expect(resolveVqOptions({ method: 'pq', pqDim: 8 })).toEqual({ ...DEFAULT_PQ_OPTIONS, pqDim: 8 });
    expect(kmeans({ bits: 3 })).toMatchObject({ plugin: vqPlugin, scheme: 'kmeans', options: { method: 'kmeans', bits: 3, init: 'linear' } });
    expect(pq({ residual: true })).toMatchObject({ scheme: 'pq', options: { method: 'pq', residual: true, init: 'kmeans++' } });
  });

  it.each([
    [{ bits: 9 }, '/bits'],
    [{ bits: 0 }, '/bits'],
    [{ init: 'random' }, '/init'],
    [{ importance: 'cube' }, '/importance'],
    [{ maxIterations: 0 }, '/maxIterations'],
    [{ pqCentroids: 1 }, '/pqCentroids'],
    [{ colour: 'red' }, '/colour'],
  ])('rejects %j with QF_OPTIONS_INVALID naming the field', (options, path) => {
    expect(() => resolveVqOptions(options)).toThrow(expect.objectContaining({
      code: 'QF_OPTIONS_INVALID', details: expect.objectContaining({ problems: expect.arrayContaining([expect.objectContaining({ path })]) }),
    }));
  });

  it('rejects combinations that make no sense', () => {
    expect(() => pq({ init: 'linear' })).toThrow(invalid);
    expect(() => pq({ importance: 'square' })).toThrow(invalid);
    expect(() => pq({ bits: 4 })).toThrow(invalid);
    expect(() => kmeans({ perm: [1, 0] })).toThrow(invalid);
    expect(() => resolveVqOptions(null)).toThrow(invalid);
  });

  it('ties each scheme to its method when the pipeline resolves options', () => {
    expect(resolveSchemeOptions(kmeansScheme, { bits: 2 })).toMatchObject({ method: 'kmeans', bits: 2 });
    expect(resolveSchemeOptions(pqScheme, {})).toEqual(DEFAULT_PQ_OPTIONS);
    expect(() => resolveSchemeOptions(kmeansScheme, { method: 'pq' })).toThrow(invalid);
    expect(() => defineScheme({ ...pqScheme })).not.toThrow();
    expect(kmeansScheme.statsFor('weight', { name: 'w', role: 'weight', consumers: [], bits: 4, granularity: 'per-tensor' }, DEFAULT_KMEANS_OPTIONS)).toBeNull();
    expect(kmeansScheme.supports).toEqual({ roles: ['weight'], encodings: ['codebook'] });
  });
});

describe('compression ratio', () => {
  it('counts packed index bits and float32 codebooks against float32 weights', () => {
    // PQ of 1024 × 1024, d = 4, K = 256: 262 144 indices of 8 bits + 256 × 256 × 4 float32 centroids.
    const q: QuantizedTensor = {
      dims: [1024, 1024],
      encoding: { kind: 'codebook', k: 256, groups: 256, subvectorLength: 4, grouping: 'subspace', centroids: new Float32Array(256 * 256 * 4), layout: { rowLength: 1024 } },
    };
    expect(compressionStats(q)).toEqual({ originalBits: 33_554_432, codeBits: 2_097_152, codebookBits: 8_388_608, ratio: 3.2 });
    // 4-bit k-means of 1 000 000 weights: 4 000 000 code bits + 16 × 32 codebook bits.
    const k = { dims: [1000, 1000], encoding: { kind: 'codebook', k: 16, groups: 1, subvectorLength: 1, grouping: 'tensor', centroids: new Float32Array(16), layout: { rowLength: 1000 } } } as const;
    expect(compressionRatio(k as unknown as QuantizedTensor)).toBe(32_000_000 / (4_000_000 + 512));
    // A residual stage of 3 centroids adds ⌈log2 3⌉ = 2 bits per index and its codebook.
    const r = { ...k, encoding: { ...k.encoding, residual: { k: 3, centroids: new Float32Array(3) } } };
    expect(compressionStats(r as unknown as QuantizedTensor)).toMatchObject({ codeBits: 6_000_000, codebookBits: 19 * 32 });
  });

  it('counts the padded sub-vector of each row as a whole index and full-length centroids', () => {
    // A [16, 1, 3, 3] Conv weight, d = 4: rows of 9 + 3 zeros = 3 sub-vectors, so 48 indices, not 144 / 4 = 36.
    const q: QuantizedTensor = {
      dims: [16, 1, 3, 3],
      encoding: { kind: 'codebook', k: 16, groups: 3, subvectorLength: 4, grouping: 'subspace', centroids: new Float32Array(3 * 16 * 4), layout: { rowLength: 9, pad: 3 } },
    };
    expect(compressionStats(q)).toEqual({ originalBits: 144 * 32, codeBits: 48 * 4, codebookBits: 192 * 32, ratio: 4608 / (192 + 6144) });
  });

  it('refuses other encodings', () => {
    const q: QuantizedTensor = { dims: [1], encoding: { kind: 'ternary', scale: Float32Array.of(1) }, codes: tensor('int8', [1], Int8Array.of(1)) };
    expect(() => compressionRatio(q)).toThrow(expect.objectContaining({ code: 'QF_ENCODING_UNSUPPORTED' }));
  });
});
