import { isAbsolute, resolve } from 'node:path';
import { QuantforgeError, type DataSource as CoreDataSource, type Model } from '@quantforge/core';
import { checkedSource, inputSpecsFromGraph, parseDataSpec, readLabels, type ImageRecipe } from '@quantforge/runtime';

/** Samples as code has them (any iterable of feeds), or a data spec string (see {@link openData}). */
export type DataInput = CoreDataSource | string;

/** Labels as an array, or the path of a `.npy` / `.txt` / `.csv` labels file. */
export type LabelsInput = readonly number[] | Int32Array | string;

/** How {@link openData} reads a spec string. */
export interface OpenDataOptions {
  /** Base for relative paths (default `process.cwd()`). */
  cwd?: string;
  /** Seed of `random:N`. */
  seed?: number;
  /** Preprocessing of an image folder (default: inferred from the input shape). */
  image?: ImageRecipe;
}

/** An opened data source and whether its samples are made up. */
export interface OpenedData {
  source: CoreDataSource;
  /** True for `random:N`: statistics from it are a smoke test only. */
  synthetic: boolean;
  /** Where the samples come from, for messages. */
  description: string;
}

/**
 * Opens calibration or evaluation data for a model: a spec string goes through runtime's `parseDataSpec` (`random:N`,
 * a folder of `.npy`/`.pb` tensors or images, a stacked `.npy`/`.pb` file, a `.js`/`.mjs` module), every sample
 * checked against the model's inputs as it streams (runtime's `checkedSource`); an iterable is used as it is.
 *
 * @example
 * ```ts
 * const { source, synthetic } = await openData('data/calib', model, { cwd: process.cwd() });
 * if (synthetic) console.warn('random data: ranges mean nothing');
 * ```
 */
export async function openData(data: DataInput, model: Model, options: OpenDataOptions = {}): Promise<OpenedData> {
  if (typeof data !== 'string') {
    const flagged = (data as { isSynthetic?: unknown }).isSynthetic === true;
    const description = (data as { description?: unknown }).description;
    return { source: data, synthetic: flagged, description: typeof description === 'string' ? description : 'samples given in code' };
  }
  const inputs = inputSpecsFromGraph(model.graph);
  const ctx: Parameters<typeof parseDataSpec>[1] = { inputs };
  if (options.cwd !== undefined) ctx.cwd = options.cwd;
  if (options.seed !== undefined) ctx.seed = options.seed;
  if (options.image !== undefined) ctx.image = options.image;
  // Checked as it streams: a sample named for no model input fails as QF_DATA_MISMATCH naming it and its index.
  const source = checkedSource(await parseDataSpec(data, ctx), inputs);
  return { source, synthetic: source.isSynthetic, description: source.description };
}

/**
 * Labels as the plain integer array the pipeline takes; a string is read with runtime's `readLabels`.
 *
 * @example
 * ```ts
 * const labels = await openLabels('data/eval/labels.npy'); // number[] of 1000 classes
 * ```
 */
export async function openLabels(labels: LabelsInput, cwd?: string): Promise<number[]> {
  if (typeof labels === 'string') {
    const path = isAbsolute(labels) ? labels : resolve(cwd ?? process.cwd(), labels);
    return Array.from(await readLabels(path));
  }
  const out = Array.from(labels);
  const bad = out.findIndex((v) => !Number.isInteger(v));
  if (bad >= 0) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `label ${bad} is not an integer (${String(out[bad])})`, { details: { index: bad } });
  }
  return out;
}
