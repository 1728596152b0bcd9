import { extname, isAbsolute, resolve } from 'node:path';
import { QuantforgeError } from '@quantforge/core';
import { TENSOR_EXTENSIONS, listDir, pathKind } from './files.js';
import { fromImageFolder } from './image-folder.js';
import type { ImageRecipe } from './image-recipe.js';
import { fromModule } from './module.js';
import { fromNpyFile, fromNpyFolder } from './npy-folder.js';
import { randomData, type RandomDataOptions } from './random.js';
import type { DataSource, InputSpec, SourceOptions } from './source.js';

/** What {@link parseDataSpec} needs besides the spec string. */
export interface DataSpecContext extends SourceOptions {
  /** The model's real inputs (see `inputSpecsFromGraph`). */
  inputs: readonly InputSpec[];
  /** Base for relative paths (default `process.cwd()`). */
  cwd?: string;
  /** Seed of `random:N` (default 0). */
  seed?: number;
  /** Extra options of `random:N` (sizes of symbolic dims, distribution). */
  random?: Omit<RandomDataOptions, keyof SourceOptions>;
  /** Preprocessing for an image folder; default: resize to the input's H×W, x/255, channels from its shape. */
  image?: ImageRecipe;
}

const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/**
 * Turns a CLI `--calib` value into a source:
 * - `random:N` — N synthetic samples (`isSynthetic`; warn the user);
 * - `path/to/data.js|.mjs` — {@link fromModule};
 * - `path/to/x.npy|.pb` — one stacked file for a single-input model;
 * - a folder with `.png`/`.jpg` images and no `<input>.npy|.pb` / `<input>_<i>.npy|.pb` file — {@link fromImageFolder}
 *   with `ctx.image` or a recipe inferred from the input shape;
 * - any other folder — {@link fromNpyFolder} (stacked, per-sample folders or per-sample files).
 *
 * @example
 * ```ts
 * const source = await parseDataSpec('random:64', { inputs: inputSpecsFromGraph(model.graph), seed: 1 });
 * if (source.isSynthetic) console.warn('calibrating on random data: a smoke test only');
 * ```
 */
export async function parseDataSpec(spec: string, ctx: DataSpecContext): Promise<DataSource> {
  const limits: SourceOptions = {};
  if (ctx.limit !== undefined) limits.limit = ctx.limit;
  if (ctx.batch !== undefined) limits.batch = ctx.batch;
  const random = /^random:(.*)$/.exec(spec);
  if (random) {
    const n = Number(random[1]);
    if (!/^\d+$/.test(random[1]!) || n < 1) {
      throw new QuantforgeError('QF_INVALID_ARGUMENT', `"${spec}" needs a positive sample count, e.g. random:64`, { details: { spec } });
    }
    return randomData(n, ctx.inputs, ctx.seed ?? 0, { ...ctx.random, ...limits });
  }
  const path = isAbsolute(spec) ? spec : resolve(ctx.cwd ?? process.cwd(), spec);
  const kind = await pathKind(path);
  if (kind === undefined) {
    throw new QuantforgeError('QF_DATA_MISSING', `calibration data ${spec} does not exist`, {
      details: { spec, path },
      hint: 'Pass a folder of .npy/.pb/images, a .js/.mjs module, or random:N for a smoke run.',
    });
  }
  const ext = extname(path).toLowerCase();
  if (kind === 'file') {
    if (MODULE_EXTENSIONS.has(ext)) return fromModule(path, limits);
    if ((TENSOR_EXTENSIONS as readonly string[]).includes(ext)) return fromNpyFile(path, singleInput(ctx, spec), limits);
    throw new QuantforgeError('QF_DATA_FORMAT', `calibration data ${spec} is a ${ext || 'plain'} file; expected a folder, .npy/.pb or .js/.mjs`, {
      details: { spec, path, extension: ext },
    });
  }
  // A folder is read as images when it has images and no top-level tensor file named for a model input
  // (stray .npy files next to photos, or a per-sample subfolder tree with images beside it, stay images).
  const entries = await listDir(path);
  const forInputs = entries.some((e) => !e.isDir && isInputTensorFile(e.name, ctx.inputs));
  const hasImages = entries.some((e) => !e.isDir && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()));
  if (hasImages && !forInputs) {
    const input = singleInput(ctx, spec);
    return fromImageFolder(path, ctx.image ?? inferRecipe(ctx.inputs.find((i) => i.name === input)!), { ...limits, input });
  }
  return fromNpyFolder(path, { inputs: ctx.inputs, ...limits });
}

function isInputTensorFile(file: string, inputs: readonly InputSpec[]): boolean {
  const ext = extname(file).toLowerCase();
  if (!(TENSOR_EXTENSIONS as readonly string[]).includes(ext)) return false;
  const stem = file.slice(0, file.length - ext.length);
  return inputs.some((i) => stem === i.name || (stem.startsWith(`${i.name}_`) && /^\d+$/.test(stem.slice(i.name.length + 1))));
}

function singleInput(ctx: DataSpecContext, spec: string): string {
  const only = ctx.inputs.length === 1 ? ctx.inputs[0] : undefined;
  if (!only) {
    throw new QuantforgeError('QF_DATA_MISMATCH', `${spec} holds data for one input, but the model has ${ctx.inputs.length}`, {
      details: { spec, inputs: ctx.inputs.map((i) => i.name) },
      hint: 'Use a folder with one <input>.npy per model input.',
    });
  }
  return only.name;
}

/** Resize to the input's fixed H×W and scale to [0, 1]; 1 channel means grayscale; NHWC when channels come last. */
export function inferRecipe(input: InputSpec): ImageRecipe {
  const s = input.shape;
  const fixed = (d: unknown): d is number => typeof d === 'number' && d > 0;
  if (s && s.length === 4) {
    const [, a, b, c] = s;
    if ((a === 1 || a === 3) && fixed(b) && fixed(c)) return { resize: [b, c], grayscale: a === 1, layout: 'NCHW' };
    if ((c === 1 || c === 3) && fixed(a) && fixed(b)) return { resize: [a, b], grayscale: c === 1, layout: 'NHWC' };
  }
  throw new QuantforgeError('QF_INVALID_ARGUMENT', `cannot infer an image recipe for input "${input.name}" of shape [${(s ?? []).join(', ')}]`, {
    details: { input: input.name, shape: s ?? null },
    // The model's input has symbolic height/width, so the size to resize to must come from the user.
    hint: 'Give the preprocessing: on the CLI --image-recipe \'{"resize":[H,W],"scale":0.00392156862745098,"mean":[0.5,0.5,0.5],"std":[0.5,0.5,0.5]}\' (or a JSON file), in code the `image` option.',
  });
}
