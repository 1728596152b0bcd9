import { describe, expect, it } from 'vitest';
import { affineEncoding, dequantize, quantizeWith, sqnr, tensor, tensorRange, type CodebookEncoding } from '@quantforge/core';
import { f32, gaussian, laplace, quantInfo } from '@quantforge/testing';
import { resolveWeightedEntropyOptions, type WeightedEntropyOptions } from '../src/options.js';
import { quantizeWeightedEntropy, weightedEntropyCodebook } from '../src/weights.js';

const quantize = (t: Parameters<typeof quantizeWeightedEntropy>[0], o: WeightedEntropyOptions, info = quantInfo()) =>
  quantizeWeightedEntropy(t, resolveWeightedEntropyOptions(o), info);

function uniformSqnr(x: Float32Array, bits: number, clip = 1): number {
  const amax = tensorRange(x).max * clip;
  const e = affineEncoding({ min: -amax, max: amax }, { bits, signed: true, symmetric: true, narrowRange: false });
  return sqnr(x, dequantize(quantizeWith(e, x, [x.length])));
}

function bestUniform(x: Float32Array, bits: number): number {
  let best = -Infinity;
  for (let f = 1; f >= 0.1; f -= 0.02) best = Math.max(best, uniformSqnr(x, bits, f));
  return best;
}

describe('weighted-entropy weights', () => {
  it('returns a scalar codebook with symmetric levels, indices by cluster and signs kept', () => {
    const w = gaussian([16, 32], 1);
    const q = quantize(w, { bits: 3 });
    const e = q.encoding as CodebookEncoding;
    expect(e).toMatchObject({ kind: 'codebook', k: 8, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 32 } });
    expect(q.codes).toMatchObject({ dtype: 'uint8', dims: [1, 16, 32] });
    const c = Array.from(e.centroids);
    expect(c).toEqual([...c].sort((a, b) => a - b));
    expect(c.slice(0, 4).map((v) => -v).reverse()).toEqual(c.slice(4));
    const back = dequantize(q);
    for (let i = 0; i < back.length; i++) expect(Math.sign(back[i]!)).toBe(Math.sign(w.data[i]!) || 1);
    // Magnitudes are intervals: a larger |w| never gets a smaller level.
    const pairs = Array.from(w.data, (v, i) => [Math.abs(v), Math.abs(back[i]!)] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < pairs.length; i++) expect(pairs[i]![1]).toBeGreaterThanOrEqual(pairs[i - 1]![1]);
  });

  it('takes any number of levels; odd counts give an exact zero level', () => {
    const w = laplace([1000], 2);
    for (const levels of [2, 3, 5, 12, 300]) {
      const q = quantize(w, { levels });
      const e = q.encoding as CodebookEncoding;
      expect(e.k).toBe(levels);
      expect(new Set(dequantize(q)).size).toBeLessThanOrEqual(levels);
      if (levels % 2 === 1) expect(e.centroids[(levels - 1) / 2]).toBe(0);
    }
    expect((quantize(w, { levels: 300 }).codes!).dtype).toBe('uint16');
    const ternary = dequantize(quantize(w, { levels: 3 }));
    expect(new Set(Array.from(ternary, Math.sign))).toEqual(new Set([-1, 0, 1]));
  });

  it('uses the plan\'s bits unless the options set bits or levels', () => {
    const w = gaussian([64], 3);
    expect((quantize(w, {}, quantInfo({ bits: 2 })).encoding as CodebookEncoding).k).toBe(4);
    expect((quantize(w, { bits: 1 }).encoding as CodebookEncoding).k).toBe(2);
  });

  it.each([['gaussian', gaussian([400, 250], 4)], ['laplace', laplace([400, 250], 5)]] as const)(
    'reproduces the paper\'s observation on %s weights: wide cluster of near-zero weights, wide cluster of rare large ones, levels packed mid-range',
    (_, w) => {
      const x = w.data;
      const { clusters } = weightedEntropyCodebook(x, 16);
      const t = Array.from(clusters.thresholds);
      const max = tensorRange(x.map(Math.abs)).max;
      const widths = t.map((lo, k) => (k + 1 < t.length ? t[k + 1]! : max) - lo);
      const inner = widths.slice(1, -1);
      const counts = Array.from({ length: t.length }, (_, k) => clusters.starts[k + 1]! - clusters.starts[k]!);
      const median = [...inner].sort((a, b) => a - b)[inner.length >> 1]!;
      // Many near-zero weights in one wide cluster: much wider than the mid-range clusters, and the most populated.
      expect(widths[0]!).toBeGreaterThan(1.5 * median);
      expect(counts[0]!).toBe(Math.max(...counts));
      // Rare large weights in one cluster covering a wide range: the widest of all, and the least populated.
      expect(widths.at(-1)!).toBeGreaterThan(3 * Math.max(...inner));
      expect(counts.at(-1)!).toBe(Math.min(...counts));
      // The inner clusters are narrowest around the middle magnitudes and widen towards both ends.
      const narrowest = inner.indexOf(Math.min(...inner)) + 1;
      expect(narrowest).toBeGreaterThan(1);
      expect(narrowest).toBeLessThan(t.length - 2);
    },
  );

  it('measures SQNR against uniform quantization at 2, 3 and 4 bits', () => {
    const rows: string[] = [];
    for (const [name, w] of [['gaussian', gaussian([512, 512], 6)], ['laplace', laplace([512, 512], 7)]] as const) {
      for (const bits of [2, 3, 4]) {
        const x = w.data;
        const we = sqnr(x, dequantize(quantize(w, { bits })));
        const minmax = uniformSqnr(x, bits);
        rows.push(`${name} ${bits}b  weighted-entropy ${we.toFixed(2)}  uniform min/max ${minmax.toFixed(2)}  uniform best clip ${bestUniform(x, bits).toFixed(2)}`);
        // 2^bits levels against the same count of min/max uniform levels: importance-weighted levels win clearly.
        expect(we, `${name} ${bits} bits`).toBeGreaterThan(minmax + 1);
      }
    }
    console.log(rows.join('\n'));
  });

  it('is deterministic: the same tensor gives the same bytes', () => {
    const w = laplace([128, 64], 8);
    const a = quantize(w, { levels: 7 });
    const b = quantize(tensor('float32', [128, 64], w.data.slice()), { levels: 7 });
    expect(a.encoding).toEqual(b.encoding);
    expect(Buffer.from((a.codes!.data as Uint8Array).buffer)).toEqual(Buffer.from((b.codes!.data as Uint8Array).buffer));
  });

  it('rejects empty, non-finite and non-float weights and biases with coded errors', () => {
    expect(() => quantize(f32([0], []), {})).toThrow(expect.objectContaining({ code: 'QF_QUANTIZE' }));
    expect(() => quantize(f32([2], [1, Number.POSITIVE_INFINITY]), {})).toThrow(expect.objectContaining({ code: 'QF_NAN_WEIGHTS' }));
    expect(() => quantize(tensor('int32', [1], Int32Array.of(1)), {})).toThrow(expect.objectContaining({ code: 'QF_DTYPE_UNSUPPORTED' }));
  });

  it('quantizes a scalar and an all-zero tensor', () => {
    expect(Array.from(dequantize(quantize(f32([], [0.75]), { levels: 4 })))).toEqual([0.75]);
    expect(Array.from(dequantize(quantize(f32([3], [0, 0, 0]), { levels: 4 })))).toEqual([0, 0, 0]);
  });
});
