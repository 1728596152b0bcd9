import { describe, expect, it } from 'vitest';
import { quantizeWith, type CodebookEncoding } from '@quantforge/core';
import { heavyTailed, rng } from '@quantforge/testing';
import { scalarCodes } from '../src/scalar-codes.js';

function same(e: CodebookEncoding, values: Float32Array, dims: number[]): void {
  const fast = scalarCodes(e, values, dims);
  const ref = quantizeWith(e, values, dims);
  expect(fast).toBeDefined();
  expect(fast!.codes!.dtype).toBe(ref.codes!.dtype);
  expect(fast!.codes!.dims).toEqual(ref.codes!.dims);
  expect(Array.from(fast!.codes!.data as Uint8Array)).toEqual(Array.from(ref.codes!.data as Uint8Array));
}

describe('scalar codes by binary search', () => {
  it('equal core quantizeWith, ties, duplicates and out-of-range values included', () => {
    // Centroids with a duplicate pair and values exactly on midpoints, on centroids and beyond both ends.
    const centroids = Float32Array.of(-2, -0.5, -0.5, 0, 0.25, 1, 3, 3);
    const values = Float32Array.of(-5, -2, -1.25, -0.5, -0.25, 0, 0.125, 0.625, 1, 2, 3, 9, ...heavyTailed(200, 1));
    same({ kind: 'codebook', k: 8, groups: 1, subvectorLength: 1, grouping: 'tensor', centroids, layout: { rowLength: values.length } }, values, [values.length]);
  });

  it('equal quantizeWith per channel through a transpose and with a residual stage', () => {
    const next = rng(3);
    const values = heavyTailed(40 * 6, 2);
    const book = (groups: number, k: number): Float32Array => {
      const c = new Float32Array(groups * k);
      for (let g = 0; g < groups; g++) c.set(Float32Array.from({ length: k }, () => (next() - 0.5) * 6).sort(), g * k);
      return c;
    };
    const e: CodebookEncoding = {
      kind: 'codebook', k: 16, groups: 6, subvectorLength: 1, grouping: 'channel', axis: 1, centroids: book(6, 16),
      layout: { perm: [1, 0], rowLength: 40 }, residual: { k: 4, centroids: book(6, 4).map((v) => v / 8) },
    };
    same(e, values, [40, 6]);
    same({ ...e, k: 300, centroids: book(6, 300) }, values, [40, 6]);
  });

  it('leaves unsorted codebooks and vectors to quantizeWith', () => {
    const e: CodebookEncoding = { kind: 'codebook', k: 2, groups: 1, subvectorLength: 1, grouping: 'tensor', centroids: Float32Array.of(1, 0), layout: { rowLength: 2 } };
    expect(scalarCodes(e, Float32Array.of(0, 1), [2])).toBeUndefined();
    expect(scalarCodes({ ...e, subvectorLength: 2, grouping: 'subspace', centroids: Float32Array.of(0, 0, 1, 1) }, Float32Array.of(0, 1), [2])).toBeUndefined();
  });
});
