import { describe, expect, it } from 'vitest';
import { affineEncoding, type Encoding } from '@quantforge/core';
import { laplace } from '@quantforge/testing';
import { encodingLevels, levelsHistogram } from '../src/levels-histogram.js';
import { weightedEntropyCodebook } from '../src/weights.js';

describe('levelsHistogram (plot data)', () => {
  it('lists the levels each kind of encoding can reconstruct', () => {
    expect(encodingLevels(affineEncoding({ min: -1, max: 1 }, { bits: 2, signed: true, symmetric: true, narrowRange: true }))).toEqual([-1, 0, 1]);
    expect(encodingLevels({ kind: 'log', bits: 3, signed: true, step: 1, fsr: 0, minExponent: -3, zeroCode: true })).toEqual([-0.5, -0.25, -0.125, 0, 0.125, 0.25, 0.5]);
    expect(encodingLevels({ kind: 'ternary', scale: Float32Array.of(0.5) })).toEqual([-0.5, 0, 0.5]);
    expect(() => encodingLevels({ kind: 'codebook', centroids: new Float32Array(8), k: 4, groups: 1, subvectorLength: 2, grouping: 'tensor', layout: { rowLength: 2 } }))
      .toThrow(expect.objectContaining({ code: 'QF_ENCODING_UNSUPPORTED' }));
  });

  it('bins one layer\'s weights and carries linear, log and weighted levels as JSON', () => {
    const w = laplace([5000], 3).data;
    const book = weightedEntropyCodebook(w, 8);
    const encodings: Record<string, Encoding> = {
      linear: affineEncoding({ min: -4, max: 4 }, { bits: 3, signed: true, symmetric: true, narrowRange: true }),
      log: { kind: 'log', bits: 3, signed: true, step: 1, fsr: 3, minExponent: 0, zeroCode: true },
      weighted: { kind: 'codebook', centroids: book.centroids, k: 8, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 5000 } },
    };
    const data = JSON.parse(JSON.stringify(levelsHistogram(w, encodings, 40))) as ReturnType<typeof levelsHistogram>;
    expect(data.bins.edges).toHaveLength(41);
    expect(data.bins.counts.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(data.series.map((s) => [s.name, s.kind, s.levels.length])).toEqual([['linear', 'affine', 7], ['log', 'log', 7], ['weighted', 'codebook', 8]]);
    expect(data.series[2]!.levels).toEqual(Array.from(book.centroids));
    expect(() => levelsHistogram([], encodings)).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });
});
