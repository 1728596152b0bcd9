import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy } from '@quantforge/onnx';
import { createOrtSession } from '@quantforge/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_DIR, formatDemoTable, runDemo, type DemoResult } from '../src/demo.js';

describe('the Fashion-MNIST demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let result: DemoResult;

  it('quantizes W8A8 with top-1 on the 1000-image eval slice within 0.5 pp of float', async () => {
    result = await runDemo({ outDir: dir });
    expect(result.samples).toBe(1000);
    expect(result.float.top1).toBeGreaterThan(0.9);
    expect(result.float.top1 - result.int8.top1).toBeLessThanOrEqual(0.005);
    expect(result.agreement).toBeGreaterThan(0.98);
    expect(result.int8.bytes).toBeLessThan(result.float.bytes / 3);
    expect(result.executor).toMatch(/^onnxruntime-node .*graphOptimizationLevel=(disabled|basic)/);
    expect(result.report.warnings).toEqual([]);
    expect(formatDemoTable(result)).toContain(result.reportPath);
  });

  it('wrote a QDQ model that onnxruntime-node runs, predicting like the report says', async () => {
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { evaluation: { accuracy: { quantized: number } } };
    expect(report.evaluation.accuracy.quantized).toBe(result.int8.top1);
    const session = await createOrtSession(join(dir, 'model.int8.onnx'), { graphOptimizationLevel: 'basic' });
    try {
      const x = readNpy(readFileSync(join(EXAMPLE_DIR, 'data', 'eval', 'input.npy')));
      const labels = readNpy(readFileSync(join(EXAMPLE_DIR, 'data', 'eval', 'labels.npy')));
      const n = 200;
      const data = (x.data as Float32Array).subarray(0, n * 784);
      const out = await session.run({ input: { dtype: 'float32', dims: [n, 1, 28, 28], data: data.slice() } });
      const logits = out.logits!.data as Float32Array;
      let hits = 0;
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < 10; c++) if (logits[i * 10 + c]! > logits[i * 10 + best]!) best = c;
        if (best === Number((labels.data as BigInt64Array)[i])) hits++;
      }
      // A batch of 200 through the same int8 graph: accuracy in line with the float model's 91.8 % on the slice.
      expect(hits / n).toBeGreaterThan(0.85);
    } finally {
      await session.release();
    }
  });
});
