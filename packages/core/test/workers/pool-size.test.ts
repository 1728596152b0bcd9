import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { QuantforgeError } from '../../src/errors/index.js';
import { createWorkerPool, resolveWorkerCount } from '../../src/workers/index.js';

function configCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantforgeError);
    return (e as QuantforgeError).code;
  }
  return 'no error';
}

describe('resolveWorkerCount', () => {
  it('prefers the explicit value, then QUANTFORGE_WORKERS, then a small default', () => {
    expect(resolveWorkerCount(3, { QUANTFORGE_WORKERS: '5' })).toBe(3);
    expect(resolveWorkerCount('4', {})).toBe(4);
    expect(resolveWorkerCount(undefined, { QUANTFORGE_WORKERS: '5' })).toBe(5);
    expect(resolveWorkerCount(undefined, { QUANTFORGE_WORKERS: '' })).toBe(Math.max(1, Math.min(2, availableParallelism() - 1)));
    expect(resolveWorkerCount(undefined, {})).toBeLessThanOrEqual(2);
  });

  it('rejects anything but a whole number from 1 to 256 with QF_WORKER_CONFIG naming the source', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 257, 'two', '2x', '']) {
      expect(configCode(() => resolveWorkerCount(bad, {}))).toBe('QF_WORKER_CONFIG');
    }
    try {
      resolveWorkerCount(undefined, { QUANTFORGE_WORKERS: 'lots' });
      expect.unreachable();
    } catch (e) {
      expect((e as QuantforgeError).code).toBe('QF_WORKER_CONFIG');
      expect((e as QuantforgeError).message).toContain('QUANTFORGE_WORKERS');
    }
  });

  it('createWorkerPool validates its options and refuses to run from sources (no built entry next to it)', () => {
    expect(configCode(() => createWorkerPool({ workers: 0 }))).toBe('QF_WORKER_CONFIG');
    expect(configCode(() => createWorkerPool({ workers: 1, timeoutMs: -5 }))).toBe('QF_WORKER_CONFIG');
    // From src/ the worker entry is a .ts file workers cannot load: a clear error instead of a hung task.
    expect(configCode(() => createWorkerPool({ workers: 1 }))).toBe('QF_WORKER_CONFIG');
  });
});
