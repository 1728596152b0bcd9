import { QuantforgeError, type DType, type Tensor } from '@quantforge/core';

const DESCR: Record<string, DType> = {
  '<f4': 'float32', '<f8': 'float64', '<f2': 'float16', '|i1': 'int8', '|u1': 'uint8', '<i2': 'int16', '<u2': 'uint16',
  '<i4': 'int32', '<u4': 'uint32', '<i8': 'int64', '<u8': 'uint64', '|b1': 'bool',
};

type Ctor = new (buffer: ArrayBuffer) => Exclude<Tensor['data'], string[]>;
const STORAGE: Record<string, Ctor> = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array,
};

function bad(message: string, source: string): QuantforgeError {
  return new QuantforgeError('QF_DATA_FORMAT', `${source}: ${message}`, { details: { source }, hint: 'Write the array with numpy.save (little-endian, C order).' });
}

/**
 * Parses a NumPy `.npy` file (format 1.0–3.0, little-endian, C order) into a tensor that owns its buffer.
 * float16 arrays come back as their bit patterns (Uint16Array), as core stores them.
 *
 * @throws QuantforgeError `QF_DATA_FORMAT` for anything else
 * @example
 * ```ts
 * const x = parseNpy(readFileSync('x.npy'), 'x.npy');
 * ```
 */
export function parseNpy(bytes: Uint8Array, source = '.npy data'): Tensor {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw bad('not a .npy file (bad magic)', source);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major < 1 || major > 3) throw bad(`unsupported .npy format version ${major}`, source);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (start + headerLen > bytes.length) throw bad('truncated header', source);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) throw bad(`cannot read header ${JSON.stringify(header.trim())}`, source);
  const dtype = DESCR[descr];
  if (dtype === undefined) throw bad(`unsupported dtype ${descr} (little-endian numeric types only)`, source);
  if (fortran === 'True') throw bad('Fortran-ordered arrays are not supported', source);
  const dims = shape.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw bad(`bad shape (${shape})`, source);
  const count = dims.reduce((a, b) => a * b, 1);
  const Storage = STORAGE[dtype]!;
  const itemBytes = Number(descr.slice(2));
  const dataStart = start + headerLen;
  if (dataStart + count * itemBytes > bytes.length) throw bad(`holds ${bytes.length - dataStart} data bytes, needs ${count * itemBytes}`, source);
  // Copy (Buffer#slice would be a view): the file buffer is rarely aligned and the tensor must own its storage.
  const owned = Uint8Array.prototype.slice.call(bytes, dataStart, dataStart + count * itemBytes);
  return { dtype, dims, data: new Storage(owned.buffer) } as Tensor;
}
