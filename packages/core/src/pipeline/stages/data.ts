import { QuantforgeError } from '../../errors/error.js';
import type { Model } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { DataSource, Feed } from '../services.js';

/** The model inputs a feed must provide (graph inputs that no initializer backs), with their declared types. */
export interface InputSpec {
  name: string;
  dtype?: string;
  shape?: (number | string | null)[];
}

/**
 * The inputs a feed must supply: graph inputs without an initializer default.
 *
 * @example
 * ```ts
 * requiredInputs(model); // [{ name: 'x', dtype: 'float32', shape: ['batch', 4] }]
 * ```
 */
export function requiredInputs(model: Model): InputSpec[] {
  const g = model.graph;
  return g.inputs.filter((i) => !g.initializers.has(i.name)).map((i) => {
    const spec: InputSpec = { name: i.name };
    if (i.type?.kind === 'tensor') {
      if (i.type.elemType !== 'undefined') spec.dtype = i.type.elemType;
      if (i.type.shape !== undefined) spec.shape = [...i.type.shape];
    }
    return spec;
  });
}

/**
 * Checks one feed against the model inputs: every required input present (`QF_DATA_MISSING`), no unknown names, and
 * dtype and shape as declared (`QF_DATA_MISMATCH`); symbolic and unknown dims match any size. `allowed` is every
 * graph input name (inputs backed by initializers may be fed too).
 *
 * @example
 * ```ts
 * checkFeed(feed, requiredInputs(model), new Set(model.graph.inputs.map((i) => i.name)), 'calibration', 0);
 * ```
 */
export function checkFeed(feed: Feed, inputs: readonly InputSpec[], allowed: ReadonlySet<string>, what: string, index: number): void {
  if (typeof feed !== 'object' || feed === null) {
    throw new QuantforgeError('QF_DATA_MISMATCH', `${what} sample ${index} is not a record of input tensors`, { details: { sample: index, stage: what } });
  }
  for (const spec of inputs) {
    const t = feed[spec.name];
    if (t === undefined) {
      throw new QuantforgeError('QF_DATA_MISSING', `${what} sample ${index} has no value for model input "${spec.name}"`, {
        details: { input: spec.name, sample: index, stage: what, given: Object.keys(feed) },
        hint: `Each sample must be a record keyed by the model's input names: ${inputs.map((i) => i.name).join(', ')}`,
      });
    }
    if (spec.dtype !== undefined && t.dtype !== spec.dtype) {
      throw new QuantforgeError('QF_DATA_MISMATCH', `${what} sample ${index}: input "${spec.name}" is ${t.dtype}, the model wants ${spec.dtype}`, {
        details: { input: spec.name, sample: index, stage: what, expected: spec.dtype, actual: t.dtype },
      });
    }
    const shape = spec.shape;
    const fits = shape === undefined || (shape.length === t.dims.length && shape.every((d, i) => typeof d !== 'number' || d === t.dims[i]));
    if (!fits) {
      throw new QuantforgeError('QF_DATA_MISMATCH', `${what} sample ${index}: input "${spec.name}" has dims [${t.dims.join(', ')}], the model wants [${shape!.map((d) => d ?? '?').join(', ')}]`, {
        details: { input: spec.name, sample: index, stage: what, expected: shape, actual: [...t.dims] },
      });
    }
  }
  for (const name of Object.keys(feed)) {
    if (!allowed.has(name)) {
      throw new QuantforgeError('QF_DATA_MISMATCH', `${what} sample ${index} has a value "${name}" that is not a model input`, {
        details: { input: name, sample: index, stage: what, inputs: [...allowed] },
      });
    }
  }
}

/** Known number of samples of a data source (arrays, or a numeric `count`), else undefined. */
export function knownLength(data: DataSource): number | undefined {
  if (Array.isArray(data)) return data.length;
  // Sources that know their size without reading (runtime's file sources) say so in `count`.
  const count = (data as { count?: unknown }).count;
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : undefined;
}

/** Iterates at most `limit` feeds of a sync or async source. */
export async function* take(data: DataSource, limit: number | undefined): AsyncGenerator<Feed> {
  if (limit !== undefined && limit <= 0) return;
  let n = 0;
  for await (const feed of data as AsyncIterable<Feed>) {
    yield feed;
    n++;
    if (limit !== undefined && n >= limit) return;
  }
}

/**
 * Stacks feeds along axis 0 (every feed has the same names, dtypes and dims, typed-array data): k feeds of dims
 * [1, ...rest] become one of dims [k, ...rest].
 *
 * @example
 * ```ts
 * concatFeeds([{ x: tensor('float32', [1, 2], a) }, { x: tensor('float32', [1, 2], b) }]).x.dims; // [2, 2]
 * ```
 */
export function concatFeeds(feeds: readonly Feed[]): Feed {
  const first = feeds[0]!;
  const out: Feed = {};
  for (const [name, t0] of Object.entries(first)) {
    const parts = feeds.map((f) => f[name]!.data as unknown as ArrayLike<number> & { length: number });
    const total = parts.reduce((s, p) => s + p.length, 0);
    const Ctor = (t0.data as unknown as { constructor: new (n: number) => { set(a: ArrayLike<number>, o: number): void } }).constructor;
    const data = new Ctor(total);
    let o = 0;
    for (const p of parts) {
      data.set(p, o);
      o += p.length;
    }
    out[name] = { ...t0, dims: [feeds.reduce((s, f) => s + f[name]!.dims[0]!, 0), ...t0.dims.slice(1)], data } as Tensor;
  }
  return out;
}
