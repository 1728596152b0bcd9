import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import { QuantforgeError } from '../errors/error.js';
import { resolveWorkerCount } from './pool-size.js';
import { WARM_EXPORT, type TaskMessage, type TaskReply, type TaskResult, type WorkerTask } from './protocol.js';
import { prepareTensors } from './transfer.js';

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** Worker threads (the CLI's `--workers`); else `QUANTFORGE_WORKERS`; else a small default, see `resolveWorkerCount`. */
  workers?: number | string;
  /** Default `timeoutMs` for tasks that set none. Without either, a task may run as long as it needs. */
  timeoutMs?: number;
  /** Heap limit per worker in MiB; a worker exceeding it is stopped and its task fails with `QF_WORKER_CRASHED`. */
  memoryLimitMb?: number;
  /** Environment consulted for `QUANTFORGE_WORKERS` (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

/**
 * A pool of worker threads running plugin worker exports. Tasks beyond `size` wait their turn; results come back
 * in `TaskResult` form; every failure is a `QuantforgeError`.
 */
export interface WorkerPool {
  /** Number of worker threads. */
  readonly size: number;
  /** Runs one task; see {@link WorkerTask}. */
  run<T = unknown>(task: WorkerTask): Promise<TaskResult<T>>;
  /**
   * Has every worker import these modules now (one warm-up task per worker and module), so that module loading
   * overlaps the caller's own work instead of delaying the first real task. Never rejects: a module that fails to load
   * fails again, with its code, on the first real task.
   */
  warm(workerUrls: readonly string[]): Promise<void>;
  /** Stops every worker; pending and running tasks fail with `QF_WORKER_CLOSED`. Safe to call twice. */
  destroy(): Promise<void>;
}

const ENTRY_URL = new URL('./worker-entry.js', import.meta.url);
const MODES = new Set(['move', 'share', 'copy']);

function configError(message: string, details: Record<string, unknown>, hint?: string): QuantforgeError {
  return new QuantforgeError('QF_WORKER_CONFIG', message, hint === undefined ? { details } : { details, hint });
}

function positive(value: number | undefined, name: string, error: (m: string) => QuantforgeError): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw error(`${name} must be a positive number (got ${JSON.stringify(value)})`);
  }
}

function invalidTask(message: string, key: string): QuantforgeError {
  return new QuantforgeError('QF_INVALID_ARGUMENT', message, { details: { key }, hint: 'A task is { workerUrl: file URL, export, options?, tensors?, transfer?, timeoutMs? }.' });
}

function assertTask(task: WorkerTask): void {
  if (typeof task !== 'object' || task === null) throw invalidTask('a worker task must be an object', 'task');
  if (typeof task.workerUrl !== 'string' || !task.workerUrl.startsWith('file:')) {
    throw invalidTask(`task.workerUrl must be an absolute file: URL (got ${JSON.stringify(task.workerUrl)}); use pathToFileURL(path).href`, 'workerUrl');
  }
  if (task.pluginUrl !== undefined && (typeof task.pluginUrl !== 'string' || !task.pluginUrl.startsWith('file:'))) {
    throw invalidTask(`task.pluginUrl must be an absolute file: URL (got ${JSON.stringify(task.pluginUrl)})`, 'pluginUrl');
  }
  if (typeof task.export !== 'string' || task.export.length === 0) throw invalidTask('task.export must name an exported function', 'export');
  if (task.transfer !== undefined && !MODES.has(task.transfer)) throw invalidTask(`task.transfer must be move, share or copy (got ${JSON.stringify(task.transfer)})`, 'transfer');
  if (task.tensors !== undefined && (typeof task.tensors !== 'object' || task.tensors === null)) throw invalidTask('task.tensors must be a record of tensors', 'tensors');
  positive(task.timeoutMs, 'task.timeoutMs', (m) => invalidTask(m, 'timeoutMs'));
}

class Pool implements WorkerPool {
  readonly size: number;
  readonly #tp: Tinypool;
  readonly #defaultTimeout: number | undefined;
  readonly #watched = new WeakSet<object>();
  #waiting: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  #active = 0;
  #closed = false;

  constructor(size: number, options: WorkerPoolOptions) {
    this.size = size;
    this.#defaultTimeout = options.timeoutMs;
    this.#tp = new Tinypool({
      filename: ENTRY_URL.href,
      minThreads: size,
      maxThreads: size,
      ...(options.memoryLimitMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: options.memoryLimitMb } }),
    });
    // Tinypool emits 'error' for a worker that dies while idle. It has already replaced the worker and no task waits
    // on it; without a listener the EventEmitter would throw in the main thread.
    this.#tp.on('error', () => undefined);
    this.#watchThreads();
  }

  /**
   * Tinypool notices a worker's 'error' event but not a bare exit (process.exit in the worker): its task would never
   * settle. A thread that exits while tinypool still lists it was not stopped by tinypool, so report it as an error,
   * which makes tinypool fail the task and start a replacement.
   */
  #watchThreads(): void {
    for (const w of this.#tp.threads) {
      if (this.#watched.has(w)) continue;
      this.#watched.add(w);
      w.on('exit', (code: number) => {
        if (!this.#closed && this.#tp.threads.includes(w)) w.emit('error', new Error(`worker thread exited unexpectedly with code ${code}`));
      });
    }
  }

  async run<T = unknown>(task: WorkerTask): Promise<TaskResult<T>> {
    assertTask(task);
    if (this.#closed) throw this.#closedError(task);
    await this.#acquire();
    try {
      return await this.#dispatch<T>(task);
    } finally {
      this.#release();
    }
  }

  async warm(workerUrls: readonly string[]): Promise<void> {
    const urls = [...new Set(workerUrls)];
    // `size` tasks at once: tinypool hands each to a different idle thread.
    const perThread = async (): Promise<void> => {
      for (const workerUrl of urls) await this.run({ workerUrl, export: WARM_EXPORT }).catch(() => undefined);
    };
    await Promise.all(Array.from({ length: this.size }, perThread));
  }

  async destroy(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const w of waiting) w.reject(new QuantforgeError('QF_WORKER_CLOSED', 'the worker pool was destroyed before the task started', { details: {} }));
    await this.#tp.destroy();
  }

  #acquire(): Promise<void> {
    if (this.#active < this.size) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next.resolve();
    else this.#active--;
  }

  async #dispatch<T>(task: WorkerTask): Promise<TaskResult<T>> {
    const { tensors, transfer } = prepareTensors(task.tensors ?? {}, task.transfer ?? 'copy');
    const message: TaskMessage = { __quantforge_task__: 1, workerUrl: task.workerUrl, export: task.export, options: task.options ?? {}, tensors };
    if (task.pluginUrl !== undefined) message.pluginUrl = task.pluginUrl;
    const timeoutMs = task.timeoutMs ?? this.#defaultTimeout;
    const abort = timeoutMs === undefined ? undefined : new AbortController();
    let timedOut = false;
    const timer = abort === undefined ? undefined : setTimeout(() => { timedOut = true; abort.abort(); }, timeoutMs);
    let reply: TaskReply;
    try {
      const pending = this.#tp.run(message, abort === undefined ? { transferList: transfer } : { transferList: transfer, signal: abort.signal });
      // tinypool may have just started a worker (first use, or replacing one that died while idle): watch it too.
      this.#watchThreads();
      reply = (await pending) as TaskReply;
    } catch (error) {
      throw this.#failure(error, task, timedOut, timeoutMs);
    } finally {
      clearTimeout(timer);
      this.#watchThreads();
    }
    if (!reply.ok) throw QuantforgeError.fromData(reply.error);
    return { value: reply.value as T, tensors: reply.tensors };
  }

  #closedError(task: WorkerTask): QuantforgeError {
    return new QuantforgeError('QF_WORKER_CLOSED', `the worker pool was destroyed; task "${task.export}" did not run to completion`, { details: { export: task.export, workerUrl: task.workerUrl } });
  }

  /** Maps tinypool's failures (the worker entry itself never throws) to coded errors. */
  #failure(error: unknown, task: WorkerTask, timedOut: boolean, timeoutMs: number | undefined): QuantforgeError {
    if (this.#closed) return this.#closedError(task);
    const where = { export: task.export, workerUrl: task.workerUrl };
    if (timedOut) {
      return new QuantforgeError('QF_WORKER_TIMEOUT', `task "${task.export}" did not finish within ${timeoutMs} ms; its worker was stopped`, {
        details: { ...where, timeoutMs },
        hint: 'Raise timeoutMs if the work is legitimately long, or look for a worker export that never returns.',
      });
    }
    const e = error instanceof Error ? error : new Error(String(error));
    if (e.name === 'DataCloneError') {
      return new QuantforgeError('QF_INVALID_ARGUMENT', `task "${task.export}" cannot be sent to a worker: ${e.message}`, {
        details: { ...where, key: 'options' },
        hint: 'Task options must be plain data (no functions, class instances or pooled Buffers).',
      });
    }
    const code = (e as { code?: unknown }).code;
    return new QuantforgeError('QF_WORKER_CRASHED', `a worker crashed while running "${task.export}": ${e.message}`, {
      details: { ...where, cause: e.message, ...(typeof code === 'string' ? { errorCode: code } : {}) },
      hint: 'The pool replaced the worker. Look for process.exit, an uncaught exception in a callback, or memory exhaustion in the worker module.',
      cause: error,
    });
  }
}

/**
 * Starts a pool of worker threads that run plugin worker exports through core's generic worker entry. Both tinypool
 * thread bounds are set to the size, so the pool never over-subscribes and never shrinks.
 *
 * @throws QuantforgeError `QF_WORKER_CONFIG` for a bad size or limit, or when core's dist/worker-entry.js is missing
 * @example
 * ```ts
 * const pool = createWorkerPool({ workers: 2 });
 * try {
 *   const { tensors } = await pool.run({ workerUrl: plugin.workerUrl!, export: 'scale', options: { factor: 2 }, tensors: { x }, transfer: 'move' });
 * } finally {
 *   await pool.destroy();
 * }
 * ```
 */
export function createWorkerPool(options: WorkerPoolOptions = {}): WorkerPool {
  const size = resolveWorkerCount(options.workers, options.env);
  positive(options.timeoutMs, 'timeoutMs', (m) => configError(m, { key: 'timeoutMs' }));
  positive(options.memoryLimitMb, 'memoryLimitMb', (m) => configError(m, { key: 'memoryLimitMb' }));
  const entry = fileURLToPath(ENTRY_URL);
  if (!existsSync(entry)) {
    throw configError(`the worker entry ${entry} does not exist`, { entry }, 'Workers run built JavaScript: build @quantforge/core (npx tsup) and import it from dist, not from src.');
  }
  return new Pool(size, options);
}
