import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferRecipe, parseDataSpec, type Feed, type InputSpec } from '../src/data/index.js';
import { npyBytes, pngBytes, rgba, tempFolder } from './data-fixtures.js';

async function collect(source: AsyncIterable<Feed>): Promise<Feed[]> {
  const out: Feed[] = [];
  for await (const f of source) out.push(f);
  return out;
}

const inputs: InputSpec[] = [{ name: 'input', dtype: 'float32', shape: ['batch', 1, 4, 4] }];

describe('parseDataSpec', () => {
  const dir = tempFolder({
    'npy/input.npy': npyBytes('float32', [3, 1, 4, 4], new Float32Array(48).fill(0.5)),
    'one.npy': npyBytes('float32', [2, 1, 4, 4], new Float32Array(32)),
    'images/a.png': pngBytes(8, 8, rgba(8, 8, () => [255, 255, 255])),
    'images/stray.npy': npyBytes('float32', [2], new Float32Array(2)),
    'mixed/input.npy': npyBytes('float32', [1, 1, 4, 4], new Float32Array(16).fill(3)),
    'mixed/preview.png': pngBytes(8, 8, rgba(8, 8, () => [0, 0, 0])),
    'calib.mjs': `export default [{ input: { dtype: 'float32', dims: [1, 1, 4, 4], data: new Float32Array(16) } }];`,
    'notes.txt': 'hello',
  });

  it('random:N makes a synthetic source with the given seed', async () => {
    const source = await parseDataSpec('random:3', { inputs, seed: 5 });
    expect(source.isSynthetic).toBe(true);
    expect(source.count).toBe(3);
    const [a] = await collect(source);
    const [b] = await collect(await parseDataSpec('random:1', { inputs, seed: 5 }));
    expect(a!.input!.data).toEqual(b!.input!.data);
    await expect(parseDataSpec('random:', { inputs })).rejects.toMatchObject({ code: 'QF_INVALID_ARGUMENT' });
    await expect(parseDataSpec('random:0', { inputs })).rejects.toMatchObject({ code: 'QF_INVALID_ARGUMENT' });
    await expect(parseDataSpec('random:2.5', { inputs })).rejects.toMatchObject({ code: 'QF_INVALID_ARGUMENT' });
  });

  it('a tensor folder, relative to cwd, with limit and batch', async () => {
    const source = await parseDataSpec('npy', { inputs, cwd: dir, limit: 2, batch: 2 });
    expect(source.isSynthetic).toBe(false);
    const feeds = await collect(source);
    expect(feeds.map((f) => f.input!.dims)).toEqual([[2, 1, 4, 4]]);
  });

  it('a single stacked .npy file', async () => {
    expect((await parseDataSpec(join(dir, 'one.npy'), { inputs })).count).toBe(2);
    const two: InputSpec[] = [...inputs, { name: 'other' }];
    await expect(parseDataSpec(join(dir, 'one.npy'), { inputs: two })).rejects.toMatchObject({ code: 'QF_DATA_MISMATCH' });
  });

  it('a module', async () => {
    const feeds = await collect(await parseDataSpec(join(dir, 'calib.mjs'), { inputs }));
    expect(feeds).toHaveLength(1);
  });

  it('an image folder with a recipe inferred from the input shape', async () => {
    const [feed] = await collect(await parseDataSpec(join(dir, 'images'), { inputs }));
    expect(feed!.input!.dims).toEqual([1, 1, 4, 4]);
    expect([...(feed!.input!.data as Float32Array)].every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
    const [custom] = await collect(await parseDataSpec(join(dir, 'images'), { inputs, image: { resize: [2, 2], grayscale: true, scale: 1 } }));
    expect(custom!.input!.dims).toEqual([1, 1, 2, 2]);
  });

  it('a folder with a tensor file named for the input is read as tensors even beside images', async () => {
    const [feed] = await collect(await parseDataSpec(join(dir, 'mixed'), { inputs }));
    expect((feed!.input!.data as Float32Array)[0]).toBe(3);
  });

  it('a missing path is QF_DATA_MISSING; an unknown file type is QF_DATA_FORMAT', async () => {
    await expect(parseDataSpec(join(dir, 'absent'), { inputs })).rejects.toMatchObject({ code: 'QF_DATA_MISSING' });
    await expect(parseDataSpec(join(dir, 'notes.txt'), { inputs })).rejects.toMatchObject({ code: 'QF_DATA_FORMAT' });
  });
});

describe('inferRecipe', () => {
  it('reads channels and size from NCHW or NHWC shapes', () => {
    expect(inferRecipe({ name: 'x', shape: ['N', 3, 224, 224] })).toEqual({ resize: [224, 224], grayscale: false, layout: 'NCHW' });
    expect(inferRecipe({ name: 'x', shape: [1, 96, 64, 1] })).toEqual({ resize: [96, 64], grayscale: true, layout: 'NHWC' });
    expect(() => inferRecipe({ name: 'x', shape: ['N', 3, 'H', 'W'] })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT', details: expect.objectContaining({ input: 'x' }) }));
  });
});
