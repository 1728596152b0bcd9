// Worker runs import core from dist: workers load built JavaScript only (build first: npx tsup).
import { describe, expect, it } from 'vitest';
import { createWorkerPool, quantforge, serializeQuantizedTensor, type QuantizeResult } from '../../dist/index.js';
import { fakeQuantExporter, jsRunners } from './doubles.js';
import { affineFixture, feeds, mlp, tiedNet } from './models.js';

async function run(plugin: unknown, options: { workers?: number; pool?: ReturnType<typeof createWorkerPool> }, net = mlp): Promise<QuantizeResult> {
  const services = { createRunner: jsRunners().factory, exporter: fakeQuantExporter() };
  return quantforge(net() as never, services as never)
    .use(plugin as never)
    .calibrate(feeds(6) as never)
    .evaluate(feeds(3, 900) as never)
    .run({ seed: 11, ...options });
}

function bytes(r: QuantizeResult): string {
  return JSON.stringify(Object.entries(r.encodings).map(([name, q]) => [name, serializeQuantizedTensor(q)]));
}

describe('pipeline on worker threads', () => {
  it('gives byte-identical encodings with 1 and 2 workers and in-process', async () => {
    const fx = await affineFixture();
    const one = await run(fx.affine8Plugin, { workers: 1 });
    const two = await run(fx.affine8Plugin, { workers: 2 });
    const local = await run(fx.affine8LocalPlugin, {});
    expect(one.report.warnings).toEqual([]);
    expect(Object.keys(one.encodings)).toEqual(Object.keys(one.plan.tensors));
    expect(bytes(two)).toBe(bytes(one));
    expect(bytes(local)).toBe(bytes(one));
    expect(JSON.stringify(two.report.weights)).toBe(JSON.stringify(one.report.weights));
    expect(JSON.stringify(two.stats)).toBe(JSON.stringify(one.stats));
    expect(one.encodings.c2!.codes!.dtype).toBe('int32');
  });

  it('merges tie groups identically on any worker count', async () => {
    const fx = await affineFixture();
    const one = await run(fx.affine8Plugin, { workers: 1 }, tiedNet);
    const two = await run(fx.affine8Plugin, { workers: 2 }, tiedNet);
    expect(one.plan.tensors.rs!.tieGroup).toBe('r');
    expect(bytes(two)).toBe(bytes(one));
  });

  it('uses a caller pool and leaves it running', async () => {
    const fx = await affineFixture();
    const pool = createWorkerPool({ workers: 2 });
    try {
      const r = await run(fx.affine8Plugin, { pool });
      expect(r.report.evaluation!.sqnrDb).toBeGreaterThan(20);
      const again = await run(fx.affine8Plugin, { pool });
      expect(bytes(again)).toBe(bytes(r));
    } finally {
      await pool.destroy();
    }
  });
});
