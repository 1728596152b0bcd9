import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataLocation } from 'onnx-buf';
import { decodeModel, encodeModel, loadModel, saveModel } from '../src/index.js';
import { DataType as T, encodeModelProto, entry, littleEndianBytes as le, smallModel, tensorProto } from './generate.js';
import { firstDiff, tempDir } from './helpers.js';

const W = new Float32Array([1, 2, 3, 4]);
const B = new Float32Array(300).map((_, i) => i / 7);

/** A model whose initializers live in `location` (W at offset 0, B after it, plus one inline tensor). */
function externalModel(location = 'weights.bin', extraEntries: { key: string; value: string }[] = []) {
  const ext = (offset: number, length: number) => ({
    dataLocation: TensorProto_DataLocation.EXTERNAL,
    externalData: [entry('location', location), entry('offset', String(offset)), entry('length', String(length)), ...extraEntries.map((e) => entry(e.key, e.value))],
  });
  return smallModel({
    weights: [
      tensorProto('W', T.FLOAT, [2, 2], ext(0, 16)),
      tensorProto('B', T.FLOAT, [300], ext(64, 1200)),
      tensorProto('C', T.FLOAT, [1], { rawData: le(new Float32Array([5])) }),
    ],
  });
}

function writeExternalModel(dir: string): string {
  const data = new Uint8Array(64 + 1200);
  data.set(le(W), 0);
  data.set(le(B), 64);
  writeFileSync(join(dir, 'weights.bin'), data);
  const path = join(dir, 'model.onnx');
  writeFileSync(path, encodeModelProto(externalModel()));
  return path;
}

describe('external data', () => {
  it('loads tensor data from the side file and saves the model and the file unchanged', async () => {
    const dir = tempDir();
    const path = writeExternalModel(dir);
    const model = await loadModel(path);
    const w = model.graph.initializers.get('W')!;
    expect(Array.from(w.tensor.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(w.externalData).toEqual({ location: 'weights.bin', offset: 0, length: 16 });
    expect(Array.from(model.graph.initializers.get('B')!.tensor.data as Float32Array)).toEqual(Array.from(B));
    expect(firstDiff(encodeModel(model), readFileSync(path))).toBe(-1);

    const out = tempDir();
    await saveModel(model, join(out, 'copy.onnx'));
    expect(firstDiff(readFileSync(join(out, 'copy.onnx')), readFileSync(path))).toBe(-1);
    expect(firstDiff(readFileSync(join(out, 'weights.bin')), readFileSync(join(dir, 'weights.bin')))).toBe(-1);
  });

  it('writes changed external tensors to the side file', async () => {
    const dir = tempDir();
    const model = await loadModel(writeExternalModel(dir));
    (model.graph.initializers.get('W')!.tensor.data as Float32Array)[0] = 100;
    const out = join(tempDir(), 'm.onnx');
    await saveModel(model, out);
    const again = await loadModel(out);
    expect(Array.from(again.graph.initializers.get('W')!.tensor.data as Float32Array)).toEqual([100, 2, 3, 4]);
  });

  it('re-lays out a side file whose tensors changed size', async () => {
    const model = await loadModel(writeExternalModel(tempDir()));
    const w = model.graph.initializers.get('W')!;
    w.tensor = { dtype: 'float32', dims: [2, 4], data: new Float32Array(8).fill(3) };
    const out = join(tempDir(), 'm.onnx');
    await saveModel(model, out);
    const again = await loadModel(out);
    expect(Array.from(again.graph.initializers.get('W')!.tensor.data as Float32Array)).toEqual(new Array(8).fill(3));
    expect(Array.from(again.graph.initializers.get('B')!.tensor.data as Float32Array)).toEqual(Array.from(B));
    expect(again.graph.initializers.get('B')!.externalData!.offset! % 64).toBe(0);
  });

  it('decoding bytes of an external-data model without a base folder is a coded error', () => {
    const bytes = encodeModelProto(externalModel());
    expect(() => decodeModel(bytes)).toThrow(expect.objectContaining({ code: 'QF_ONNX_EXTERNAL_DATA' }));
  });

  it.each(['../weights.bin', 'a/../../weights.bin', '/etc/passwd', 'C:\\weights.bin', '..\\weights.bin', ''])(
    'refuses the location %j (QF_ONNX_EXTERNAL_DATA_PATH)',
    (location) => {
      const dir = tempDir();
      writeExternalModel(dir);
      const bytes = encodeModelProto(externalModel(location));
      expect(() => decodeModel(bytes, { baseDir: join(dir) })).toThrow(expect.objectContaining({ code: 'QF_ONNX_EXTERNAL_DATA_PATH' }));
    },
  );

  it('refuses a symbolic link that leads out of the model folder', () => {
    const outside = tempDir();
    writeExternalModel(outside);
    const dir = tempDir();
    symlinkSync(join(outside, 'weights.bin'), join(dir, 'weights.bin'));
    expect(() => decodeModel(encodeModelProto(externalModel()), { baseDir: dir })).toThrow(expect.objectContaining({ code: 'QF_ONNX_EXTERNAL_DATA_PATH' }));
  });

  it('a missing or short side file is QF_ONNX_EXTERNAL_DATA', () => {
    const dir = tempDir();
    expect(() => decodeModel(encodeModelProto(externalModel()), { baseDir: dir })).toThrow(expect.objectContaining({ code: 'QF_ONNX_EXTERNAL_DATA' }));
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(100));
    expect(() => decodeModel(encodeModelProto(externalModel()), { baseDir: dir })).toThrow(expect.objectContaining({ code: 'QF_ONNX_EXTERNAL_DATA' }));
  });

  it('keeps unknown external_data entries (and their order) through load and save', async () => {
    const dir = tempDir();
    writeExternalModel(dir);
    writeFileSync(join(dir, 'model.onnx'), encodeModelProto(externalModel('weights.bin', [{ key: 'basepath', value: '.' }])));
    const model = await loadModel(join(dir, 'model.onnx'));
    expect(model.graph.initializers.get('W')!.externalData!.entries).toEqual([{ key: 'basepath', value: '.' }]);
    expect(firstDiff(encodeModel(model), readFileSync(join(dir, 'model.onnx')))).toBe(-1);
  });

  it('{ externalData: true } moves tensors of at least `threshold` bytes to <name>.data', async () => {
    const model = decodeModel(encodeModelProto(smallModel({
      weights: [tensorProto('W', T.FLOAT, [2, 2], { rawData: le(W) }), tensorProto('B', T.FLOAT, [300], { rawData: le(B) })],
      nodes: undefined,
    })), { validate: false });
    const dir = tempDir();
    const path = join(dir, 'big.onnx');
    await saveModel(model, path, { externalData: true });
    const proto = fromBinary(ModelProtoSchema, readFileSync(path));
    const byName = Object.fromEntries(proto.graph!.initializer.map((t) => [t.name, t]));
    expect(byName.B!.dataLocation).toBe(TensorProto_DataLocation.EXTERNAL);
    expect(byName.W!.dataLocation).toBe(TensorProto_DataLocation.DEFAULT); // 16 bytes < 1024
    expect(statSync(join(dir, 'big.onnx.data')).size).toBe(1200);
    const again = await loadModel(path, { validate: false });
    expect(Array.from(again.graph.initializers.get('B')!.tensor.data as Float32Array)).toEqual(Array.from(B));

    await saveModel(model, join(dir, 'all.onnx'), { externalData: { location: 'all.bin', threshold: 0 } });
    const all = await loadModel(join(dir, 'all.onnx'), { validate: false });
    expect(all.graph.initializers.get('W')!.externalData).toMatchObject({ location: 'all.bin', offset: 0, length: 16 });
    expect(all.graph.initializers.get('B')!.externalData).toMatchObject({ location: 'all.bin', offset: 64, length: 1200 });
    expect(Array.from(all.graph.initializers.get('W')!.tensor.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it('moves weights to external data automatically when they exceed the size limit, instead of failing', async () => {
    const bytes = encodeModelProto(smallModel({ weights: [tensorProto('W', T.FLOAT, [2, 2], { rawData: le(W) }), tensorProto('B', T.FLOAT, [300], { rawData: le(B) })] }));
    const model = decodeModel(bytes, { validate: false });
    const dir = tempDir();
    await saveModel(model, join(dir, 'inline.onnx')); // far below the default 2 GB limit: stays inline and identical
    expect(firstDiff(readFileSync(join(dir, 'inline.onnx')), bytes)).toBe(-1);
    expect(readdirSync(dir)).toEqual(['inline.onnx']);
    await saveModel(model, join(dir, 'auto.onnx'), { externalData: { sizeLimit: 1000 } });
    expect(existsSync(join(dir, 'auto.onnx.data'))).toBe(true);
    const again = await loadModel(join(dir, 'auto.onnx'), { validate: false });
    expect(again.graph.initializers.get('B')!.externalData?.location).toBe('auto.onnx.data');
    expect(again.graph.initializers.get('W')!.externalData).toBeUndefined();
  });

  it('refuses to write a side file outside the model folder', async () => {
    const model = decodeModel(encodeModelProto(smallModel()));
    const dir = tempDir();
    await expect(saveModel(model, join(dir, 'm.onnx'), { externalData: { location: '../escape.bin' } })).rejects.toMatchObject({ code: 'QF_ONNX_EXTERNAL_DATA_PATH' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes side files in a subfolder', async () => {
    const model = decodeModel(encodeModelProto(smallModel()));
    const dir = tempDir();
    mkdirSync(join(dir, 'out'));
    await saveModel(model, join(dir, 'out', 'm.onnx'), { externalData: { location: 'data/w.bin', threshold: 0 } });
    expect(statSync(join(dir, 'out', 'data', 'w.bin')).size).toBe(16);
    expect(Array.from((await loadModel(join(dir, 'out', 'm.onnx'))).graph.initializers.get('W')!.tensor.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });
});
