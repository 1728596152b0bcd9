import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { QuantforgeError, type Tensor } from '@quantforge/core';

/** File formats for tensors on the command line. */
export type TensorFormat = 'pb' | 'npy';

/** The format a file name implies, from its extension. */
export function formatOfPath(path: string): TensorFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.pb') return 'pb';
  if (ext === '.npy') return 'npy';
  throw new QuantforgeError('QF_DATA_FORMAT', `cannot tell the format of ${path}: expected a .pb or .npy file`, {
    details: { path, extension: ext },
    hint: 'name input files *.pb (ONNX TensorProto) or *.npy (NumPy)',
  });
}

/** A tensor read from a file, with the name stored in it (`.pb` files carry one, `.npy` files do not). */
export interface TensorFile {
  tensor: Tensor;
  storedName: string | undefined;
}

/** Reads a `.pb` (ONNX TensorProto, the ONNX node-test format) or `.npy` file. */
export async function readTensorFile(path: string): Promise<TensorFile> {
  const format = formatOfPath(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new QuantforgeError('QF_IO', `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { details: { path, errno: code }, cause: error });
  }
  const { decodeTensorProto, readNpy } = await import('@quantforge/onnx');
  if (format === 'npy') return { tensor: readNpy(bytes), storedName: undefined };
  const nt = decodeTensorProto(bytes);
  return { tensor: nt.tensor, storedName: nt.name === '' ? undefined : nt.name };
}

/** Encodes a tensor for writing in the chosen format (`.pb` keeps `name`). */
export async function encodeTensorFile(name: string, tensor: Tensor, format: TensorFormat): Promise<Uint8Array> {
  const { encodeNpy, encodeTensorProto } = await import('@quantforge/onnx');
  return format === 'npy' ? encodeNpy(tensor) : encodeTensorProto({ name, tensor });
}
