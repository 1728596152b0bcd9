import { describe, expect, it } from 'vitest';
import {
  checkEncoding, codebookShape, dequantize, deserializeEncoding, quantizeWith, serializeEncoding, type CodebookEncoding,
} from '../../src/quant/index.js';

// A [2, 5] weight cut into sub-vectors of 2: each row is 5 values + 1 zero of padding = 3 sub-vectors.
function padded(): CodebookEncoding {
  // Sub-space 2 sees (x, 0): its centroids keep 0 in the padded coordinate.
  const centroids = new Float32Array([0, 0, 1, 1, 2, 2, 3, 3, 4, 0, 5, 0]);
  return { kind: 'codebook', k: 2, groups: 3, subvectorLength: 2, grouping: 'subspace', centroids, layout: { rowLength: 5, pad: 1 } };
}

describe('codebook layout padding', () => {
  it('pads each row with zeros before cutting it and drops the padding on dequantization', () => {
    const e = padded();
    checkEncoding(e, [2, 5]);
    expect(codebookShape(e, 10)).toEqual({ rows: 2, perRow: 3 });
    const q = quantizeWith(e, new Float32Array([0.1, 0.2, 2.9, 3.2, 3.9, 1.1, 0.9, 2.1, 1.8, 5.2]), [2, 5]);
    expect(q.codes!.dims).toEqual([1, 2, 3]);
    expect(Array.from(q.codes!.data as Uint8Array)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(Array.from(dequantize(q))).toEqual([0, 0, 3, 3, 4, 1, 1, 2, 2, 5]);
  });

  it('refuses pad ≥ d, a padded row d does not divide, and subspace groups that ignore the padding', () => {
    expect(() => checkEncoding({ ...padded(), layout: { rowLength: 5, pad: 2 } }, [2, 5])).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
    expect(() => checkEncoding({ ...padded(), layout: { rowLength: 4, pad: 1 } }, [2, 4])).toThrow(/not a multiple of d/);
    expect(() => checkEncoding({ ...padded(), groups: 2, centroids: new Float32Array(8) }, [2, 5])).toThrow(/rowLength \+ pad/);
  });

  it('survives JSON serialization', () => {
    const back = deserializeEncoding(JSON.parse(JSON.stringify(serializeEncoding(padded())))) as CodebookEncoding;
    expect(back.layout).toEqual({ rowLength: 5, pad: 1 });
  });
});
