/**
 * The protobuf boundary: the only module that imports `onnx-buf` (the ONNX 1.20 schema compiled for
 * `@bufbuild/protobuf` v2). Everything else in the package works with the message types re-exported here and with
 * three operations: decode bytes, encode a message, and capture/restore the fields the IR does not hold ("residue").
 * See docs/decisions/0001-onnx-codec.md for why this library.
 */
import { create, fromBinary, isFieldSet, toBinary, type DescField, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import * as pb from 'onnx-buf';
import { encodeChunked } from './chunked-encode.js';
import { checkWireFormat } from './wire.js';

export type {
  AttributeProto,
  FunctionProto,
  GraphProto,
  ModelProto,
  NodeProto,
  OperatorSetIdProto,
  SparseTensorProto,
  StringStringEntryProto,
  TensorAnnotation,
  TensorProto,
  TensorShapeProto,
  TensorShapeProto_Dimension,
  TrainingInfoProto,
  TypeProto,
  ValueInfoProto,
} from 'onnx-buf';

/** `AttributeProto.AttributeType` values. */
export const AttrType = pb.AttributeProto_AttributeType;
/** `TensorProto.DataLocation.EXTERNAL`. */
export const DATA_LOCATION_EXTERNAL: number = pb.TensorProto_DataLocation.EXTERNAL;

const SCHEMAS = {
  model: pb.ModelProtoSchema,
  graph: pb.GraphProtoSchema,
  node: pb.NodeProtoSchema,
  attribute: pb.AttributeProtoSchema,
  tensor: pb.TensorProtoSchema,
  sparseTensor: pb.SparseTensorProtoSchema,
  valueInfo: pb.ValueInfoProtoSchema,
  type: pb.TypeProtoSchema,
  typeTensor: pb.TypeProto_TensorSchema,
  typeSparseTensor: pb.TypeProto_SparseTensorSchema,
  typeSequence: pb.TypeProto_SequenceSchema,
  typeMap: pb.TypeProto_MapSchema,
  typeOptional: pb.TypeProto_OptionalSchema,
  shape: pb.TensorShapeProtoSchema,
  dim: pb.TensorShapeProto_DimensionSchema,
  opset: pb.OperatorSetIdProtoSchema,
  entry: pb.StringStringEntryProtoSchema,
  annotation: pb.TensorAnnotationSchema,
  function: pb.FunctionProtoSchema,
  training: pb.TrainingInfoProtoSchema,
} as const;

type Schemas = typeof SCHEMAS;
/** The message kinds the converters build. */
export type Kind = keyof Schemas;
/** The message type of a kind. */
export type Msg<K extends Kind> = MessageShape<Schemas[K]>;

/** Decodes one message, checking the wire format first. Throws a plain Error (WireError or the decoder's). */
export function decodeMessage<K extends 'model' | 'tensor'>(kind: K, bytes: Uint8Array): Msg<K> {
  const schema: DescMessage = SCHEMAS[kind];
  checkWireFormat(schema, bytes);
  return fromBinary(schema, bytes) as Msg<K>;
}

/** Bytes fields from this size on are copied once when encoding (see chunked-encode.ts). */
export const LARGE_BYTES = 1 << 20;

/**
 * Encodes one message (fields in field-number order, unknown fields last, as protoc does). With `hasLarge`, bytes
 * fields of at least LARGE_BYTES (raw_data) are copied once instead of once per nesting level.
 */
export function encodeMessage<K extends 'model' | 'tensor'>(kind: K, msg: Msg<K>, hasLarge = true): Uint8Array {
  const schema = SCHEMAS[kind] as DescMessage;
  return hasLarge ? encodeChunked(schema, msg as MessageShape<DescMessage>, LARGE_BYTES) : toBinary(schema, msg as MessageShape<DescMessage>);
}

/** A new, empty message, or one pre-filled with a residue captured by {@link residue}. */
export function newMessage<K extends Kind>(kind: K, rest?: Uint8Array): Msg<K> {
  const schema: DescMessage = SCHEMAS[kind];
  return (rest ? fromBinary(schema, rest) : create(schema)) as Msg<K>;
}

/** Whether a field is present (proto2 presence: set, even to its default value). */
export function hasField<K extends Kind>(kind: K, msg: Msg<K>, localName: string): boolean {
  const field = fieldByName(SCHEMAS[kind], localName);
  return isFieldSet(msg as MessageShape<DescMessage>, field);
}

const fieldIndex = new WeakMap<DescMessage, Map<string, DescField>>();

function fieldByName(schema: DescMessage, name: string): DescField {
  let idx = fieldIndex.get(schema);
  if (!idx) {
    idx = new Map((schema.fields as readonly DescField[]).map((f) => [f.localName, f]));
    fieldIndex.set(schema, idx);
  }
  const f = idx.get(name);
  if (!f) throw new Error(`internal: ${schema.typeName} has no field ${name}`);
  return f;
}

function isZero(value: unknown): boolean {
  if (value instanceof Uint8Array) return value.length === 0;
  return value === 0 || value === 0n || value === '' || value === false;
}

/**
 * The part of a decoded message the IR does not hold, as the bytes of a partial message of the same type:
 * - fields not listed in `consumed` (e.g. `TensorProto.segment`, `NodeProto.device_configurations`),
 * - listed scalar fields that are present but hold their default value (proto2 presence: `domain: ""` is written,
 *   an absent domain is not; the IR holds `''` for both) — except names prefixed with `?`, whose presence the IR
 *   keeps itself (an optional IR field that is `undefined` exactly when the proto field is absent),
 * - unknown fields.
 * Returns undefined when nothing is left, which is the common case. {@link newMessage} restores a residue; the
 * encoder then sets the fields the IR holds on top of it.
 */
export function residue<K extends Kind>(kind: K, msg: Msg<K>, consumed: readonly string[]): Uint8Array | undefined {
  const schema: DescMessage = SCHEMAS[kind];
  const src = msg as unknown as Record<string, unknown> & { $unknown?: unknown[] };
  let out: (Record<string, unknown> & { $unknown?: unknown[] }) | undefined;
  for (const f of schema.fields as readonly DescField[]) {
    if (!isFieldSet(msg as MessageShape<DescMessage>, f)) continue;
    const name = f.oneof ? f.oneof.localName : f.localName;
    if (consumed.includes('?' + name)) continue;
    if (consumed.includes(name)) {
      const scalar = (f.fieldKind === 'scalar' || f.fieldKind === 'enum') && !f.oneof;
      if (!scalar || !isZero(src[name])) continue;
    }
    out ??= create(schema) as unknown as Record<string, unknown>;
    out[name] = src[name];
  }
  if (src.$unknown && src.$unknown.length > 0) {
    out ??= create(schema) as unknown as Record<string, unknown>;
    out.$unknown = src.$unknown;
  }
  return out ? toBinary(schema, out as unknown as MessageShape<DescMessage>) : undefined;
}
