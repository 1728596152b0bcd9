import { basename, extname, join } from 'node:path';
import { QuantforgeError, type Tensor } from '@quantforge/core';
import { TENSOR_EXTENSIONS, listDir, naturalCompare, readTensorFile } from './files.js';
import { makeSource, type DataSource, type Feed, type InputSpec, type SourceOptions } from './source.js';

/** Options of {@link fromNpyFolder}. */
export interface TensorFolderOptions extends SourceOptions {
  /** The model inputs to read (names; a `shape` lets per-sample files omit the batch dim). */
  inputs: readonly (InputSpec | string)[];
}

type Sample = Map<string, string>; // input name -> file path

/**
 * A calibration source from a folder of `.npy` or `.pb` (TensorProto) files, in one of three layouts:
 *
 * - **stacked**: `<dir>/<input>.npy` holds all samples `[N, ...]`; it is split along axis 0 into N samples of
 *   shape `[1, ...]`. Every input needs its file and all must have the same N.
 * - **per-sample folders**: `<dir>/<sample>/<input>.npy|.pb`, folders in natural name order (`2` before `10`).
 *   The ONNX test layout `test_data_set_K/input_J.pb` works too: a `.pb` is matched by the name inside it,
 *   else `input_J` means the J-th model input.
 * - **per-sample files**: `<dir>/<input>_<index>.npy|.pb`, in index order.
 *
 * In the per-sample layouts a tensor whose rank is one less than the model input's gets a leading batch dim of 1.
 * Files that match no input (e.g. `labels.npy`) are ignored. Each feed is one sample unless `batch` is set.
 *
 * @example
 * ```ts
 * const calib = await fromNpyFolder('examples/fashion-mnist/data/calib', { inputs: ['input'], limit: 128 });
 * ```
 */
export async function fromNpyFolder(dir: string, options: TensorFolderOptions): Promise<DataSource> {
  const specs = options.inputs.map((i) => (typeof i === 'string' ? { name: i } : i));
  if (specs.length === 0) throw new QuantforgeError('QF_INVALID_ARGUMENT', 'fromNpyFolder needs at least one input name');
  const entries = await listDir(dir);
  const files = entries.filter((e) => !e.isDir && isTensorFile(e.name)).map((e) => e.name);

  const stacked = specs.map((s) => files.find((f) => stem(f) === s.name));
  if (stacked.every((f) => f !== undefined)) {
    return stackedSource(dir, specs, stacked.map((f) => join(dir, f!)), options);
  }

  let samples: Sample[] = [];
  let layout: string;
  const subdirs = entries.filter((e) => e.isDir).map((e) => e.name).sort(naturalCompare);
  if (subdirs.length > 0) {
    layout = 'per-sample folders';
    for (const sub of subdirs) {
      const inner = (await listDir(join(dir, sub))).filter((e) => !e.isDir && isTensorFile(e.name)).map((e) => join(dir, sub, e.name));
      samples.push(await matchSampleFiles(inner, specs));
    }
  } else {
    layout = 'per-sample files';
    samples = indexedFiles(dir, files, specs);
  }
  if (samples.length === 0) {
    const first = specs[0]!.name;
    throw new QuantforgeError('QF_DATA_MISSING', `no data for model input "${first}" in ${dir}`, {
      details: { input: first, path: dir, found: entries.map((e) => e.name).sort(naturalCompare) },
      hint: `Use ${first}.npy (all samples stacked), <index>/${first}.npy folders, or ${first}_<index>.npy files.`,
    });
  }
  samples.forEach((sample, i) => {
    for (const s of specs) {
      if (!sample.has(s.name)) {
        throw new QuantforgeError('QF_DATA_MISSING', `sample ${i} in ${dir} has no file for model input "${s.name}"`, {
          details: { input: s.name, sample: i, path: dir, files: [...sample.values()] },
          hint: `Every sample needs ${s.name}.npy or ${s.name}.pb.`,
        });
      }
    }
  });
  async function* read(): AsyncGenerator<Feed> {
    for (const sample of samples) {
      const feed: Feed = {};
      for (const s of specs) feed[s.name] = withBatchDim((await readTensorFile(sample.get(s.name)!)).tensor, s);
      yield feed;
    }
  }
  return makeSource(read, { description: `tensor folder ${dir} (${layout}, ${samples.length} samples)`, count: samples.length }, options);
}

/**
 * A calibration source from one stacked `.npy`/`.pb` file `[N, ...]` feeding a single model input; it is split
 * along axis 0 into N samples `[1, ...]`.
 *
 * @example
 * ```ts
 * const calib = await fromNpyFile('examples/fashion-mnist/data/calib/input.npy', 'input');
 * ```
 */
export async function fromNpyFile(path: string, input: string, options: SourceOptions = {}): Promise<DataSource> {
  return stackedSource(path, [{ name: input }], [path], options);
}

function isTensorFile(name: string): boolean {
  return (TENSOR_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

function stem(file: string): string {
  return basename(file, extname(file));
}

async function stackedSource(where: string, specs: InputSpec[], paths: string[], options: SourceOptions): Promise<DataSource> {
  // Read once up front: N must be known for `count`, and a bad file should fail when the source is built.
  const tensors = await Promise.all(paths.map(async (p) => (await readTensorFile(p)).tensor));
  const n = tensors[0]!.dims[0];
  tensors.forEach((t, i) => {
    const name = specs[i]!.name;
    if (t.dims.length === 0) {
      throw new QuantforgeError('QF_DATA_MISMATCH', `stacked data for input "${name}" is a scalar; it needs a leading sample axis`, {
        details: { input: name, path: paths[i] },
      });
    }
    if (t.dims[0] !== n) {
      throw new QuantforgeError('QF_DATA_MISMATCH', `stacked data for input "${name}" has ${t.dims[0]} samples, but "${specs[0]!.name}" has ${n}`, {
        details: { input: name, samples: t.dims[0], expected: n, path: paths[i] },
      });
    }
  });
  async function* read(): AsyncGenerator<Feed> {
    for (let i = 0; i < n!; i++) {
      const feed: Feed = {};
      specs.forEach((s, k) => (feed[s.name] = sliceRow(tensors[k]!, i)));
      yield feed;
    }
  }
  return makeSource(read, { description: `stacked tensors ${where} (${n} samples)`, count: n! }, options);
}

/** Row i of a stacked tensor as its own [1, ...] tensor with a fresh buffer (safe to move to a worker). */
function sliceRow(t: Tensor, i: number): Tensor {
  const dims = [1, ...t.dims.slice(1)];
  const per = t.dims[0] === 0 ? 0 : t.data.length / t.dims[0]!;
  const data = (t.data as { slice(a: number, b: number): Tensor['data'] }).slice(i * per, (i + 1) * per);
  return { dtype: t.dtype, dims, data } as Tensor;
}

function withBatchDim(t: Tensor, spec: InputSpec): Tensor {
  if (spec.shape && t.dims.length === spec.shape.length - 1) return { ...t, dims: [1, ...t.dims] } as Tensor;
  return t;
}

async function matchSampleFiles(paths: string[], specs: InputSpec[]): Promise<Sample> {
  const sample: Sample = new Map();
  const names = new Set(specs.map((s) => s.name));
  for (const p of paths) {
    const s = stem(p);
    if (names.has(s)) {
      sample.set(s, p);
      continue;
    }
    const positional = /^input_(\d+)$/.exec(s);
    if (!positional) continue;
    // ONNX test-data files carry the input name inside the TensorProto; fall back to position.
    const inner = extname(p).toLowerCase() === '.pb' ? (await readTensorFile(p)).name : undefined;
    const target = inner !== undefined && names.has(inner) ? inner : specs[Number(positional[1])]?.name;
    if (target !== undefined && !sample.has(target)) sample.set(target, p);
  }
  return sample;
}

function indexedFiles(dir: string, files: string[], specs: InputSpec[]): Sample[] {
  const byIndex = new Map<number, Sample>();
  for (const f of files) {
    const s = stem(f);
    for (const spec of specs) {
      const prefix = `${spec.name}_`;
      if (!s.startsWith(prefix) || !/^\d+$/.test(s.slice(prefix.length))) continue;
      const index = Number(s.slice(prefix.length));
      let sample = byIndex.get(index);
      if (!sample) byIndex.set(index, (sample = new Map()));
      sample.set(spec.name, join(dir, f));
    }
  }
  return [...byIndex.keys()].sort((a, b) => a - b).map((k) => byIndex.get(k)!);
}
