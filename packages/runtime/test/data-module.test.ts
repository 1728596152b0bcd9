import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromModule, type Feed } from '../src/data/index.js';
import { tempFolder } from './data-fixtures.js';

async function collect(source: AsyncIterable<Feed>): Promise<Feed[]> {
  const out: Feed[] = [];
  for await (const f of source) out.push(f);
  return out;
}

const first = (f: Feed) => (f.x!.data as Float32Array)[0];

describe('fromModule', () => {
  const dir = tempFolder({
    'array.mjs': `export default [1, 2, 3].map((v) => ({ x: { dtype: 'float32', dims: [1, 1], data: new Float32Array([v]) } }));`,
    'gen.mjs': `export default [];
let calls = 0;
export async function* samples() {
  calls++;
  for (let i = 0; i < 2; i++) yield { x: { dtype: 'float32', dims: [1, 1], data: new Float32Array([calls * 10 + i]) } };
}`,
    'factory.js': `export default async () => [{ x: { dtype: 'int64', dims: [1], data: new BigInt64Array([5n]) } }];`,
    'none.mjs': 'export const other = 1;',
    'throws.mjs': 'throw new Error("boom at import");',
    'notiter.mjs': 'export default 42;',
    'badtensor.mjs': `export default [{ x: { dtype: 'float32', dims: [1, 2], data: new Float32Array(3) } }];`,
    'baddtype.mjs': `export default [{ x: { dtype: 'float33', dims: [1], data: new Float32Array(1) } }];`,
    'package.json': '{ "type": "module" }',
  });

  it('reads an exported array of feeds', async () => {
    const source = await fromModule(join(dir, 'array.mjs'));
    expect(source.isSynthetic).toBe(false);
    expect((await collect(source)).map(first)).toEqual([1, 2, 3]);
  });

  it('calls an exported generator function again for every pass and prefers "samples"', async () => {
    const source = await fromModule(join(dir, 'gen.mjs'));
    expect((await collect(source)).map(first)).toEqual([10, 11]);
    expect((await collect(source)).map(first)).toEqual([20, 21]);
  });

  it('awaits a function returning an iterable and applies limit/batch', async () => {
    const feeds = await collect(await fromModule(join(dir, 'factory.js')));
    expect(feeds[0]!.x!.data).toEqual(new BigInt64Array([5n]));
    const batched = await collect(await fromModule(join(dir, 'array.mjs'), { batch: 2, limit: 2 }));
    expect(batched.map((f) => f.x!.dims)).toEqual([[2, 1]]);
  });

  it('reports a missing module as QF_DATA_MISSING', async () => {
    await expect(fromModule(join(dir, 'nope.mjs'))).rejects.toMatchObject({ code: 'QF_DATA_MISSING' });
  });

  it('reports broken modules and malformed feeds as QF_DATA_FORMAT', async () => {
    await expect(fromModule(join(dir, 'none.mjs'))).rejects.toMatchObject({ code: 'QF_DATA_FORMAT', details: { exports: ['other'] } });
    await expect(fromModule(join(dir, 'throws.mjs'))).rejects.toMatchObject({ code: 'QF_DATA_FORMAT', message: expect.stringContaining('boom at import') });
    await expect(collect(await fromModule(join(dir, 'notiter.mjs')))).rejects.toMatchObject({ code: 'QF_DATA_FORMAT' });
    await expect(collect(await fromModule(join(dir, 'badtensor.mjs')))).rejects.toMatchObject({ code: 'QF_DATA_FORMAT', details: { input: 'x', sample: 0 } });
    await expect(collect(await fromModule(join(dir, 'baddtype.mjs')))).rejects.toMatchObject({ code: 'QF_DATA_FORMAT', details: { input: 'x' } });
  });
});
