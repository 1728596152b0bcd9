import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Feed } from '../src/data/index.js';
import { describe, expect, it } from 'vitest';
import { fromNpyFile, fromNpyFolder } from '../src/data/index.js';
import { npyBytes, tempFolder, tensorProtoBytes } from './data-fixtures.js';

async function collect(source: AsyncIterable<Feed>): Promise<Feed[]> {
  const out: Feed[] = [];
  for await (const f of source) out.push(f);
  return out;
}

const seq = (n: number, start = 0) => Float32Array.from({ length: n }, (_, i) => start + i);

describe('fromNpyFolder, stacked layout', () => {
  const dir = tempFolder({
    'x.npy': npyBytes('float32', [3, 2], seq(6)),
    'mask.npy': npyBytes('int64', [3, 1], BigInt64Array.from([7n, 8n, 9n])),
    'labels.npy': npyBytes('int64', [3], BigInt64Array.from([0n, 1n, 2n])),
  });

  it('splits every input along axis 0 into [1, ...] samples and ignores other files', async () => {
    const source = await fromNpyFolder(dir, { inputs: ['x', 'mask'] });
    expect(source.count).toBe(3);
    expect(source.isSynthetic).toBe(false);
    const feeds = await collect(source);
    expect(feeds.map((f) => Object.keys(f).sort())).toEqual([['mask', 'x'], ['mask', 'x'], ['mask', 'x']]);
    expect(feeds[1]!.x!.dims).toEqual([1, 2]);
    expect([...(feeds[1]!.x!.data as Float32Array)]).toEqual([2, 3]);
    expect(feeds[2]!.mask!.data).toEqual(BigInt64Array.from([9n]));
  });

  it('gives each sample its own buffer', async () => {
    const feeds = await collect(await fromNpyFolder(dir, { inputs: ['x'] }));
    const a = feeds[0]!.x!.data as Float32Array;
    expect(a.buffer.byteLength).toBe(8);
  });

  it('is re-iterable and honours limit and batch', async () => {
    const source = await fromNpyFolder(dir, { inputs: ['x'], limit: 3, batch: 2 });
    expect(source.count).toBe(2);
    for (let pass = 0; pass < 2; pass++) {
      const feeds = await collect(source);
      expect(feeds.map((f) => f.x!.dims)).toEqual([[2, 2], [1, 2]]);
      expect([...(feeds[0]!.x!.data as Float32Array)]).toEqual([0, 1, 2, 3]);
    }
    expect(await collect(await fromNpyFolder(dir, { inputs: ['x'], limit: 1 }))).toHaveLength(1);
  });

  it('rejects stacked inputs with different sample counts', async () => {
    const bad = tempFolder({ 'a.npy': npyBytes('float32', [3, 2], seq(6)), 'b.npy': npyBytes('float32', [2, 2], seq(4)) });
    await expect(fromNpyFolder(bad, { inputs: ['a', 'b'] })).rejects.toMatchObject({ code: 'QF_DATA_MISMATCH', details: { input: 'b' } });
  });

  it('reads a single stacked file', async () => {
    const feeds = await collect(await fromNpyFile(join(dir, 'x.npy'), 'input'));
    expect(feeds).toHaveLength(3);
    expect(feeds[0]!.input!.dims).toEqual([1, 2]);
  });
});

describe('fromNpyFolder, per-sample layouts', () => {
  it('reads <index>/<input>.npy folders in natural order and adds the batch dim when the rank is one short', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const i of [0, 1, 2, 10]) files[`${i}/x.npy`] = npyBytes('float32', [2], seq(2, i * 100));
    const dir = tempFolder(files);
    const feeds = await collect(await fromNpyFolder(dir, { inputs: [{ name: 'x', shape: ['N', 2] }] }));
    expect(feeds.map((f) => (f.x!.data as Float32Array)[0])).toEqual([0, 100, 200, 1000]);
    expect(feeds[0]!.x!.dims).toEqual([1, 2]);
  });

  it('reads <input>_<index>.npy files in index order', async () => {
    const dir = tempFolder({
      'x_10.npy': npyBytes('float32', [1, 1], seq(1, 10)),
      'x_2.npy': npyBytes('float32', [1, 1], seq(1, 2)),
      'y_2.npy': npyBytes('float32', [1, 1], seq(1, -2)),
      'y_10.npy': npyBytes('float32', [1, 1], seq(1, -10)),
    });
    const source = await fromNpyFolder(dir, { inputs: ['x', 'y'] });
    expect(source.count).toBe(2);
    const feeds = await collect(source);
    expect(feeds.map((f) => [(f.x!.data as Float32Array)[0], (f.y!.data as Float32Array)[0]])).toEqual([[2, -2], [10, -10]]);
  });

  it('reads .pb TensorProto files by input name', async () => {
    const dir = tempFolder({
      '0/x.pb': tensorProtoBytes('x', [1, 3], seq(3)),
      '1/x.pb': tensorProtoBytes('x', [1, 3], seq(3, 3)),
    });
    const feeds = await collect(await fromNpyFolder(dir, { inputs: ['x'] }));
    expect(feeds.map((f) => [...(f.x!.data as Float32Array)])).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it('maps ONNX test-data input_K.pb files by the name inside, else by position', async () => {
    const dir = tempFolder({
      'test_data_set_0/input_0.pb': tensorProtoBytes('b', [1], seq(1, 5)),
      'test_data_set_0/input_1.pb': tensorProtoBytes('a', [1], seq(1, 6)),
      'test_data_set_1/input_0.pb': tensorProtoBytes('', [1], seq(1, 7)),
      'test_data_set_1/input_1.pb': tensorProtoBytes('', [1], seq(1, 8)),
      'test_data_set_1/output_0.pb': tensorProtoBytes('', [1], seq(1, 9)),
    });
    const feeds = await collect(await fromNpyFolder(dir, { inputs: ['a', 'b'] }));
    expect(feeds.map((f) => [(f.a!.data as Float32Array)[0], (f.b!.data as Float32Array)[0]])).toEqual([[6, 5], [7, 8]]);
  });

  it('names the input a sample lacks (QF_DATA_MISSING)', async () => {
    const dir = tempFolder({ '0/x.npy': npyBytes('float32', [1], seq(1)), '0/y.npy': npyBytes('float32', [1], seq(1)), '1/x.npy': npyBytes('float32', [1], seq(1)) });
    await expect(fromNpyFolder(dir, { inputs: ['x', 'y'] })).rejects.toMatchObject({ code: 'QF_DATA_MISSING', details: { input: 'y', sample: 1 } });
  });

  it('reports a folder with no data for the inputs (QF_DATA_MISSING) and a missing folder', async () => {
    const dir = tempFolder({ 'other.npy': npyBytes('float32', [1], seq(1)) });
    await expect(fromNpyFolder(dir, { inputs: ['x'] })).rejects.toMatchObject({ code: 'QF_DATA_MISSING', details: { input: 'x' } });
    await expect(fromNpyFolder(join(dir, 'nope'), { inputs: ['x'] })).rejects.toMatchObject({ code: 'QF_DATA_MISSING' });
  });

  it('turns a corrupt .npy into QF_DATA_FORMAT naming the file', async () => {
    const dir = tempFolder({ 'x.npy': 'not numpy at all' });
    await expect(fromNpyFolder(dir, { inputs: ['x'] })).rejects.toMatchObject({ code: 'QF_DATA_FORMAT', details: { path: join(dir, 'x.npy') } });
    const lazy = tempFolder({ '0/x.npy': npyBytes('float32', [1], seq(1)), '1/x.npy': Uint8Array.from([0x93, 0x4e, 0x55]) });
    const source = await fromNpyFolder(lazy, { inputs: ['x'] });
    await expect(collect(source)).rejects.toMatchObject({ code: 'QF_DATA_FORMAT' });
  });

  it('turns a corrupt .pb into QF_DATA_FORMAT', async () => {
    // raw_data (field 9) announces 127 bytes but only 2 follow.
    const dir = tempFolder({ '0/x.pb': Uint8Array.from([0x4a, 0x7f, 1, 2]) });
    const source = await fromNpyFolder(dir, { inputs: ['x'] });
    await expect(collect(source)).rejects.toMatchObject({ code: 'QF_DATA_FORMAT' });
  });
});

const demo = fileURLToPath(new URL('../../../examples/fashion-mnist/data/', import.meta.url));

describe.skipIf(!existsSync(join(demo, 'calib', 'input.npy')))('the bundled Fashion-MNIST slices', () => {
  it('yield 256 normalized calibration samples and 1000 evaluation samples', async () => {
    const calib = await fromNpyFolder(join(demo, 'calib'), { inputs: ['input'] });
    expect(calib.count).toBe(256);
    let sum = 0;
    let n = 0;
    for await (const feed of calib) {
      expect(feed.input!.dims).toEqual([1, 1, 28, 28]);
      expect(feed.input!.dtype).toBe('float32');
      for (const v of feed.input!.data as Float32Array) sum += v;
      n += 784;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.1); // normalized with the training-set mean
    expect((await fromNpyFolder(join(demo, 'eval'), { inputs: ['input'] })).count).toBe(1000);
  });
});

const onnxTest = '/usr/share/libonnx-testdata/data/node/test_add';

describe.skipIf(!existsSync(onnxTest))('ONNX backend test data (Debian libonnx-testdata)', () => {
  it('reads test_add/test_data_set_0 as one sample with inputs x and y', async () => {
    const feeds = await collect(await fromNpyFolder(onnxTest, { inputs: ['x', 'y'] }));
    expect(feeds).toHaveLength(1);
    expect(feeds[0]!.x!.dims).toEqual([3, 4, 5]);
    expect(feeds[0]!.y!.dims).toEqual([3, 4, 5]);
  });
});
