import { describe, expect, it } from 'vitest';
import { randomData, type Feed } from '../src/data/index.js';

async function collect(source: AsyncIterable<Feed>): Promise<Feed[]> {
  const out: Feed[] = [];
  for await (const f of source) out.push(f);
  return out;
}

const bytes = (feeds: Feed[], name: string) =>
  Buffer.concat(feeds.map((f) => { const d = f[name]!.data as Float32Array; return Buffer.from(d.buffer, d.byteOffset, d.byteLength); }));

const inputs = [
  { name: 'image', dtype: 'float32' as const, shape: ['N', 3, 'H', 4] },
  { name: 'ids', dtype: 'int64' as const, shape: [null, 5] },
];

describe('randomData', () => {
  it('gives the same bytes for the same seed and different bytes for another seed', async () => {
    const a = await collect(randomData(4, inputs, 7, { dims: { H: 2 } }));
    const b = await collect(randomData(4, inputs, 7, { dims: { H: 2 } }));
    const c = await collect(randomData(4, inputs, 8, { dims: { H: 2 } }));
    expect(bytes(a, 'image').equals(bytes(b, 'image'))).toBe(true);
    expect(bytes(a, 'ids').equals(bytes(b, 'ids'))).toBe(true);
    expect(bytes(a, 'image').equals(bytes(c, 'image'))).toBe(false);
    expect(a[0]!.image!.dims).toEqual([1, 3, 2, 4]);
    expect(a[0]!.ids!.dims).toEqual([1, 5]);
  });

  it('is flagged synthetic, counts its samples and does not change sample i with limit or batch', async () => {
    const full = randomData(5, inputs, 1, { dims: { H: 1 } });
    expect(full.isSynthetic).toBe(true);
    expect(full.count).toBe(5);
    const all = await collect(full);
    const batched = await collect(randomData(5, inputs, 1, { dims: { H: 1 }, limit: 4, batch: 2 }));
    expect(batched).toHaveLength(2);
    expect(bytes(batched, 'image').equals(bytes(all.slice(0, 4), 'image'))).toBe(true);
  });

  it('draws roughly standard-normal floats and bounded integers', async () => {
    const [feed] = await collect(randomData(1, [{ name: 'x', shape: [1, 20000] }, { name: 'k', dtype: 'int32', shape: [1, 1000] }], 3, { intRange: [2, 4] }));
    const x = feed!.x!.data as Float32Array;
    expect(feed!.x!.dtype).toBe('float32');
    let sum = 0, sq = 0;
    for (const v of x) { sum += v; sq += v * v; }
    const mean = sum / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sq / x.length - mean * mean - 1)).toBeLessThan(0.05);
    const k = [...(feed!.k!.data as Int32Array)];
    expect(new Set(k)).toEqual(new Set([2, 3, 4]));
  });

  it('fills bool inputs with 0/1 and uniform floats in [0, 1)', async () => {
    const [feed] = await collect(randomData(1, [{ name: 'b', dtype: 'bool', shape: [1, 200] }, { name: 'u', dtype: 'float64', shape: [1, 200] }], 0, { distribution: 'uniform' }));
    expect(new Set(feed!.b!.data as Uint8Array)).toEqual(new Set([0, 1]));
    expect([...(feed!.u!.data as Float64Array)].every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('needs sizes for free inner dims and a shape, and rejects odd dtypes', () => {
    expect(() => randomData(1, [{ name: 'x', shape: ['N', 'H'] }], 0)).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT', details: expect.objectContaining({ input: 'x', axis: 1 }) }));
    expect(() => randomData(1, [{ name: 'x' }], 0)).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
    expect(() => randomData(1, [{ name: 's', dtype: 'string', shape: [1] }], 0)).toThrow(expect.objectContaining({ code: 'QF_DTYPE_UNSUPPORTED' }));
    expect(() => randomData(-1, inputs, 0)).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });
});
