import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, saveModel, writeFileAtomic } from '../src/index.js';
import { encodeModelProto, smallModel } from './generate.js';
import { tempDir } from './helpers.js';

describe('atomic writes', () => {
  it('writes bytes and strings, replacing an existing file', async () => {
    const dir = tempDir();
    const path = join(dir, 'out.txt');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, new Uint8Array([0x73, 0x65, 0x63, 0x6f, 0x6e, 0x64]));
    expect(readFileSync(path, 'utf8')).toBe('second');
    expect(readdirSync(dir)).toEqual(['out.txt']);
  });

  it('on failure leaves neither a partial file nor a temporary file, and keeps the old content', async () => {
    const dir = tempDir();
    // The target is a non-empty directory: the rename fails after the data was written.
    mkdirSync(join(dir, 'target'));
    writeFileSync(join(dir, 'target', 'keep'), 'x');
    await expect(writeFileAtomic(join(dir, 'target'), 'data')).rejects.toMatchObject({ code: 'QF_IO' });
    expect(readdirSync(dir)).toEqual(['target']);
    expect(readdirSync(join(dir, 'target'))).toEqual(['keep']);
    // The folder does not exist: nothing is created.
    await expect(writeFileAtomic(join(dir, 'no', 'such', 'file'), 'data')).rejects.toMatchObject({ code: 'QF_IO' });
    expect(readdirSync(dir)).toEqual(['target']);
  });

  it('saveModel leaves no partial model or side file when it fails', async () => {
    const dir = tempDir();
    const model = decodeModel(encodeModelProto(smallModel()));
    // Fails while encoding (a tensor whose data does not match its dims): nothing is written.
    const broken = decodeModel(encodeModelProto(smallModel()));
    broken.graph.initializers.get('W')!.tensor.data = new Float32Array(3);
    await expect(saveModel(broken, join(dir, 'broken.onnx'), { externalData: { threshold: 0 } })).rejects.toMatchObject({ code: 'QF_TENSOR_INVALID' });
    expect(readdirSync(dir)).toEqual([]);
    // Fails at the rename of the model file, after the side file was renamed into place: the new side file is removed.
    mkdirSync(join(dir, 'm.onnx'));
    writeFileSync(join(dir, 'm.onnx', 'x'), '');
    await expect(saveModel(model, join(dir, 'm.onnx'), { externalData: { location: 'side.bin', threshold: 0 } })).rejects.toMatchObject({ code: 'QF_IO' });
    expect(readdirSync(dir)).toEqual(['m.onnx']);
  });

  it('a successful save replaces the previous model in one step', async () => {
    const dir = tempDir();
    const path = join(dir, 'm.onnx');
    writeFileSync(path, 'old');
    await saveModel(decodeModel(encodeModelProto(smallModel())), path);
    expect(readFileSync(path)).toEqual(Buffer.from(encodeModelProto(smallModel())));
    expect(readdirSync(dir)).toEqual(['m.onnx']);
  });
});
