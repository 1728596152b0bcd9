/**
 * Every ONNX tensor element type, by its ONNX name in lower case, with its ONNX enum value and how the IR stores it.
 * Sub-byte types (int4/uint4, float4e2m1, int2/uint2) are held unpacked, one element per byte; the ONNX codec packs them.
 * 16- and 8-bit floats are held as their bit patterns (Uint16Array / Uint8Array); see `float16ToFloat32` and friends.
 */
export const DTYPES = {
  float32: { onnx: 1, bytes: 4, storage: 'Float32Array' },
  uint8: { onnx: 2, bytes: 1, storage: 'Uint8Array' },
  int8: { onnx: 3, bytes: 1, storage: 'Int8Array' },
  uint16: { onnx: 4, bytes: 2, storage: 'Uint16Array' },
  int16: { onnx: 5, bytes: 2, storage: 'Int16Array' },
  int32: { onnx: 6, bytes: 4, storage: 'Int32Array' },
  int64: { onnx: 7, bytes: 8, storage: 'BigInt64Array' },
  string: { onnx: 8, bytes: 0, storage: 'Array' },
  bool: { onnx: 9, bytes: 1, storage: 'Uint8Array' },
  float16: { onnx: 10, bytes: 2, storage: 'Uint16Array' },
  float64: { onnx: 11, bytes: 8, storage: 'Float64Array' },
  uint32: { onnx: 12, bytes: 4, storage: 'Uint32Array' },
  uint64: { onnx: 13, bytes: 8, storage: 'BigUint64Array' },
  complex64: { onnx: 14, bytes: 8, storage: 'Float32Array' },
  complex128: { onnx: 15, bytes: 16, storage: 'Float64Array' },
  bfloat16: { onnx: 16, bytes: 2, storage: 'Uint16Array' },
  float8e4m3fn: { onnx: 17, bytes: 1, storage: 'Uint8Array' },
  float8e4m3fnuz: { onnx: 18, bytes: 1, storage: 'Uint8Array' },
  float8e5m2: { onnx: 19, bytes: 1, storage: 'Uint8Array' },
  float8e5m2fnuz: { onnx: 20, bytes: 1, storage: 'Uint8Array' },
  uint4: { onnx: 21, bytes: 0.5, storage: 'Uint8Array' },
  int4: { onnx: 22, bytes: 0.5, storage: 'Int8Array' },
  float4e2m1: { onnx: 23, bytes: 0.5, storage: 'Uint8Array' },
  float8e8m0: { onnx: 24, bytes: 1, storage: 'Uint8Array' },
  uint2: { onnx: 25, bytes: 0.25, storage: 'Uint8Array' },
  int2: { onnx: 26, bytes: 0.25, storage: 'Int8Array' },
} as const;

/** An ONNX tensor element type. */
export type DType = keyof typeof DTYPES;

/** Typed-array storage for each dtype (complex types interleave real and imaginary parts). */
export interface StorageOf {
  float32: Float32Array; uint8: Uint8Array; int8: Int8Array; uint16: Uint16Array; int16: Int16Array;
  int32: Int32Array; int64: BigInt64Array; string: string[]; bool: Uint8Array; float16: Uint16Array;
  float64: Float64Array; uint32: Uint32Array; uint64: BigUint64Array; complex64: Float32Array;
  complex128: Float64Array; bfloat16: Uint16Array; float8e4m3fn: Uint8Array; float8e4m3fnuz: Uint8Array;
  float8e5m2: Uint8Array; float8e5m2fnuz: Uint8Array; uint4: Uint8Array; int4: Int8Array; float4e2m1: Uint8Array;
  float8e8m0: Uint8Array; uint2: Uint8Array; int2: Int8Array;
}

/** Any tensor storage. */
export type TensorData = StorageOf[DType];

const BY_ONNX = new Map<number, DType>(Object.entries(DTYPES).map(([k, v]) => [v.onnx, k as DType]));

/** The dtype for an ONNX `TensorProto.DataType` value, or undefined for UNDEFINED/unknown values. */
export function dtypeFromOnnx(value: number): DType | undefined {
  return BY_ONNX.get(value);
}

/** The ONNX `TensorProto.DataType` value of a dtype. */
export function dtypeToOnnx(dtype: DType): number {
  return DTYPES[dtype].onnx;
}

/** Bits per element as stored in ONNX (int4 is 4, float16 is 16, string is 0). */
export function dtypeBits(dtype: DType): number {
  return DTYPES[dtype].bytes * 8;
}

/** Allocates zeroed storage for `count` elements. */
export function allocate<D extends DType>(dtype: D, count: number): StorageOf[D] {
  const elems = dtype === 'complex64' || dtype === 'complex128' ? count * 2 : count;
  switch (DTYPES[dtype].storage) {
    case 'Float32Array': return new Float32Array(elems) as StorageOf[D];
    case 'Float64Array': return new Float64Array(elems) as StorageOf[D];
    case 'Uint8Array': return new Uint8Array(elems) as StorageOf[D];
    case 'Int8Array': return new Int8Array(elems) as StorageOf[D];
    case 'Uint16Array': return new Uint16Array(elems) as StorageOf[D];
    case 'Int16Array': return new Int16Array(elems) as StorageOf[D];
    case 'Int32Array': return new Int32Array(elems) as StorageOf[D];
    case 'Uint32Array': return new Uint32Array(elems) as StorageOf[D];
    case 'BigInt64Array': return new BigInt64Array(elems) as StorageOf[D];
    case 'BigUint64Array': return new BigUint64Array(elems) as StorageOf[D];
    case 'Array': return new Array<string>(count).fill('') as StorageOf[D];
  }
}

/** True for dtypes whose storage holds the numeric value directly (not a bit pattern). */
export function isPlainNumeric(dtype: DType): boolean {
  return !['string', 'float16', 'bfloat16', 'complex64', 'complex128', 'int64', 'uint64'].includes(dtype) && !dtype.startsWith('float8') && dtype !== 'float4e2m1';
}

/** True for the integer dtypes (including sub-byte and 64-bit). */
export function isInteger(dtype: DType): boolean {
  return /^u?int\d+$/.test(dtype);
}

/** Integer range [min, max] of an integer dtype (64-bit ranges are given as doubles). */
export function integerRange(dtype: DType): [number, number] {
  const m = /^(u?)int(\d+)$/.exec(dtype);
  if (!m) throw new RangeError(`${dtype} is not an integer dtype`);
  const bits = Number(m[2]);
  return m[1] === 'u' ? [0, 2 ** bits - 1] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
}
