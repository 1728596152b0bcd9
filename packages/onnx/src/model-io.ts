import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DTYPES, isQuantforgeError, type Model, type NamedTensor } from '@quantforge/core';
import { LARGE_BYTES, decodeMessage, encodeMessage } from './codec.js';
import { qfError } from './errors.js';
import { ExternalReader, PROTOBUF_LIMIT, planExternalData, type ExternalDataOption } from './external.js';
import { commitStaged, discardStaged, stageFile, type StagedFile } from './fs-atomic.js';
import { modelFromProto } from './from-proto.js';
import { tensorByteLength } from './stats.js';
import { tensorFromProto, tensorToProto, type TensorReadContext, type TensorWriteContext } from './tensor-data.js';
import { modelToProto } from './to-proto.js';
import { validateModel } from './validate.js';
import { forEachTensor } from './walk.js';

/** Options of {@link decodeModel} and {@link loadModel}. */
export interface DecodeOptions {
  /** Folder that external-data locations are relative to (loadModel: the model's folder). */
  baseDir?: string;
  /** Check that every value name resolves ({@link validateModel}); default true. */
  validate?: boolean;
}

/** Options of {@link saveModel}. */
export interface SaveOptions {
  /**
   * `true` / `{ location?, threshold? }`: write tensors of at least `threshold` bytes (default 1024) to the side file
   * `location` (default `<file name>.data`). `false` / absent: keep the layout the model was loaded with; if the
   * inline tensors would exceed `sizeLimit` bytes (default 2e9; protobuf stops at 2 GiB), large tensors go to the
   * side file automatically. `{ sizeLimit }` sets that limit.
   */
  externalData?: ExternalDataOption;
}

const DECODE_HINT = 'Check that the file is a complete .onnx model (not truncated, not another format).';

function wrapUnexpected(error: unknown, code: 'QF_ONNX_INVALID_MODEL' | 'QF_ONNX_ENCODE' | 'QF_DATA_FORMAT', what: string): Error {
  if (isQuantforgeError(error)) return error as Error;
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return qfError(code, `${what}: graphs are nested too deeply`, {}, { cause: error });
  }
  return qfError(code, `${what}: ${(error as Error)?.message ?? String(error)}`, {}, { cause: error });
}

function readContext(baseDir: string | undefined): { ctx: TensorReadContext; close(): void } {
  let reader: ExternalReader | undefined;
  const ctx: TensorReadContext = {};
  if (baseDir !== undefined) {
    ctx.readExternal = (ref, name, n) => (reader ??= new ExternalReader(baseDir)).read(ref, name, n);
  }
  return { ctx, close: () => reader?.close() };
}

/**
 * Decodes ONNX bytes into the IR. Tensor data becomes typed arrays that own their memory. A model with external
 * data needs `baseDir`. Errors: QF_ONNX_DECODE (not protobuf for ModelProto), QF_ONNX_INVALID_MODEL (no graph, bad
 * tensor), QF_ONNX_EXTERNAL_DATA(_PATH), QF_GRAPH_DANGLING_VALUE (unless `validate: false`).
 */
export function decodeModel(bytes: Uint8Array, opts: DecodeOptions = {}): Model {
  if (!(bytes instanceof Uint8Array)) throw qfError('QF_INVALID_ARGUMENT', 'decodeModel needs the model bytes as a Uint8Array');
  let proto;
  try {
    proto = decodeMessage('model', bytes);
  } catch (error) {
    throw qfError('QF_ONNX_DECODE', `not a valid ONNX model: ${(error as Error).message}`, { byteLength: bytes.length }, { cause: error, hint: DECODE_HINT });
  }
  const { ctx, close } = readContext(opts.baseDir);
  let model: Model;
  try {
    model = modelFromProto(proto, ctx);
  } catch (error) {
    throw wrapUnexpected(error, 'QF_ONNX_INVALID_MODEL', 'invalid ONNX model');
  } finally {
    close();
  }
  if (opts.validate !== false) validateModel(model);
  return model;
}

/** Byte length of a tensor's data, or 0 for a malformed tensor (which the encoder then reports properly). */
function safeByteLength(t: NamedTensor): number {
  return t?.tensor && t.tensor.dtype in DTYPES && Array.isArray(t.tensor.dims) ? tensorByteLength(t.tensor) : 0;
}

function encodeWith(model: Model, ctx: TensorWriteContext): Uint8Array {
  try {
    let largest = 0;
    if (model?.graph) forEachTensor(model, (t) => { largest = Math.max(largest, safeByteLength(t)); });
    return encodeMessage('model', modelToProto(model, ctx), largest >= LARGE_BYTES);
  } catch (error) {
    throw wrapUnexpected(error, 'QF_ONNX_ENCODE', 'cannot encode the model');
  }
}

/**
 * Encodes a model as ONNX bytes. Tensors with `externalData` are written as references (the data file is the
 * caller's business; saveModel writes it). A model loaded and encoded unchanged gives the original bytes.
 */
export function encodeModel(model: Model): Uint8Array {
  let inline = 0;
  if (model?.graph) forEachTensor(model, (t) => { if (!t.externalData) inline += safeByteLength(t); });
  if (inline > PROTOBUF_LIMIT) {
    throw qfError('QF_ONNX_TOO_LARGE', `the model's inline tensors take ${inline} bytes, more than protobuf's 2 GiB limit`, { inlineBytes: inline }, {
      hint: 'Use saveModel, which moves large tensors to external data.',
    });
  }
  return encodeWith(model, {});
}

/** Reads and decodes a model file; external data is read from the file's folder. Errors as decodeModel, plus QF_IO. */
export async function loadModel(path: string, opts: DecodeOptions = {}): Promise<Model> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const errno = (error as { code?: string }).code;
    throw qfError('QF_IO', `cannot read ${path}: ${(error as Error).message}`, { path, ...(errno ? { errno } : {}) }, { cause: error });
  }
  try {
    return decodeModel(bytes, { ...opts, baseDir: opts.baseDir ?? dirname(resolve(path)) });
  } catch (error) {
    if (isQuantforgeError(error)) (error as { details: Record<string, unknown> }).details.path ??= path;
    throw error;
  }
}

/**
 * Writes a model (and its external data files) atomically: everything is written to temporary files first and
 * renamed into place at the end, so a failure leaves no partial file. See {@link SaveOptions} for external data.
 */
export async function saveModel(model: Model, path: string, opts: SaveOptions = {}): Promise<void> {
  let plan;
  try {
    plan = planExternalData(model, path, opts.externalData);
  } catch (error) {
    throw wrapUnexpected(error, 'QF_ONNX_ENCODE', 'cannot save the model');
  }
  const bytes = encodeWith(model, { externalFor: (t: NamedTensor) => plan.refs.get(t) });
  const dir = dirname(resolve(path));
  const staged: StagedFile[] = [];
  try {
    for (const [location, file] of plan.files) {
      const target = join(dir, location);
      if (dirname(target) !== dir) await mkdir(dirname(target), { recursive: true });
      staged.push(await stageFile(target, file.pieces, file.size));
    }
    staged.push(await stageFile(path, [{ offset: 0, bytes }], bytes.length));
  } catch (error) {
    await discardStaged(staged);
    throw error;
  }
  await commitStaged(staged);
}

/**
 * Decodes one serialized TensorProto (the `.pb` files of ONNX node tests). Bad bytes or data give QF_DATA_FORMAT;
 * external data needs `baseDir`.
 */
export function decodeTensorProto(bytes: Uint8Array, opts: { baseDir?: string } = {}): NamedTensor {
  if (!(bytes instanceof Uint8Array)) throw qfError('QF_INVALID_ARGUMENT', 'decodeTensorProto needs a Uint8Array');
  let proto;
  try {
    proto = decodeMessage('tensor', bytes);
  } catch (error) {
    throw qfError('QF_DATA_FORMAT', `not a serialized TensorProto: ${(error as Error).message}`, { byteLength: bytes.length }, { cause: error });
  }
  const { ctx, close } = readContext(opts.baseDir);
  try {
    return tensorFromProto(proto, ctx);
  } catch (error) {
    if (isQuantforgeError(error) && (error as { code: string }).code.startsWith('QF_ONNX_EXTERNAL_DATA')) throw error;
    const inner = isQuantforgeError(error) ? (error as { code: string }).code : undefined;
    throw qfError('QF_DATA_FORMAT', `not a valid TensorProto: ${(error as Error).message}`, inner ? { reason: inner } : {}, { cause: error });
  } finally {
    close();
  }
}

/** Encodes a NamedTensor as a serialized TensorProto; a decoded, unchanged tensor gives the original bytes. */
export function encodeTensorProto(t: NamedTensor): Uint8Array {
  try {
    return encodeMessage('tensor', tensorToProto(t), safeByteLength(t) >= LARGE_BYTES);
  } catch (error) {
    throw wrapUnexpected(error, 'QF_ONNX_ENCODE', 'cannot encode the tensor');
  }
}
