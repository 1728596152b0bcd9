import { afterAll, describe, expect, it } from 'vitest';
import { createWorkerPool } from '../../dist/index.js';

const warmUrl = new URL('../fixtures/warm-worker.mjs', import.meta.url).href;
const missingUrl = new URL('../fixtures/no-such-module.mjs', import.meta.url).href;

describe('pool.warm', () => {
  const pool = createWorkerPool({ workers: 2 });
  afterAll(() => pool.destroy());

  it('has every worker import the module before the first real task', async () => {
    await pool.warm([warmUrl]);
    const after = Date.now();
    const replies = await Promise.all([0, 1].map(() => pool.run<{ importedAt: number; threadId: number }>({ workerUrl: warmUrl, export: 'importedWhen' })));
    expect(new Set(replies.map((r) => r.value.threadId)).size).toBe(2);
    for (const r of replies) expect(r.value.importedAt).toBeLessThanOrEqual(after);
  });

  it('never rejects: a module that cannot load fails later, on its first real task, with its code', async () => {
    await expect(pool.warm([missingUrl])).resolves.toBeUndefined();
    await expect(pool.run({ workerUrl: missingUrl, export: 'anything' })).rejects.toMatchObject({ code: 'QF_PLUGIN_LOAD' });
    await expect(pool.run({ workerUrl: warmUrl, export: 'importedWhen' })).resolves.toBeDefined();
  });

  it('resolves at once on a destroyed pool', async () => {
    const other = createWorkerPool({ workers: 1 });
    await other.destroy();
    await expect(other.warm([warmUrl])).resolves.toBeUndefined();
  });
});
