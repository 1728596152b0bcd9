import { allocate, sizeOf, stridesOf, tensor, type DType, type Tensor, type TensorData } from '@quantforge/core';
import { qfError } from './errors.js';
import { rawFromTyped, storageLength, typedFromRaw } from './packing.js';

// NumPy .npy files (format versions 1.0, 2.0 and 3.0): https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
// Reading accepts little- and big-endian data and Fortran order; writing produces what numpy.save writes.

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

const NUMERIC: Record<string, DType> = {
  b1: 'bool', i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32', i8: 'int64', u8: 'uint64',
  f2: 'float16', f4: 'float32', f8: 'float64', c8: 'complex64', c16: 'complex128',
};
const DESCR: Partial<Record<DType, string>> = Object.fromEntries(
  Object.entries(NUMERIC).map(([code, dtype]) => [dtype, `${code.endsWith('1') ? '|' : '<'}${code}`]),
);

function bad(message: string, details: Record<string, unknown> = {}): Error {
  return qfError('QF_DATA_FORMAT', `not a valid .npy file: ${message}`, details, { hint: 'Write it with numpy.save (numeric or string dtypes, no pickled objects).' });
}

interface Header {
  descr: string;
  fortran: boolean;
  shape: number[];
}

function parseHeader(text: string): Header {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) throw bad('the header is not a dictionary', { header: text });
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(t);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(t);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(t);
  if (!descr || !fortran || !shape) {
    throw bad(/['"]descr['"]\s*:\s*\[/.test(t) ? 'structured dtypes are not supported' : 'the header lacks descr, fortran_order or shape', { header: text });
  }
  const dims = shape[1]!.split(',').map((s) => s.trim().replace(/L$/, '')).filter((s) => s !== '');
  if (!dims.every((d) => /^\d+$/.test(d))) throw bad(`bad shape (${shape[1]})`, { header: text });
  return { descr: descr[1]!, fortran: fortran[1] === 'True', shape: dims.map(Number) };
}

function toCOrder<T extends TensorData>(data: T, dims: readonly number[], fresh: T): T {
  // Element at C index i (row-major) comes from the Fortran (column-major) index with reversed strides.
  const n = sizeOf(dims);
  const fStrides = stridesOf([...dims].reverse()).reverse();
  const idx = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let k = 0; k < dims.length; k++) src += idx[k]! * fStrides[k]!;
    (fresh as unknown as unknown[])[i] = (data as unknown as unknown[])[src];
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++idx[k]! < dims[k]!) break;
      idx[k] = 0;
    }
  }
  return fresh;
}

function swapped(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k]!;
  return out;
}

/** Reads a `.npy` file. Errors are QF_DATA_FORMAT (bad magic, header, dtype, or too little data). */
export function readNpy(bytes: Uint8Array): Tensor {
  if (!(bytes instanceof Uint8Array) || bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('missing the \\x93NUMPY magic');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw bad(`unsupported format version ${major}.${bytes[7]}`, { version: major });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenSize) throw bad('truncated header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenSize + headerLen;
  if (start > bytes.length) throw bad('truncated header', { headerLength: headerLen });
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenSize, start));
  const h = parseHeader(text);
  const m = /^([<>|=]?)([a-zA-Z]\d*)$/.exec(h.descr);
  if (!m) throw bad(`unsupported dtype "${h.descr}"`, { descr: h.descr });
  const [, order, code] = m as unknown as [string, string, string];
  const count = sizeOf(h.shape);
  const body = bytes.subarray(start);
  let data: TensorData;
  let dtype: DType;
  if (code[0] === 'U' || code[0] === 'S' || code[0] === 'a') {
    const width = Number(code.slice(1));
    const unit = code[0] === 'U' ? 4 : 1;
    if (body.length < count * width * unit) throw bad('the data is shorter than its shape', { descr: h.descr, shape: h.shape });
    dtype = 'string';
    const strings: string[] = new Array<string>(count);
    const dec = new TextDecoder();
    const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    for (let i = 0; i < count; i++) {
      const at = i * width * unit;
      if (unit === 1) {
        let end = at + width;
        while (end > at && body[end - 1] === 0) end--;
        strings[i] = dec.decode(body.subarray(at, end));
      } else {
        const cps: number[] = [];
        for (let k = 0; k < width; k++) {
          const cp = dv.getUint32(at + k * 4, order !== '>');
          if (cp === 0) break;
          cps.push(cp);
        }
        strings[i] = String.fromCodePoint(...cps);
      }
    }
    data = strings;
  } else {
    const d = NUMERIC[code];
    if (!d) throw bad(`unsupported dtype "${h.descr}"`, { descr: h.descr });
    dtype = d;
    const item = Number(code.slice(1));
    const need = count * item;
    if (body.length < need) throw bad('the data is shorter than its shape', { descr: h.descr, shape: h.shape, bytes: body.length, needed: need });
    let raw = body.subarray(0, need);
    const component = code[0] === 'c' ? item / 2 : item;
    if (order === '>' && component > 1) raw = swapped(raw, component);
    data = typedFromRaw(dtype, raw, count);
  }
  if (h.fortran && h.shape.length > 1) {
    if (dtype === 'complex64' || dtype === 'complex128') throw bad('Fortran-order complex arrays are not supported', { descr: h.descr });
    data = toCOrder(data, h.shape, allocate(dtype, count) as TensorData);
  }
  return tensor(dtype, h.shape, data as never);
}

function pyShape(dims: readonly number[]): string {
  if (dims.length === 0) return '()';
  if (dims.length === 1) return `(${dims[0]},)`;
  return `(${dims.join(', ')})`;
}

/** Encodes a tensor as `.npy` bytes, as numpy.save writes them (little-endian, C order, 64-byte aligned header). */
export function encodeNpy(t: Tensor): Uint8Array {
  const count = sizeOf(t.dims);
  let descr: string;
  let body: Uint8Array;
  if (t.dtype === 'string') {
    const strings = t.data as string[];
    const cps = strings.map((s) => Array.from(s, (c) => c.codePointAt(0)!));
    const width = Math.max(1, ...cps.map((c) => c.length));
    descr = `<U${width}`;
    body = new Uint8Array(count * width * 4);
    const dv = new DataView(body.buffer);
    cps.forEach((c, i) => c.forEach((cp, k) => dv.setUint32((i * width + k) * 4, cp, true)));
  } else {
    const d = DESCR[t.dtype];
    if (!d) {
      throw qfError('QF_DTYPE_UNSUPPORTED', `.npy has no dtype for ${t.dtype}`, { dtype: t.dtype }, { hint: 'Convert the tensor to a NumPy dtype (float32, int8, ...) first.' });
    }
    if ((t.data as ArrayLike<unknown>).length !== storageLength(t.dtype, count)) {
      throw qfError('QF_TENSOR_INVALID', `tensor of dims [${t.dims.join(', ')}] has ${(t.data as ArrayLike<unknown>).length} elements`, { dims: t.dims });
    }
    descr = d;
    body = rawFromTyped(t.dtype, t.data, count);
  }
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pyShape(t.dims)}, }`;
  if (t.dims.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(t.dims[0]).length));
  // As numpy's _wrap_header: the padding is never empty (a header that would end on the boundary gets 64 spaces).
  const totalFor = (lenSize: number): number => {
    const used = 8 + lenSize + header.length + 1;
    return used + (ALIGN - (used % ALIGN));
  };
  let major = 1;
  let lenSize = 2;
  let total = totalFor(lenSize);
  if (total - 8 - lenSize > 0xffff) {
    major = 2;
    lenSize = 4;
    total = totalFor(lenSize);
  }
  const headerLen = total - 8 - lenSize;
  const out = new Uint8Array(total + body.length);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, headerLen, true);
  else dv.setUint32(8, headerLen, true);
  const padded = header + ' '.repeat(headerLen - header.length - 1) + '\n';
  for (let i = 0; i < padded.length; i++) out[8 + lenSize + i] = padded.charCodeAt(i);
  out.set(body, total);
  return out;
}
