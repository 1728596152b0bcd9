import {
  DTYPES,
  allocate,
  dtypeFromOnnx,
  dtypeToOnnx,
  sizeOf,
  type DType,
  type ExternalDataRef,
  type KeyValue,
  type NamedTensor,
  type TensorData,
} from '@quantforge/core';
import { DATA_LOCATION_EXTERNAL, hasField, newMessage, residue, type TensorProto } from './codec.js';
import { invalidModel, qfError } from './errors.js';
import { externalRefFromEntries, externalRefToEntries } from './external-ref.js';
import { extraOf } from './extra.js';
import { kvFromProto, kvListFromProto, kvListToProto } from './key-value.js';
import { packSubByte, paddingIsZero, rawByteLength, rawFromTyped, storageLength, subByteBits, typedFromRaw, unpackSubByte } from './packing.js';

// TensorProto <-> NamedTensor. The IR holds a typed array; `extra` remembers how the proto stored it (raw_data or one
// of the typed fields) so that saving recreates the same bytes, and the data itself is always written from the typed
// array, so edits are saved. Only when the typed array cannot reproduce the original field values (an int8 tensor
// stored as int32_data 200, non-UTF-8 strings, non-zero padding bits of int4 data) is the original kept, together
// with a snapshot: it is written back only while the tensor still holds the same, unchanged array.

type DataField = 'floatData' | 'int32Data' | 'int64Data' | 'doubleData' | 'uint64Data' | 'stringData';
type NumericField = Exclude<DataField, 'stringData'>;
/** How a TensorProto stores its data. */
export type StorageForm = 'raw' | 'none' | DataField;

const NUMERIC_FIELDS: readonly NumericField[] = ['floatData', 'int32Data', 'int64Data', 'doubleData', 'uint64Data'];
const BIGINT_FIELDS: ReadonlySet<DataField> = new Set(['int64Data', 'uint64Data']);

/** The codec's private `extra` of a NamedTensor. */
export interface TensorExtra {
  /** Storage form; absent means raw_data (string_data for strings). */
  form?: StorageForm;
  /** The dtype `form` was seen with: a form that is not ONNX's field for a dtype is only reused for that dtype. */
  formDtype?: DType;
  /** Residue of the TensorProto (segment, presence of defaults, unknown fields, stray data fields). */
  rest?: Uint8Array;
  /** Original field values the typed array cannot reproduce, valid while `data` is the same unchanged array. */
  keep?: { data: TensorData; snapshot: TensorData; dtype: DType; value: unknown };
  /** The original external_data entries, valid while the ExternalDataRef serializes to `snapshot`. */
  external?: { entries: KeyValue[]; snapshot: string };
  /** Dims of the whole tensor when the proto holds one segment of it (the IR tensor then is 1-D). */
  segmentDims?: number[];
}

/** ONNX's field for a dtype when raw_data is not used. */
export function standardField(dtype: DType): DataField {
  switch (dtype) {
    case 'float32': case 'complex64': return 'floatData';
    case 'float64': case 'complex128': return 'doubleData';
    case 'int64': return 'int64Data';
    case 'uint32': case 'uint64': return 'uint64Data';
    case 'string': return 'stringData';
    default: return 'int32Data';
  }
}

/** (dtype, field) pairs where field values and typed-array elements convert both ways exactly. */
function isExactPair(dtype: DType, field: DataField): boolean {
  switch (field) {
    case 'floatData': return dtype === 'float32' || dtype === 'complex64';
    case 'doubleData': return dtype === 'float64' || dtype === 'complex128';
    case 'int64Data': return dtype === 'int64';
    case 'uint64Data': return dtype === 'uint64';
    case 'int32Data': return dtype === 'int32';
    default: return false;
  }
}

function isBigStorage(data: TensorData): data is BigInt64Array | BigUint64Array {
  return data instanceof BigInt64Array || data instanceof BigUint64Array;
}

function toBigInt(v: number | bigint): bigint {
  if (typeof v === 'bigint') return v;
  return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
}

/** Typed array from the values of a numeric field. */
function typedFromField(dtype: DType, values: readonly (number | bigint)[], count: number): TensorData {
  if (subByteBits(dtype)) return unpackSubByte(dtype, values.map((v) => Number(v) & 0xff), count);
  const out = allocate(dtype, count);
  if (isBigStorage(out)) {
    for (let i = 0; i < values.length; i++) out[i] = toBigInt(values[i]!);
  } else if (values.length > 0 && typeof values[0] === 'bigint') {
    const o = out as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
    for (let i = 0; i < values.length; i++) o[i] = Number(values[i]);
  } else {
    (out as Float64Array).set(values as number[]);
  }
  return out;
}

/** Values of a numeric field from a typed array. */
function fieldFromTyped(dtype: DType, data: TensorData, count: number, field: NumericField): number[] | bigint[] {
  const big = BIGINT_FIELDS.has(field);
  if (subByteBits(dtype)) {
    const bytes = packSubByte(dtype, data as Uint8Array, count);
    return big ? Array.from(bytes, (b) => BigInt(b)) : Array.from(bytes);
  }
  const d = data as Exclude<TensorData, string[]>;
  if (big) return isBigStorage(d) ? Array.from(d) : Array.from(d as Float64Array, toBigInt);
  return isBigStorage(d) ? Array.from(d, (v) => Number(v)) : Array.from(d as Float64Array);
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Same content (same storage type and elements; NaNs compared by bits). */
function sameData(a: TensorData, b: TensorData): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && sameValues(a, b);
  if (Object.prototype.toString.call(a) !== Object.prototype.toString.call(b)) return false;
  return sameBytes(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
}

function cloneData(d: TensorData): TensorData {
  return Array.isArray(d) ? [...d] : (d as Float32Array).slice();
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

interface Decoded {
  data: TensorData;
  keep?: unknown;
}

/** Decodes the data of one form for `count` elements; undefined when the stored length does not fit `count`. */
function decodeForm(p: TensorProto, dtype: DType, form: StorageForm, count: number): Decoded | undefined {
  if (form === 'none') return count === 0 ? { data: allocate(dtype, 0) } : undefined;
  if (form === 'raw') {
    if (p.rawData.length !== rawByteLength(dtype, count)) return undefined;
    const data = typedFromRaw(dtype, p.rawData, count);
    if (subByteBits(dtype) && !paddingIsZero(dtype, p.rawData, count)) return { data, keep: new Uint8Array(p.rawData) };
    return { data };
  }
  if (form === 'stringData') {
    if (p.stringData.length !== count) return undefined;
    const strings = p.stringData.map((b) => utf8Decoder.decode(b));
    const exact = strings.every((s, i) => sameBytes(utf8.encode(s), p.stringData[i]!));
    return exact ? { data: strings } : { data: strings, keep: p.stringData.map((b) => new Uint8Array(b)) };
  }
  const values = p[form] as (number | bigint)[];
  const sub = subByteBits(dtype);
  if (values.length !== (sub ? rawByteLength(dtype, count) : storageLength(dtype, count))) return undefined;
  const data = typedFromField(dtype, values, count);
  if (isExactPair(dtype, form) || sameValues(fieldFromTyped(dtype, data, count, form), values)) return { data };
  return { data, keep: [...values] };
}

/** Which field holds the data: raw_data, else ONNX's field for the dtype, else any non-empty field. */
function pickForm(p: TensorProto, dtype: DType): StorageForm {
  if (p.rawData.length > 0) return 'raw';
  const std = standardField(dtype);
  if (p[std].length > 0) return std;
  for (const f of [...NUMERIC_FIELDS, 'stringData'] as const) if (p[f].length > 0) return f;
  return hasField('tensor', p, 'rawData') ? 'raw' : 'none';
}

function toDims(p: TensorProto): number[] {
  return p.dims.map((d) => {
    const n = Number(d);
    if (d < 0n || !Number.isSafeInteger(n)) throw invalidModel(`tensor "${p.name}" has dimension ${d}`, { tensor: p.name, dims: p.dims.map(String) });
    return n;
  });
}

/** What a tensor decoder needs from its caller: a reader for external data (absent when there is no base folder). */
export interface TensorReadContext {
  readExternal?: (ref: ExternalDataRef, tensorName: string, byteLength: number) => Uint8Array;
}

/** TensorProto to NamedTensor. */
export function tensorFromProto(p: TensorProto, ctx: TensorReadContext): NamedTensor {
  const dtype = dtypeFromOnnx(p.dataType);
  if (!dtype) throw invalidModel(`tensor "${p.name}" has data type ${p.dataType}, which is not an ONNX tensor type`, { tensor: p.name, dataType: p.dataType });
  let dims = toDims(p);
  const consumed = ['dims', 'dataType', 'name', '?docString', 'metadataProps'];
  const extra: TensorExtra = {};
  let decoded: Decoded | undefined;
  let externalData: ExternalDataRef | undefined;

  if (p.dataLocation === DATA_LOCATION_EXTERNAL) {
    consumed.push('dataLocation', 'externalData');
    if (dtype === 'string') throw invalidModel(`string tensor "${p.name}" cannot use external data`, { tensor: p.name });
    externalData = externalRefFromEntries(p.externalData, p.name);
    extra.external = { entries: p.externalData.map(kvFromProto), snapshot: JSON.stringify(externalData) };
    if (!ctx.readExternal) {
      throw qfError('QF_ONNX_EXTERNAL_DATA', `tensor "${p.name}" keeps its data in the external file "${externalData.location}", but no base folder was given`, {
        tensor: p.name, location: externalData.location,
      }, { hint: 'Use loadModel(path), or pass { baseDir } (the folder of the .onnx file) to decodeModel.' });
    }
    const count = sizeOf(dims);
    const bytes = ctx.readExternal(externalData, p.name, rawByteLength(dtype, count));
    decoded = { data: typedFromRaw(dtype, bytes, count) };
  } else {
    const form = pickForm(p, dtype);
    if ((dtype === 'string') !== (form === 'stringData') && form !== 'none') {
      throw invalidModel(`tensor "${p.name}" of type ${dtype} stores its data in ${form}`, { tensor: p.name, dtype, field: form });
    }
    if (form !== 'none') consumed.push(form === 'raw' ? 'rawData' : form);
    decoded = decodeForm(p, dtype, form, sizeOf(dims));
    if (!decoded && p.segment) {
      // A segment of a larger tensor: the data covers elements [begin, end) of the whole.
      const n = Number(p.segment.end - p.segment.begin);
      decoded = n >= 0 ? decodeForm(p, dtype, form, n) : undefined;
      if (decoded) {
        extra.segmentDims = dims;
        dims = [n];
      }
    }
    if (!decoded) {
      throw invalidModel(`tensor "${p.name}" of dims [${dims.join(', ')}] holds the wrong amount of data (${form})`, { tensor: p.name, dims, dtype, field: form });
    }
    if (form !== (dtype === 'string' ? 'stringData' : 'raw')) {
      extra.form = form;
      extra.formDtype = dtype;
    }
  }
  if (decoded.keep !== undefined) extra.keep = { data: decoded.data, snapshot: cloneData(decoded.data), dtype, value: decoded.keep };
  const rest = residue('tensor', p, consumed);
  if (rest) extra.rest = rest;

  const nt: NamedTensor = { name: p.name, tensor: { dtype, dims, data: decoded.data } };
  if (p.docString !== '' || hasField('tensor', p, 'docString')) nt.docString = p.docString;
  if (externalData) nt.externalData = externalData;
  const meta = kvListFromProto(p.metadataProps);
  if (meta) nt.metadataProps = meta;
  if (Object.keys(extra).length > 0) nt.extra = extra;
  return nt;
}

/** Throws QF_TENSOR_INVALID unless the tensor's storage matches its dtype and dims. */
export function checkTensor(nt: NamedTensor): void {
  const t = nt.tensor;
  const spec = t && DTYPES[t.dtype];
  if (!spec) throw qfError('QF_TENSOR_INVALID', `tensor "${nt.name}" has unknown dtype ${String(t?.dtype)}`, { tensor: nt.name });
  const data = t.data as unknown;
  const okType = spec.storage === 'Array' ? Array.isArray(data) : Object.prototype.toString.call(data) === `[object ${spec.storage}]`;
  if (!okType) throw qfError('QF_TENSOR_INVALID', `tensor "${nt.name}" of dtype ${t.dtype} needs a ${spec.storage}`, { tensor: nt.name, dtype: t.dtype });
  if (!Array.isArray(t.dims) || t.dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw qfError('QF_TENSOR_INVALID', `tensor "${nt.name}" has invalid dims`, { tensor: nt.name, dims: t.dims });
  }
  const want = storageLength(t.dtype, sizeOf(t.dims));
  if ((data as ArrayLike<unknown>).length !== want) {
    throw qfError('QF_TENSOR_INVALID', `tensor "${nt.name}" of dims [${t.dims.join(', ')}] needs ${want} elements, has ${(data as ArrayLike<unknown>).length}`, {
      tensor: nt.name, dims: t.dims, length: (data as ArrayLike<unknown>).length,
    });
  }
}

/** The form to write: the recorded one while it still suits the tensor, else raw_data (string_data for strings). */
function chooseForm(dtype: DType, count: number, ex: Partial<TensorExtra> | undefined): StorageForm {
  const fallback: StorageForm = dtype === 'string' ? 'stringData' : 'raw';
  const f = ex?.form;
  if (f === undefined) return fallback;
  if (f === 'none') return count === 0 ? 'none' : fallback;
  if (dtype === 'string' || f === 'stringData' || f === 'raw') return fallback;
  return f === standardField(dtype) || ex?.formDtype === dtype ? f : fallback;
}

/** What a tensor encoder needs from its caller: where each tensor's data goes (saveModel moves tensors in and out). */
export interface TensorWriteContext {
  /** A ref to write instead of the tensor's own `externalData`; `null` writes the data inline. */
  externalFor?: (nt: NamedTensor) => ExternalDataRef | null | undefined;
}

/** NamedTensor to TensorProto. */
export function tensorToProto(nt: NamedTensor, ctx: TensorWriteContext = {}): TensorProto {
  checkTensor(nt);
  const ex = extraOf<TensorExtra>(nt.extra);
  const m = newMessage('tensor', ex?.rest instanceof Uint8Array ? ex.rest : undefined);
  const t = nt.tensor;
  const count = sizeOf(t.dims);
  const segDims = ex?.segmentDims;
  m.dims = (segDims && t.dims.length === 1 ? segDims : t.dims).map((d) => BigInt(d));
  m.dataType = dtypeToOnnx(t.dtype);
  if (nt.name !== '') m.name = nt.name;
  if (nt.docString !== undefined) m.docString = nt.docString;
  if (nt.metadataProps) m.metadataProps = kvListToProto(nt.metadataProps);

  const override = ctx.externalFor?.(nt);
  const ref = override === null ? undefined : (override ?? nt.externalData);
  if (ref) {
    if (t.dtype === 'string') throw qfError('QF_ONNX_ENCODE', `string tensor "${nt.name}" cannot use external data`, { tensor: nt.name });
    m.dataLocation = DATA_LOCATION_EXTERNAL;
    m.externalData = externalRefToEntries(ref, ex?.external);
    return m;
  }

  const form = chooseForm(t.dtype, count, ex);
  const keep = ex?.keep;
  if (keep && keep.data === t.data && keep.dtype === t.dtype && sameData(t.data, keep.snapshot)) {
    (m as unknown as Record<string, unknown>)[form === 'raw' ? 'rawData' : form] = keep.value;
    return m;
  }
  if (form === 'raw') m.rawData = rawFromTyped(t.dtype, t.data, count) as Uint8Array<ArrayBuffer>;
  else if (form === 'stringData') m.stringData = (t.data as string[]).map((s) => utf8.encode(s));
  else if (form !== 'none') (m as unknown as Record<string, unknown>)[form] = fieldFromTyped(t.dtype, t.data, count, form);
  return m;
}
