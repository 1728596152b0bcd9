import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTensorProto, encodeModel, encodeNpy, encodeTensorProto, readNpy } from '@quantforge/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ifModel, RELU_DIR, reluModel, runCli, tempDir } from './helpers.js';

const X = new Float32Array([-1.5, 0, 2, -0.25, 3, -7]);
const Y = Array.from(X, (v) => Math.max(0, v));

describe('run on a built Relu model', () => {
  const tmp = tempDir();
  const model = join(tmp.dir, 'relu.onnx');
  const xPb = join(tmp.dir, 'x.pb');
  const xNpy = join(tmp.dir, 'x.npy');
  beforeAll(() => {
    writeFileSync(model, encodeModel(reluModel()));
    writeFileSync(xPb, encodeTensorProto({ name: 'x', tensor: { dtype: 'float32', dims: [2, 3], data: X } }));
    writeFileSync(xNpy, encodeNpy({ dtype: 'float32', dims: [2, 3], data: X }));
  });
  afterAll(() => tmp.cleanup());

  it('writes one .pb per output under a sanitized name', async () => {
    const out = join(tmp.dir, 'out-pb');
    const r = await runCli(['run', model, '--input', `x=${xPb}`, '--output-dir', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['y_0.pb']);
    const y = decodeTensorProto(readFileSync(join(out, 'y_0.pb')));
    expect(y.name).toBe('y:0');
    expect(y.tensor.dims).toEqual([2, 3]);
    expect(Array.from(y.tensor.data as Float32Array)).toEqual(Y);
    expect(r.out).toBe(`y:0  float32  [2, 3]  -> ${join(out, 'y_0.pb')}\n`);
  });

  it('reads .npy inputs, writes .npy outputs with --format npy and reports JSON', async () => {
    const out = join(tmp.dir, 'out-npy');
    const r = await runCli(['run', model, '--input', `x=${xNpy}`, '--output-dir', out, '--format', 'npy', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ model, outputs: [{ name: 'y:0', file: join(out, 'y_0.npy'), dtype: 'float32', dims: [2, 3] }] });
    const y = readNpy(readFileSync(join(out, 'y_0.npy')));
    expect(Array.from(y.data as Float32Array)).toEqual(Y);
  });

  it('takes the input name from a .pb file when NAME= is left out', async () => {
    const out = join(tmp.dir, 'out-noname');
    const r = await runCli(['run', model, '--input', xPb, '--output-dir', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['y_0.pb']);
  });

  it('an unknown input name is QF_RUNTIME_INPUT naming it, before any file is read', async () => {
    const r = await runCli(['run', model, '--input', 'img=/does/not/exist.pb', '--output-dir', join(tmp.dir, 'o1')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('error QF_RUNTIME_INPUT: unknown input "img"\nhint: the model inputs are: x; pass each as --input NAME=FILE\n');
    expect(existsSync(join(tmp.dir, 'o1'))).toBe(false);
  });

  it('a missing input is QF_RUNTIME_INPUT', async () => {
    const r = await runCli(['run', model, '--output-dir', join(tmp.dir, 'o2')]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe('error QF_RUNTIME_INPUT: missing input "x"');
  });

  it('a wrong input shape is reported by the executor as QF_RUNTIME_INPUT', async () => {
    const wrong = join(tmp.dir, 'wrong.npy');
    writeFileSync(wrong, encodeNpy({ dtype: 'float32', dims: [3, 2], data: X }));
    const r = await runCli(['run', model, '--input', `x=${wrong}`, '--output-dir', join(tmp.dir, 'o3')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error QF_RUNTIME_INPUT: /);
  });

  it('an input file that is neither .pb nor .npy is QF_DATA_FORMAT', async () => {
    const r = await runCli(['run', model, '--input', `x=${join(tmp.dir, 'x.txt')}`, '--output-dir', join(tmp.dir, 'o4')]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toMatch(/^error QF_DATA_FORMAT: cannot tell the format of .*x\.txt/);
  });

  it('usage errors: no --output-dir, bad --format, empty input name', async () => {
    expect((await runCli(['run', model, '--input', `x=${xPb}`])).err.split('\n')[0]).toBe('error QF_CLI_USAGE: missing flag --output-dir DIR');
    expect((await runCli(['run', model, '--output-dir', 'o', '--format', 'csv'])).code).toBe(1);
    expect((await runCli(['run', model, '--output-dir', 'o', '--input', '=x.pb'])).err).toContain('empty name');
  });
});

describe('run refuses models with unsupported ops', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('lists them as QF_OP_UNSUPPORTED before reading inputs', async () => {
    const model = join(tmp.dir, 'custom.onnx');
    writeFileSync(model, encodeModel(ifModel()));
    const r = await runCli(['run', model, '--input', 'x=/does/not/exist.npy', '--output-dir', join(tmp.dir, 'o')]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toMatch(/^error QF_OP_UNSUPPORTED: the reference executor does not support .*com\.example:Mystery \(1 node\)/);
    expect(existsSync(join(tmp.dir, 'o'))).toBe(false);
  });
});

describe.skipIf(!existsSync(RELU_DIR))('run on the ONNX node test test_relu (needs Debian libonnx-testdata)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('reproduces output_0.pb from input_0.pb', async () => {
    const data = join(RELU_DIR, 'test_data_set_0');
    const r = await runCli(['run', join(RELU_DIR, 'model.onnx'), '--input', `x=${join(data, 'input_0.pb')}`, '--output-dir', tmp.dir]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const expected = decodeTensorProto(readFileSync(join(data, 'output_0.pb')));
    const got = decodeTensorProto(readFileSync(join(tmp.dir, 'y.pb')));
    expect(got.tensor.dims).toEqual(expected.tensor.dims);
    expect(got.tensor.dtype).toBe(expected.tensor.dtype);
    expect(Array.from(got.tensor.data as Float32Array)).toEqual(Array.from(expected.tensor.data as Float32Array));
  });
});
