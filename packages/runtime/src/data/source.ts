import { QuantforgeError, type DType, type Dim, type Graph, type Tensor } from '@quantforge/core';

/** One model feed: a tensor per model input name. */
export type Feed = Record<string, Tensor>;

/**
 * A stream of feeds for calibration or evaluation. Every source in this module yields **one feed per sample**
 * (each tensor has a leading batch dim of 1) unless it was built with a `batch` option, in which case it yields
 * `batch` consecutive samples concatenated along axis 0 (the last feed may hold fewer).
 *
 * A source is re-iterable: every `for await` starts from the first sample again and reads its files lazily.
 * `isSynthetic` is true for random data, which callers must flag loudly (statistics from it mean nothing).
 *
 * @example
 * ```ts
 * const source = await fromNpyFolder('data/calib', { inputs: [{ name: 'input', dtype: 'float32', shape: ['N', 1, 28, 28] }] });
 * for await (const feed of source) console.log(feed.input!.dims); // [1, 1, 28, 28]
 * ```
 */
export interface DataSource extends AsyncIterable<Feed> {
  /** True when the samples are made up (`random:N`); results calibrated on it are a smoke test only. */
  readonly isSynthetic: boolean;
  /** Short human-readable origin, e.g. `npy folder data/calib (stacked, 256 samples)`. */
  readonly description: string;
  /** Number of feeds one iteration yields, when known without reading the data. */
  readonly count?: number;
}

/** What a source needs to know about one model input. `dtype`/`shape` are optional; present ones are checked. */
export interface InputSpec {
  name: string;
  dtype?: DType;
  /** Fixed sizes, or a symbolic name / null that matches any size. */
  shape?: readonly Dim[];
}

/** Options every source accepts. */
export interface SourceOptions {
  /** Yield at most this many samples (counted before batching). */
  limit?: number;
  /** Concatenate this many consecutive samples into one feed (default 1: one sample per feed). */
  batch?: number;
}

/**
 * The real (non-initializer) inputs of a graph as input specs. Older models also list initializers as inputs;
 * those are not fed by data and are skipped.
 *
 * @example
 * ```ts
 * const specs = inputSpecsFromGraph(model.graph); // [{ name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] }]
 * ```
 */
export function inputSpecsFromGraph(graph: Pick<Graph, 'inputs' | 'initializers'>): InputSpec[] {
  const specs: InputSpec[] = [];
  for (const vi of graph.inputs) {
    if (graph.initializers.has(vi.name)) continue;
    const spec: InputSpec = { name: vi.name };
    if (vi.type?.kind === 'tensor') {
      if (vi.type.elemType !== 'undefined') spec.dtype = vi.type.elemType;
      if (vi.type.shape) spec.shape = [...vi.type.shape];
    }
    specs.push(spec);
  }
  return specs;
}

/** Wraps a per-sample generator factory as a {@link DataSource}, applying `limit` and `batch`. */
export function makeSource(
  samples: () => AsyncIterable<Feed>,
  info: { description: string; isSynthetic?: boolean; count?: number },
  options: SourceOptions = {},
): DataSource {
  const limit = checkCount(options.limit, 'limit', 0);
  const batch = checkCount(options.batch, 'batch', 1) ?? 1;
  let count = info.count;
  if (count !== undefined && limit !== undefined) count = Math.min(count, limit);
  if (count !== undefined) count = Math.ceil(count / batch);
  const source: DataSource = {
    isSynthetic: info.isSynthetic ?? false,
    description: info.description,
    [Symbol.asyncIterator]: () => batchFeeds(limitFeeds(samples(), limit), batch)[Symbol.asyncIterator](),
  };
  return count === undefined ? source : { ...source, count };
}

function checkCount(value: number | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `${name} must be an integer >= ${min}, got ${value}`, { details: { [name]: value } });
  }
  return value;
}

async function* limitFeeds(feeds: AsyncIterable<Feed>, limit: number | undefined): AsyncGenerator<Feed> {
  if (limit === 0) return;
  let n = 0;
  for await (const feed of feeds) {
    yield feed;
    if (limit !== undefined && ++n >= limit) return;
  }
}

async function* batchFeeds(feeds: AsyncIterable<Feed>, batch: number): AsyncGenerator<Feed> {
  if (batch === 1) {
    yield* feeds;
    return;
  }
  let pending: Feed[] = [];
  for await (const feed of feeds) {
    pending.push(feed);
    if (pending.length === batch) {
      yield concatFeeds(pending);
      pending = [];
    }
  }
  if (pending.length > 0) yield concatFeeds(pending);
}

/**
 * Concatenates feeds along axis 0, input by input. All feeds must have the same input names, dtypes and trailing
 * dims (`QF_DATA_MISMATCH` otherwise).
 *
 * @example
 * ```ts
 * const two = concatFeeds([a, b]); // a.input [1,3] + b.input [1,3] -> two.input [2,3]
 * ```
 */
export function concatFeeds(feeds: readonly Feed[]): Feed {
  const first = feeds[0];
  if (!first) throw new QuantforgeError('QF_INVALID_ARGUMENT', 'concatFeeds needs at least one feed');
  const out: Feed = {};
  for (const name of Object.keys(first)) {
    const parts = feeds.map((f, i) => {
      const t = f[name];
      if (!t) throw new QuantforgeError('QF_DATA_MISSING', `sample ${i} of a batch has no tensor for input "${name}"`, { details: { input: name, sample: i } });
      return t;
    });
    out[name] = concatAxis0(name, parts);
  }
  return out;
}

function concatAxis0(name: string, parts: readonly Tensor[]): Tensor {
  const head = parts[0]!;
  if (head.dims.length === 0) {
    throw new QuantforgeError('QF_DATA_MISMATCH', `input "${name}" is a scalar and cannot be batched`, { details: { input: name } });
  }
  const tail = head.dims.slice(1).join(',');
  let rows = 0;
  let length = 0;
  for (const t of parts) {
    if (t.dtype !== head.dtype || t.dims.slice(1).join(',') !== tail || t.dims.length !== head.dims.length) {
      throw new QuantforgeError('QF_DATA_MISMATCH', `samples of input "${name}" differ in dtype or shape and cannot be batched`, {
        details: { input: name, first: { dtype: head.dtype, dims: head.dims }, other: { dtype: t.dtype, dims: t.dims } },
        hint: 'Use batch 1, or make every sample the same size (e.g. an image resize in the recipe).',
      });
    }
    rows += t.dims[0]!;
    length += t.data.length;
  }
  const dims = [rows, ...head.dims.slice(1)];
  if (Array.isArray(head.data)) {
    return { dtype: head.dtype, dims, data: parts.flatMap((t) => t.data as string[]) } as Tensor;
  }
  const data = new (head.data.constructor as new (n: number) => Exclude<Tensor['data'], string[]>)(length);
  let offset = 0;
  for (const t of parts) {
    (data as unknown as { set(a: ArrayLike<number | bigint>, o: number): void }).set(t.data as ArrayLike<number | bigint>, offset);
    offset += t.data.length;
  }
  return { dtype: head.dtype, dims, data } as Tensor;
}
