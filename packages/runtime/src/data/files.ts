import { readFile, readdir, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { QuantforgeError, cloneTensor, isQuantforgeError, type Tensor } from '@quantforge/core';
import { decodeTensorProto, readNpy } from '@quantforge/onnx';

/** A tensor read from a `.npy` or `.pb` (serialized TensorProto) file; `.pb` files may carry a name. */
export interface TensorFile {
  tensor: Tensor;
  name?: string;
}

/** The tensor file extensions the folder sources understand. */
export const TENSOR_EXTENSIONS = ['.npy', '.pb'] as const;

/** Reads a file, turning a missing file into `QF_DATA_MISSING` and other failures into `QF_IO`. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new QuantforgeError('QF_DATA_MISSING', `data file ${path} does not exist`, { details: { path }, cause: error });
    }
    throw new QuantforgeError('QF_IO', `cannot read ${path}: ${(error as Error).message}`, { details: { path }, cause: error });
  }
}

/**
 * Decodes a `.npy` or `.pb` file. Any decoding failure becomes `QF_DATA_FORMAT` naming the file, with the
 * codec's own error as the cause.
 */
export async function readTensorFile(path: string): Promise<TensorFile> {
  const bytes = await readBytes(path);
  const ext = extname(path).toLowerCase();
  try {
    if (ext === '.npy') return { tensor: owned(readNpy(bytes)) };
    if (ext === '.pb') {
      const { name, tensor } = decodeTensorProto(bytes);
      return name ? { tensor: owned(tensor), name } : { tensor: owned(tensor) };
    }
  } catch (error) {
    const inner = isQuantforgeError(error) ? { code: error.code, message: error.message } : { message: (error as Error).message };
    throw new QuantforgeError('QF_DATA_FORMAT', `${path} is not a valid ${ext} tensor file: ${inner.message}`, {
      details: { path, cause: inner },
      cause: error,
      hint: ext === '.npy' ? 'Write it with numpy.save (numeric dtypes, no pickled objects).' : 'A .pb file must hold one serialized onnx.TensorProto.',
    });
  }
  throw new QuantforgeError('QF_DATA_FORMAT', `${path}: unsupported tensor file type "${ext}"`, {
    details: { path, extension: ext },
    hint: 'Use .npy or .pb files.',
  });
}

/** A decoder may return a view into the file's bytes; feeds must own their buffers so they can move to a worker. */
function owned(t: Tensor): Tensor {
  if (Array.isArray(t.data)) return t;
  const view = t.data as ArrayBufferView;
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? t : cloneTensor(t);
}

/** Directory entries, turning a missing folder into `QF_DATA_MISSING`. */
export async function listDir(dir: string): Promise<{ name: string; isDir: boolean }[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, isDir: e.isDirectory() }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new QuantforgeError('QF_DATA_MISSING', `data folder ${dir} does not exist`, { details: { path: dir }, cause: error });
    }
    throw new QuantforgeError('QF_IO', `cannot list ${dir}: ${(error as Error).message}`, { details: { path: dir }, cause: error });
  }
}

/** 'dir', 'file' or undefined when the path does not exist. */
export async function pathKind(path: string): Promise<'dir' | 'file' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

/**
 * Orders names as people number files: digit runs compare as numbers (`2` before `10`), the rest by code unit,
 * so the order never depends on the locale.
 */
export function naturalCompare(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i]!;
    const y = rb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const diff = Number(x) - Number(y);
      if (diff !== 0) return diff;
    }
    return x < y ? -1 : 1;
  }
  if (ra.length !== rb.length) return ra.length - rb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
