import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerPool, getPlugin, type WorkerPool } from '@quantforge/core';
import { runConformance, type ConformanceResult } from '../dist/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));
const byId = (r: ConformanceResult) => Object.fromEntries(r.checks.map((c) => [c.id, c]));

describe('runConformance', () => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = createWorkerPool({ workers: 2 });
  });
  afterAll(async () => {
    await pool.destroy();
  });

  it('passes every check of the scale fixture plugin, in a worker, and leaves the registry as it was', async () => {
    const r = await runConformance(fixture('plugin-scale'), { pool });
    expect(r.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'manifest:pass', 'host-api:pass', 'main:pass', 'worker:pass', 'fixtures:pass',
      'fixture:bad-factor:pass', 'fixture:double:pass', 'fixture:npy-input:pass', 'fixture:range:pass',
    ]);
    expect(r.ok).toBe(true);
    expect(r.plugin).toBe('scheme-scale');
    expect(byId(r).worker?.message).toContain('range, scale');
    expect(getPlugin('scheme-scale')).toBeUndefined();
  });

  it('reports every manifest problem and skips the rest for a broken manifest', async () => {
    const r = await runConformance(new URL('./fixtures/plugin-broken-manifest/', import.meta.url));
    expect(r.ok).toBe(false);
    const checks = byId(r);
    expect(checks.manifest?.status).toBe('fail');
    expect(checks.manifest?.message).toContain('QF_MANIFEST_INVALID');
    for (const key of ['quantforge.kind', 'quantforge.hostApi']) expect(checks.manifest?.message).toContain(key);
    expect(r.checks.slice(1).map((c) => c.status)).toEqual(['skip', 'skip', 'skip', 'skip']);
  });

  it('fails the host API check with both versions named', async () => {
    const r = await runConformance(fixture('plugin-future-api'), { pool });
    const check = byId(r)['host-api'];
    expect(check?.status).toBe('fail');
    expect(check?.message).toContain('QF_PLUGIN_API_MISMATCH');
    expect(check?.message).toContain('^9.0.0');
    expect(check?.message).toMatch(/host API \d+\.\d+\.\d+/);
  });

  it('fails wrong cases with messages that say what differed', async () => {
    const r = await runConformance(fixture('plugin-scale'), { pool, fixturesDir: fixture('wrong-cases') });
    expect(r.ok).toBe(false);
    const checks = byId(r);
    expect(checks['fixture:wrong-output']?.status).toBe('fail');
    expect(checks['fixture:wrong-output']?.message).toContain('output y: 1 of 3 values differ; worst at index 2: got 9, expected 10');
    expect(checks['fixture:missing-export']?.message).toContain('QF_PLUGIN_LOAD');
    expect(checks['fixture:error-expected']?.message).toContain('succeeded, expected it to fail with QF_OPTIONS_INVALID');
    expect(checks.worker?.status).toBe('fail');
    expect(checks.worker?.message).toContain('"quantize", which the worker module does not export');
    expect(checks.main?.status).toBe('pass');
  });

  it('fails the fixtures check when the folder has no cases', async () => {
    const r = await runConformance(fixture('plugin-scale'), { pool, fixturesDir: fixture('plugin-scale') });
    expect(byId(r).fixtures?.status).toBe('fail');
    expect(r.ok).toBe(false);
  });
});
