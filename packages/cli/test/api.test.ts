import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '@quantforge/onnx';
import { uniform } from '@quantforge/scheme-uniform';
import { afterAll, describe, expect, it } from 'vitest';
import { quantforge, writeResult } from '../src/index.js';
import { REPO, tempDir } from './helpers.js';

const FMNIST = join(REPO, 'examples/fashion-mnist');
const MODEL = join(FMNIST, 'model/model.onnx');

describe('quantforge() — the programmatic entry with default services', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('takes a path and data specs, and reports load time, file size and executors', async () => {
    const result = await quantforge('model/model.onnx', { cwd: FMNIST })
      .use(uniform())
      .calibrate('data/calib', { samples: 32 })
      .evaluate('data/eval', { labels: 'data/eval/labels.npy', samples: 200 })
      .run({ seed: 3 });
    const r = result.report;
    expect(r.model.bytesBefore).toBe(readFileSync(MODEL).byteLength);
    expect(r.model.bytesAfter).toBeGreaterThan(0);
    expect(r.timingsMs.load).toBeGreaterThan(0);
    expect(r.calibration!.samples).toBe(32);
    expect(r.evaluation!.accuracy!.rows).toBe(200);
    expect(r.exporter).toBe('qdq');
    expect(r.executors.calibrate).toMatch(/^onnxruntime-node/);
    expect(result.model.graph.nodes.some((n) => n.opType === 'QuantizeLinear')).toBe(true);
  });

  it('takes a model value and code-side samples; the same seed gives the same encodings', async () => {
    const model = await loadModel(MODEL);
    const feeds = Array.from({ length: 8 }, (_, i) => ({ input: { dtype: 'float32' as const, dims: [1, 1, 28, 28], data: new Float32Array(784).map((_, j) => Math.sin(i * 784 + j)) } }));
    const run = () => quantforge(model).use(uniform()).calibrate(feeds).run({ seed: 1 });
    const [a, b] = [await run(), await run()];
    expect(JSON.stringify(a.toJSON().encodings)).toBe(JSON.stringify(b.toJSON().encodings));
    expect(a.report.model.bytesBefore).toBeGreaterThan(a.report.model.bytesAfter!);
  });

  it('freezes after run', async () => {
    const p = quantforge(MODEL).use(uniform()).recipe({ scheme: 'uniform', mode: 'weight-only' });
    await p.run();
    expect(p.frozen).toBe(true);
    expect(() => p.use(uniform())).toThrow(expect.objectContaining({ code: 'QF_PIPELINE_FROZEN' }));
  });

  it('validates the recipe where it is set', () => {
    expect(() => quantforge(MODEL).recipe({ scheme: 'uniform', mode: 'sometimes' })).toThrow(expect.objectContaining({ code: 'QF_RECIPE_INVALID' }));
  });

  it('writeResult writes model and report atomically; a report that cannot be written leaves neither', async () => {
    const result = await quantforge(MODEL).use(uniform()).recipe({ scheme: 'uniform', mode: 'weight-only' }).run();
    const ok = join(tmp.dir, 'ok.onnx');
    await writeResult(result, { model: ok, report: join(tmp.dir, 'ok.json') });
    expect((await loadModel(ok)).graph.nodes.length).toBe(result.model.graph.nodes.length);
    expect(JSON.parse(readFileSync(join(tmp.dir, 'ok.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(result.report)));
    const bad = join(tmp.dir, 'bad.onnx');
    await expect(writeResult(result, { model: bad, report: join(tmp.dir, 'missing-folder', 'r.json') })).rejects.toMatchObject({ code: 'QF_IO' });
    expect(existsSync(bad)).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('.quantforge-tmp-'))).toEqual([]);
  });
});
