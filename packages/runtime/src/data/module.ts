import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DTYPES, QuantforgeError, sizeOf, type Tensor } from '@quantforge/core';
import { pathKind } from './files.js';
import { makeSource, type DataSource, type Feed, type SourceOptions } from './source.js';

type FeedIterable = AsyncIterable<Feed> | Iterable<Feed>;

/**
 * A calibration source from a JS module (`.js`/`.mjs`). The module exports, as `default` or as `samples`, one of:
 * an array or other iterable of feeds, an async iterable of feeds, or a (possibly async) function returning one of
 * those. A function is called again for every iteration, so it can be re-read; an exported generator *object* can
 * only be read once. A feed maps input names to tensors `{ dtype, dims, data }`.
 *
 * @example
 * ```ts
 * // calib.mjs: export default async function* () { yield { input: { dtype: 'float32', dims: [1, 4], data: new Float32Array(4) } }; }
 * const source = await fromModule('calib.mjs');
 * ```
 */
export async function fromModule(path: string, options: SourceOptions = {}): Promise<DataSource> {
  const abs = resolve(path);
  if ((await pathKind(abs)) !== 'file') {
    throw new QuantforgeError('QF_DATA_MISSING', `data module ${path} does not exist`, { details: { path: abs } });
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (error) {
    throw new QuantforgeError('QF_DATA_FORMAT', `data module ${path} failed to load: ${(error as Error).message}`, {
      details: { path: abs },
      cause: error,
    });
  }
  const exported = mod.samples ?? mod.default;
  if (exported === undefined) {
    throw new QuantforgeError('QF_DATA_FORMAT', `data module ${path} exports neither "default" nor "samples"`, {
      details: { path: abs, exports: Object.keys(mod) },
      hint: 'export default [feed, ...] or an (async) generator function of feeds.',
    });
  }
  async function* read(): AsyncGenerator<Feed> {
    const value: unknown = typeof exported === 'function' ? await (exported as () => unknown)() : exported;
    if (!isIterable(value)) {
      throw new QuantforgeError('QF_DATA_FORMAT', `data module ${path} must provide an iterable or async iterable of feeds`, {
        details: { path: abs, type: typeof value },
      });
    }
    let i = 0;
    for await (const feed of value) yield validateFeed(feed, abs, i++);
  }
  return makeSource(read, { description: `data module ${path}` }, options);
}

function isIterable(value: unknown): value is FeedIterable {
  if (value === null || typeof value !== 'object') return false;
  return Symbol.asyncIterator in value || Symbol.iterator in value;
}

/** Turns a user-made feed into real tensors, rejecting anything that is not `{ dtype, dims, data }`. */
function validateFeed(feed: unknown, path: string, sample: number): Feed {
  if (feed === null || typeof feed !== 'object') {
    throw new QuantforgeError('QF_DATA_FORMAT', `sample ${sample} of ${path} is not an object of tensors`, { details: { path, sample } });
  }
  const out: Feed = {};
  for (const [name, t] of Object.entries(feed as Record<string, unknown>)) {
    const bad = (why: string): never => {
      throw new QuantforgeError('QF_DATA_FORMAT', `sample ${sample} of ${path}: input "${name}" ${why}`, {
        details: { path, sample, input: name },
        hint: 'Each value must be { dtype: "float32", dims: [1, ...], data: Float32Array }.',
      });
    };
    if (t === null || typeof t !== 'object') bad('is not a tensor');
    const { dtype, dims, data } = t as { dtype?: unknown; dims?: unknown; data?: unknown };
    if (typeof dtype !== 'string' || !(dtype in DTYPES)) bad(`has unknown dtype ${String(dtype)}`);
    if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d >= 0)) bad('has no valid dims array');
    if (!ArrayBuffer.isView(data) && !Array.isArray(data)) bad('has no typed-array data');
    const length = (data as ArrayLike<unknown>).length;
    const complex = dtype === 'complex64' || dtype === 'complex128';
    if (length !== sizeOf(dims as number[]) * (complex ? 2 : 1)) bad(`has ${length} values for dims [${(dims as number[]).join(', ')}]`);
    out[name] = { dtype, dims: [...(dims as number[])], data } as Tensor;
  }
  return out;
}
