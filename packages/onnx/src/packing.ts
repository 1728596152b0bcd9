import { DTYPES, dtypeBits, type DType, type TensorData } from '@quantforge/core';

// Byte-level conversions between ONNX's little-endian, sub-byte-packed storage and the IR's typed arrays.

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bits per element of a sub-byte dtype (int4, uint4, float4e2m1: 4; int2, uint2: 2), or 0 for byte-sized ones. */
export function subByteBits(dtype: DType): number {
  const bits = dtypeBits(dtype);
  return bits > 0 && bits < 8 ? bits : 0;
}

/** Bytes that `count` elements take in raw_data / external data. */
export function rawByteLength(dtype: DType, count: number): number {
  const sub = subByteBits(dtype);
  return sub ? Math.ceil((count * sub) / 8) : count * DTYPES[dtype].bytes;
}

/** Number of storage elements for `count` tensor elements (complex types hold two numbers per element). */
export function storageLength(dtype: DType, count: number): number {
  return dtype === 'complex64' || dtype === 'complex128' ? count * 2 : count;
}

/** Size in bytes of one storage element (a complex64 element is two 4-byte floats). */
function componentBytes(dtype: DType): number {
  if (dtype === 'complex64') return 4;
  if (dtype === 'complex128') return 8;
  return DTYPES[dtype].bytes;
}

function swapInPlace(bytes: Uint8Array, size: number): void {
  if (size <= 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/** A typed array over a whole, owned, aligned buffer. */
function viewOf(dtype: DType, buffer: ArrayBuffer): TensorData {
  switch (DTYPES[dtype].storage) {
    case 'Float32Array': return new Float32Array(buffer);
    case 'Float64Array': return new Float64Array(buffer);
    case 'Uint8Array': return new Uint8Array(buffer);
    case 'Int8Array': return new Int8Array(buffer);
    case 'Uint16Array': return new Uint16Array(buffer);
    case 'Int16Array': return new Int16Array(buffer);
    case 'Int32Array': return new Int32Array(buffer);
    case 'Uint32Array': return new Uint32Array(buffer);
    case 'BigInt64Array': return new BigInt64Array(buffer);
    case 'BigUint64Array': return new BigUint64Array(buffer);
    case 'Array': throw new Error('internal: string tensors have no raw form');
  }
}

/**
 * Raw little-endian bytes (a decoder view, possibly unaligned) to a typed array that owns a copy: one copy, no
 * per-element work, except for sub-byte types (unpacked one element per byte) and big-endian hosts.
 */
export function typedFromRaw(dtype: DType, bytes: Uint8Array, count: number): TensorData {
  const sub = subByteBits(dtype);
  if (sub) return unpackSubByte(dtype, bytes, count);
  const copy = new Uint8Array(bytes); // copies; a Buffer's slice() would be a view
  if (!LITTLE_ENDIAN) swapInPlace(copy, componentBytes(dtype));
  return viewOf(dtype, copy.buffer);
}

/** A typed array as raw little-endian bytes: a view when possible (no copy), packed for sub-byte types. */
export function rawFromTyped(dtype: DType, data: TensorData, count: number): Uint8Array {
  if (subByteBits(dtype)) return packSubByte(dtype, data as Uint8Array | Int8Array, count);
  const d = data as Exclude<TensorData, string[]>;
  const view = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  if (LITTLE_ENDIAN) return view;
  const copy = new Uint8Array(view);
  swapInPlace(copy, componentBytes(dtype));
  return copy;
}

/** Unpacks 4- or 2-bit elements (first element in the least significant bits), sign-extending signed types. */
export function unpackSubByte(dtype: DType, bytes: ArrayLike<number>, count: number): Uint8Array | Int8Array {
  const bits = subByteBits(dtype);
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const signed = dtype === 'int4' || dtype === 'int2';
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  const signBit = 1 << (bits - 1);
  for (let i = 0; i < count; i++) {
    let v = (bytes[(i / perByte) | 0]! >> ((i % perByte) * bits)) & mask;
    if (signed && v & signBit) v -= 1 << bits;
    out[i] = v;
  }
  return out;
}

/** Packs 4- or 2-bit elements; the unused bits of the last byte are zero. */
export function packSubByte(dtype: DType, data: ArrayLike<number>, count: number): Uint8Array {
  const bits = subByteBits(dtype);
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(count / perByte));
  for (let i = 0; i < count; i++) {
    out[(i / perByte) | 0]! |= (data[i]! & mask) << ((i % perByte) * bits);
  }
  return out;
}

/** True when the unused high bits of a packed buffer's last byte are zero (so repacking gives the same bytes). */
export function paddingIsZero(dtype: DType, bytes: ArrayLike<number>, count: number): boolean {
  const bits = subByteBits(dtype);
  const used = (count * bits) % 8;
  if (used === 0 || bytes.length === 0) return true;
  return (bytes[bytes.length - 1]! >> used) === 0;
}
