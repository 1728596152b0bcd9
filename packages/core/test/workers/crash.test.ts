import { describe, expect, it } from 'vitest';
import { createWorkerPool, QuantforgeError, type WorkerPool } from '../../dist/index.js';

const workerUrl = new URL('../fixtures/pool-worker.mjs', import.meta.url).href;

async function code(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(QuantforgeError);
  return (e as QuantforgeError).code;
}

async function withPool(options: Parameters<typeof createWorkerPool>[0], fn: (pool: WorkerPool) => Promise<void>): Promise<void> {
  const pool = createWorkerPool(options);
  try {
    await fn(pool);
  } finally {
    await pool.destroy();
  }
}

const alive = (pool: WorkerPool) => pool.run({ workerUrl, export: 'delayedEcho', options: { delayMs: 0, value: 'ok' } });

describe('worker crashes and hangs', () => {
  it('process.exit in the worker gives QF_WORKER_CRASHED and the pool keeps working', async () => {
    await withPool({ workers: 1 }, async (pool) => {
      await expect(code(pool.run({ workerUrl, export: 'exitNow', options: { code: 3 } }))).resolves.toBe('QF_WORKER_CRASHED');
      expect((await alive(pool)).value).toBe('ok');
      await expect(code(pool.run({ workerUrl, export: 'exitNow', options: { code: 0 } }))).resolves.toBe('QF_WORKER_CRASHED');
      expect((await alive(pool)).value).toBe('ok');
    });
  });

  it('a worker killed by its own timer after answering keeps its answer; the next task fails coded and the pool recovers', async () => {
    await withPool({ workers: 1 }, async (pool) => {
      expect((await pool.run({ workerUrl, export: 'exitAfterReturning', options: { code: 4, afterMs: 20 } })).value).toBe('answered first');
      // Idle tinypool workers park in Atomics.wait, so the timer fires once the next task wakes the worker.
      await expect(code(pool.run({ workerUrl, export: 'neverAnswers' }))).resolves.toBe('QF_WORKER_CRASHED');
      expect((await alive(pool)).value).toBe('ok');
    });
  });

  it('an uncaught exception in a timer gives QF_WORKER_CRASHED with its message', async () => {
    await withPool({ workers: 1 }, async (pool) => {
      const e = await pool.run({ workerUrl, export: 'throwInTimer' }).catch((err: unknown) => err as QuantforgeError);
      expect((e as QuantforgeError).code).toBe('QF_WORKER_CRASHED');
      expect((e as QuantforgeError).message).toContain('uncaught in a timer');
      expect((await alive(pool)).value).toBe('ok');
    });
  });

  it('running out of memory gives QF_WORKER_CRASHED', async () => {
    await withPool({ workers: 1, memoryLimitMb: 32 }, async (pool) => {
      await expect(code(pool.run({ workerUrl, export: 'exhaustMemory' }))).resolves.toBe('QF_WORKER_CRASHED');
      expect((await alive(pool)).value).toBe('ok');
    });
  });

  it('a task that never answers fails with QF_WORKER_TIMEOUT, also a busy loop, and the pool recovers', async () => {
    await withPool({ workers: 1, timeoutMs: 300 }, async (pool) => {
      await expect(code(pool.run({ workerUrl, export: 'neverAnswers' }))).resolves.toBe('QF_WORKER_TIMEOUT');
      await expect(code(pool.run({ workerUrl, export: 'spin', timeoutMs: 200 }))).resolves.toBe('QF_WORKER_TIMEOUT');
      // The budget includes starting the replacement worker, so the check that it recovered gets a generous one.
      const after = await pool.run({ workerUrl, export: 'delayedEcho', options: { delayMs: 0, value: 'ok' }, timeoutMs: 30_000 });
      expect(after.value).toBe('ok');
    });
  });

  it('a crash fails only its own task while others queue behind it', async () => {
    await withPool({ workers: 1 }, async (pool) => {
      const results = await Promise.allSettled([
        pool.run({ workerUrl, export: 'exitNow', options: { code: 1 } }),
        alive(pool),
        alive(pool),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    });
  });

  it('destroy fails running and queued tasks with QF_WORKER_CLOSED and refuses new ones', async () => {
    const pool = createWorkerPool({ workers: 1 });
    const running = code(pool.run({ workerUrl, export: 'neverAnswers' }));
    const queued = code(pool.run({ workerUrl, export: 'neverAnswers' }));
    await new Promise((r) => setTimeout(r, 50));
    await pool.destroy();
    await expect(running).resolves.toBe('QF_WORKER_CLOSED');
    await expect(queued).resolves.toBe('QF_WORKER_CLOSED');
    await expect(code(alive(pool))).resolves.toBe('QF_WORKER_CLOSED');
    await pool.destroy();
  });
});
