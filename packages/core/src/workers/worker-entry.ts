/**
 * The one generic worker module of core, run by tinypool in every worker thread (built as dist/worker-entry.js).
 * It imports the task's module by URL (cached per thread), registers the task's plugin in this thread's registry,
 * calls the named export with (options, tensors) and answers with data: errors never cross as Error objects, because
 * structured clone drops their class and custom fields.
 */
import Tinypool from 'tinypool';
import { isQuantforgeError, type ErrorData, type QuantforgeError } from '../errors/error.js';
import type { Tensor } from '../ir/tensor.js';
import { registerPlugin } from '../plugins/registry.js';
import type { QuantforgePlugin } from '../plugins/types.js';
import { isTensorResult, WARM_EXPORT, type TaskMessage, type TaskReply } from './protocol.js';
import { movableTensors } from './transfer.js';

const modules = new Map<string, Promise<Record<string, unknown>>>();
const plugins = new Map<string, Promise<void>>();

class TaskFailure extends Error {
  constructor(readonly data: ErrorData) {
    super(data.message);
  }
}

function importOnce(url: string, role: string): Promise<Record<string, unknown>> {
  let p = modules.get(url);
  if (p === undefined) {
    p = (import(url) as Promise<Record<string, unknown>>).catch((cause: unknown) => {
      modules.delete(url);
      throw new TaskFailure({
        code: 'QF_PLUGIN_LOAD',
        message: `worker could not import the ${role} module ${url}: ${cause instanceof Error ? cause.message : String(cause)}`,
        details: { url, role },
        hint: 'Workers load built JavaScript only: build the plugin and pass the absolute file URL of its dist module.',
      });
    });
    modules.set(url, p);
  }
  return p;
}

/** Same normalisation as the main-thread loader: default export, CJS double default, or a factory. */
async function registerFrom(url: string): Promise<void> {
  let p = plugins.get(url);
  if (p === undefined) {
    p = (async () => {
      const mod = await importOnce(url, 'plugin main');
      let value = mod.default;
      if (typeof value === 'object' && value !== null && !('name' in value) && 'default' in value) value = (value as { default: unknown }).default;
      if (typeof value === 'function') value = await (value as () => unknown)();
      registerPlugin(value as QuantforgePlugin);
    })();
    p.catch(() => plugins.delete(url));
    plugins.set(url, p);
  }
  return p;
}

function errorToData(error: unknown, task: TaskMessage): ErrorData {
  if (error instanceof TaskFailure) return error.data;
  if (isQuantforgeError(error)) {
    const e = error as QuantforgeError;
    const data: ErrorData = { code: e.code, message: e.message, details: e.details ?? {} };
    if (e.hint !== undefined) data.hint = e.hint;
    return data;
  }
  const e = error instanceof Error ? error : undefined;
  const message = e?.message ?? String(error);
  return {
    code: 'QF_WORKER_TASK',
    message: `worker export "${task.export}" failed: ${message}`,
    details: { export: task.export, workerUrl: task.workerUrl, name: e?.name ?? typeof error, cause: message, ...(e?.stack ? { stack: e.stack } : {}) },
  };
}

async function execute(task: TaskMessage): Promise<{ value: unknown; tensors: Record<string, Tensor> }> {
  if (task.pluginUrl !== undefined) await registerFrom(task.pluginUrl);
  const mod = await importOnce(task.workerUrl, 'worker');
  if (task.export === WARM_EXPORT) return { value: null, tensors: {} };
  const fn = mod[task.export];
  if (typeof fn !== 'function') {
    const available = Object.keys(mod).filter((k) => typeof mod[k] === 'function').sort();
    throw new TaskFailure({
      code: 'QF_PLUGIN_LOAD',
      message: `worker module ${task.workerUrl} has no exported function "${task.export}" (exports: ${available.join(', ') || 'none'})`,
      details: { workerUrl: task.workerUrl, export: task.export, available },
    });
  }
  const result: unknown = await (fn as (o: unknown, t: Record<string, Tensor>) => unknown)(task.options, task.tensors);
  const out = isTensorResult(result) ? { value: result.value, tensors: result.tensors } : { value: result, tensors: {} };
  try {
    // An uncloneable answer would make tinypool's postMessage throw inside the worker and kill the thread.
    structuredClone(out.value);
  } catch (cause) {
    throw new TaskFailure({
      code: 'QF_WORKER_TASK',
      message: `worker export "${task.export}" returned a value that cannot be sent to the main thread: ${(cause as Error).message}`,
      details: { export: task.export, workerUrl: task.workerUrl },
      hint: 'Return plain data; put typed arrays in tensors with withTensors().',
    });
  }
  return out;
}

function moveReply(reply: TaskReply, buffers: ArrayBuffer[]): unknown {
  if (buffers.length === 0) return reply;
  // Must be this thread's tinypool module: tinypool marks movables with a module-private symbol.
  return Tinypool.move({ [Tinypool.transferableSymbol]: buffers, [Tinypool.valueSymbol]: reply } as never);
}

/**
 * Tinypool handler. Never throws: every failure is answered as `{ ok: false, error }`.
 */
export default async function runTask(message: TaskMessage): Promise<unknown> {
  if (typeof message !== 'object' || message === null || message.__quantforge_task__ !== 1) {
    return { ok: false, error: { code: 'QF_INTERNAL', message: 'the Quantforge worker entry received a message that is not a Quantforge task', details: {} } } satisfies TaskReply;
  }
  try {
    const { value, tensors } = await execute(message);
    const movable = movableTensors(tensors);
    return moveReply({ ok: true, value, tensors: movable.tensors }, movable.transfer);
  } catch (error) {
    return { ok: false, error: errorToData(error, message) } satisfies TaskReply;
  }
}
