import { DTYPES, QuantforgeError, allocate, sizeOf, type DType, type Tensor } from '@quantforge/core';

/**
 * A tensor written in JSON: `{ "dtype": "float32", "dims": [2, 2], "data": [1, 2, 3, 4] }`. `data` holds the stored
 * values (bit patterns for float16/bfloat16/float8, strings or numbers for 64-bit integers, 0/1 or booleans for bool).
 */
export interface TensorJson {
  dtype: DType;
  dims: number[];
  data: Array<number | string | boolean>;
}

function bad(message: string, where: string): QuantforgeError {
  return new QuantforgeError('QF_DATA_FORMAT', `${where}: ${message}`, { details: { where }, hint: 'A JSON tensor is { "dtype": "float32", "dims": [n], "data": [...] }.' });
}

/**
 * Builds a tensor from its JSON form.
 *
 * @throws QuantforgeError `QF_DATA_FORMAT` naming `where` when the JSON is not a valid tensor
 * @example
 * ```ts
 * tensorFromJson({ dtype: 'int64', dims: [2], data: ['9007199254740993', 1] }, 'inputs.ids');
 * ```
 */
export function tensorFromJson(json: unknown, where: string): Tensor {
  if (typeof json !== 'object' || json === null) throw bad('expected a tensor object', where);
  const { dtype, dims, data } = json as Partial<TensorJson>;
  if (typeof dtype !== 'string' || !(dtype in DTYPES)) throw bad(`unknown dtype ${JSON.stringify(dtype)}`, where);
  if (!Array.isArray(dims) || dims.some((d) => !Number.isInteger(d) || d < 0)) throw bad('dims must be a list of non-negative integers', where);
  if (!Array.isArray(data)) throw bad('data must be a list', where);
  const count = sizeOf(dims);
  const expected = dtype === 'complex64' || dtype === 'complex128' ? count * 2 : count;
  if (data.length !== expected) throw bad(`dims [${dims.join(', ')}] need ${expected} values, data has ${data.length}`, where);
  const storage = allocate(dtype, count);
  try {
    if (dtype === 'string') {
      for (let i = 0; i < expected; i++) (storage as string[])[i] = String(data[i]);
    } else if (storage instanceof BigInt64Array || storage instanceof BigUint64Array) {
      for (let i = 0; i < expected; i++) storage[i] = BigInt(data[i] as number | string);
    } else {
      const out = storage as Exclude<Tensor['data'], string[] | BigInt64Array | BigUint64Array>;
      for (let i = 0; i < expected; i++) {
        const v = data[i];
        if (typeof v !== 'number' && typeof v !== 'boolean') throw new Error(`value ${i} is ${JSON.stringify(v)}, not a number`);
        out[i] = Number(v);
      }
    }
  } catch (cause) {
    throw bad((cause as Error).message, where);
  }
  return { dtype, dims: [...dims], data: storage } as Tensor;
}

/**
 * The JSON form of a tensor (64-bit integers as strings so no precision is lost).
 *
 * @example
 * ```ts
 * JSON.stringify(tensorToJson(result.tensors.y));
 * ```
 */
export function tensorToJson(t: Tensor): TensorJson {
  const data = Array.from(t.data as ArrayLike<number | bigint | string>, (v) => (typeof v === 'bigint' ? v.toString() : v));
  return { dtype: t.dtype, dims: [...t.dims], data };
}
