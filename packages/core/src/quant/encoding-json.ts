import { Type, type Static } from '@sinclair/typebox';
import { QuantforgeError } from '../errors/error.js';
import { tensor, type Tensor } from '../ir/tensor.js';
import type { DType, StorageOf } from '../ir/dtype.js';
import type { CodebookLayout, CodebookStage, Encoding, QuantizedTensor } from './encoding.js';
import { checkEncoding } from './encoding-check.js';
import { assertSchema } from './options.js';

const Nums = Type.Array(Type.Number());
const Ints = Type.Array(Type.Integer());
const Stage = Type.Object({ centroids: Nums, k: Type.Integer() });

/** JSON Schema (TypeBox) of a serialized {@link Encoding}: the same fields with typed arrays as number arrays. */
export const SerializedEncodingSchema = Type.Union([
  Type.Object({
    kind: Type.Literal('affine'), bits: Type.Integer(), signed: Type.Boolean(), narrowRange: Type.Boolean(), symmetric: Type.Boolean(),
    powerOfTwo: Type.Boolean(), scale: Nums, zeroPoint: Ints, axis: Type.Optional(Type.Integer()), blockSize: Type.Optional(Type.Integer()),
    storage: Type.Union([
      Type.Literal('int8'), Type.Literal('uint8'), Type.Literal('int16'), Type.Literal('uint16'), Type.Literal('int4'), Type.Literal('uint4'), Type.Literal('int32'),
    ]),
  }),
  Type.Object({
    kind: Type.Literal('log'), bits: Type.Integer(), signed: Type.Boolean(), step: Type.Number(), fsr: Type.Number(), minExponent: Type.Number(),
    zeroCode: Type.Boolean(), channelFsr: Type.Optional(Nums), axis: Type.Optional(Type.Integer()),
  }),
  Type.Object({
    kind: Type.Literal('codebook'), centroids: Nums, k: Type.Integer(), groups: Type.Integer(), subvectorLength: Type.Integer(),
    grouping: Type.Union([Type.Literal('tensor'), Type.Literal('channel'), Type.Literal('subspace')]), axis: Type.Optional(Type.Integer()),
    layout: Type.Object({ perm: Type.Optional(Ints), rowLength: Type.Integer(), pad: Type.Optional(Type.Integer()) }), residual: Type.Optional(Stage),
  }),
  Type.Object({
    kind: Type.Literal('ternary'), scale: Nums, negativeScale: Type.Optional(Nums), threshold: Type.Optional(Nums), axis: Type.Optional(Type.Integer()),
  }),
]);

/** An {@link Encoding} as plain JSON. */
export type SerializedEncoding = Static<typeof SerializedEncodingSchema>;

const arr = (a: Float32Array | Int32Array): number[] => Array.from(a);
const copyLayout = (l: CodebookLayout): CodebookLayout => {
  const out: CodebookLayout = l.perm === undefined ? { rowLength: l.rowLength } : { perm: [...l.perm], rowLength: l.rowLength };
  if (l.pad !== undefined) out.pad = l.pad;
  return out;
};
const stage = (s: CodebookStage): { centroids: number[]; k: number } => ({ centroids: arr(s.centroids), k: s.k });

/**
 * Plain-JSON form of an encoding (typed arrays become number arrays; float32 values survive `JSON.stringify` exactly).
 *
 * @example
 * ```ts
 * const text = JSON.stringify(serializeEncoding(e));
 * const back = deserializeEncoding(JSON.parse(text));
 * ```
 */
export function serializeEncoding(e: Encoding): SerializedEncoding {
  switch (e.kind) {
    case 'affine': return { ...e, scale: arr(e.scale), zeroPoint: arr(e.zeroPoint) };
    case 'log': {
      const { channelFsr, ...rest } = e;
      return channelFsr === undefined ? rest : { ...rest, channelFsr: arr(channelFsr) };
    }
    case 'codebook': {
      const { residual, centroids, layout, ...rest } = e;
      const out: SerializedEncoding = { ...rest, centroids: arr(centroids), layout: copyLayout(layout) };
      return residual === undefined ? out : { ...out, residual: stage(residual) };
    }
    case 'ternary': {
      const out: SerializedEncoding = { kind: 'ternary', scale: arr(e.scale) };
      if (e.negativeScale !== undefined) out.negativeScale = arr(e.negativeScale);
      if (e.threshold !== undefined) out.threshold = arr(e.threshold);
      if (e.axis !== undefined) out.axis = e.axis;
      return out;
    }
  }
}

/**
 * Rebuilds an encoding from its JSON form, checking shape (`QF_INVALID_ARGUMENT` listing every problem) and
 * consistency ({@link checkEncoding}).
 *
 * @example
 * ```ts
 * const e = deserializeEncoding(JSON.parse(text));
 * ```
 */
export function deserializeEncoding(json: unknown): Encoding {
  const s = assertSchema(SerializedEncodingSchema, json, 'QF_INVALID_ARGUMENT', 'serialized encoding');
  let e: Encoding;
  switch (s.kind) {
    case 'affine': e = { ...s, scale: Float32Array.from(s.scale), zeroPoint: Int32Array.from(s.zeroPoint) }; break;
    case 'log': {
      const { channelFsr, ...rest } = s;
      e = channelFsr === undefined ? rest : { ...rest, channelFsr: Float32Array.from(channelFsr) };
      break;
    }
    case 'codebook': {
      const { residual, centroids, layout, ...rest } = s;
      e = { ...rest, centroids: Float32Array.from(centroids), layout: copyLayout(layout) };
      if (residual !== undefined) e.residual = { centroids: Float32Array.from(residual.centroids), k: residual.k };
      break;
    }
    case 'ternary': {
      e = { kind: 'ternary', scale: Float32Array.from(s.scale) };
      if (s.negativeScale !== undefined) e.negativeScale = Float32Array.from(s.negativeScale);
      if (s.threshold !== undefined) e.threshold = Float32Array.from(s.threshold);
      if (s.axis !== undefined) e.axis = s.axis;
      break;
    }
  }
  checkEncoding(e);
  return e;
}

const CODE_DTYPES = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'int4', 'uint4'] as const;
type CodeDtype = (typeof CODE_DTYPES)[number];

/** JSON Schema (TypeBox) of a serialized {@link QuantizedTensor}. */
export const SerializedQuantizedTensorSchema = Type.Object({
  encoding: SerializedEncodingSchema,
  dims: Type.Array(Type.Integer({ minimum: 0 })),
  codes: Type.Optional(Type.Object({
    dtype: Type.Union([
      Type.Literal('int8'), Type.Literal('uint8'), Type.Literal('int16'), Type.Literal('uint16'), Type.Literal('int32'), Type.Literal('int4'), Type.Literal('uint4'),
    ]),
    dims: Type.Array(Type.Integer({ minimum: 0 })),
    data: Type.Array(Type.Integer()),
  })),
});

/** A {@link QuantizedTensor} as plain JSON. */
export interface SerializedQuantizedTensor {
  encoding: SerializedEncoding;
  dims: number[];
  codes?: { dtype: CodeDtype; dims: number[]; data: number[] };
}

/**
 * Plain-JSON form of a quantized tensor (codes as a number array with their dtype).
 *
 * @example
 * ```ts
 * const json = serializeQuantizedTensor(quantizeWith(e, values, dims));
 * ```
 */
export function serializeQuantizedTensor(q: QuantizedTensor): SerializedQuantizedTensor {
  const out: SerializedQuantizedTensor = { encoding: serializeEncoding(q.encoding), dims: [...q.dims] };
  if (q.codes !== undefined) {
    if (!(CODE_DTYPES as readonly string[]).includes(q.codes.dtype)) {
      throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `codes of dtype ${q.codes.dtype} cannot be serialized`, { details: { dtype: q.codes.dtype } });
    }
    out.codes = { dtype: q.codes.dtype as CodeDtype, dims: [...q.codes.dims], data: Array.from(q.codes.data as ArrayLike<number>) };
  }
  return out;
}

/**
 * Inverse of {@link serializeQuantizedTensor}; `QF_INVALID_ARGUMENT` listing the problems of malformed JSON.
 *
 * @example
 * ```ts
 * const q = deserializeQuantizedTensor(JSON.parse(text));
 * ```
 */
export function deserializeQuantizedTensor(value: unknown): QuantizedTensor {
  const json = assertSchema(SerializedQuantizedTensorSchema, value, 'QF_INVALID_ARGUMENT', 'serialized quantized tensor');
  const encoding = deserializeEncoding(json.encoding);
  const out: QuantizedTensor = { encoding, dims: [...json.dims] };
  if (json.codes !== undefined) {
    const { dtype, dims, data } = json.codes;
    const storage = storageFrom(dtype, data);
    out.codes = tensor(dtype as DType, dims, storage as StorageOf[DType]) as Tensor;
  }
  checkEncoding(encoding, out.dims);
  return out;
}

function storageFrom(dtype: CodeDtype, data: number[]): ArrayLike<number> {
  switch (dtype) {
    case 'int8': case 'int4': return Int8Array.from(data);
    case 'uint8': case 'uint4': return Uint8Array.from(data);
    case 'int16': return Int16Array.from(data);
    case 'uint16': return Uint16Array.from(data);
    case 'int32': return Int32Array.from(data);
  }
}
