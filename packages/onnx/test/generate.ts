// Builds ONNX models that exercise every field of the ONNX 1.20 schema, with onnx-buf's create(). Tests encode them,
// decode -> IR -> encode them, and compare bytes. (Tests may use onnx-buf directly; the package's sources do not.)
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as A,
  DeviceConfigurationProtoSchema,
  FunctionProtoSchema,
  GraphProtoSchema,
  IntIntListEntryProtoSchema,
  ModelProtoSchema,
  NodeDeviceConfigurationProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  ShardedDimProtoSchema,
  ShardingSpecProtoSchema,
  SimpleShardedDimProtoSchema,
  SparseTensorProtoSchema,
  StringStringEntryProtoSchema,
  TensorAnnotationSchema,
  TensorProtoSchema,
  TensorProto_DataLocation,
  TensorProto_DataType as T,
  TensorProto_SegmentSchema,
  TensorShapeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TrainingInfoProtoSchema,
  TypeProtoSchema,
  TypeProto_MapSchema,
  TypeProto_OptionalSchema,
  TypeProto_SequenceSchema,
  TypeProto_SparseTensorSchema,
  TypeProto_TensorSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type SparseTensorProto,
  type TensorProto,
  type TypeProto,
  type ValueInfoProto,
} from 'onnx-buf';

export { ModelProtoSchema, TensorProtoSchema, T as DataType, A as AttributeType };
export type { ModelProto, TensorProto };

const kv = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
const bytes = (...b: number[]) => new Uint8Array(b);
const utf8 = (s: string) => new TextEncoder().encode(s);
const le = (arr: ArrayBufferView): Uint8Array<ArrayBuffer> => new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength).slice();
/** Adds an unknown field (a field number ONNX does not use) with a varint value; create() does not take $unknown. */
function withUnknown<M extends { $unknown?: unknown[] }>(msg: M, no: number, v: number): M {
  msg.$unknown = [...(msg.$unknown ?? []), { no, wireType: 0, data: bytes(v) }];
  return msg;
}

function dim(value: number | string | null, denotation?: string) {
  const d = create(TensorShapeProto_DimensionSchema, denotation === undefined ? {} : { denotation });
  if (typeof value === 'number') d.value = { case: 'dimValue', value: BigInt(value) };
  else if (typeof value === 'string') d.value = { case: 'dimParam', value };
  return d;
}

export function tensorType(elemType: number, dims?: (number | string | null)[], denotation?: string): TypeProto {
  const t = create(TypeProto_TensorSchema, { elemType });
  if (dims) t.shape = create(TensorShapeProtoSchema, { dim: dims.map((d) => dim(d)) });
  const tp = create(TypeProtoSchema, { value: { case: 'tensorType', value: t } });
  if (denotation !== undefined) tp.denotation = denotation;
  return tp;
}

function vi(name: string, type?: TypeProto, extra: MessageInitShape<typeof ValueInfoProtoSchema> = {}): ValueInfoProto {
  const v = create(ValueInfoProtoSchema, { name, ...extra });
  if (type) v.type = type;
  return v;
}

/** Every kind of TypeProto, with denotations, symbolic and unknown dims, an absent shape and a scalar shape. */
export function everyType(): TypeProto[] {
  const shaped = create(TypeProto_TensorSchema, {
    elemType: T.FLOAT,
    shape: create(TensorShapeProtoSchema, { dim: [dim(1, 'DATA_BATCH'), dim('seq'), dim(null), dim(0), dim('')] }),
  });
  const sparse = create(TypeProto_SparseTensorSchema, { elemType: T.INT64, shape: create(TensorShapeProtoSchema, { dim: [dim(10), dim(10)] }) });
  const seq = create(TypeProto_SequenceSchema, { elemType: tensorType(T.FLOAT16, [2]) });
  const map = create(TypeProto_MapSchema, { keyType: T.STRING, valueType: tensorType(T.DOUBLE, []) });
  const opt = create(TypeProto_OptionalSchema, { elemType: create(TypeProtoSchema, { value: { case: 'sequenceType', value: create(TypeProto_SequenceSchema, { elemType: tensorType(T.INT8) }) } }) });
  const withUnknownElem = create(TypeProto_TensorSchema, { elemType: 99 }); // a future element type
  const presentZero = create(TypeProto_TensorSchema, { elemType: 0, shape: create(TensorShapeProtoSchema) });
  return [
    create(TypeProtoSchema, { value: { case: 'tensorType', value: shaped }, denotation: 'IMAGE' }),
    create(TypeProtoSchema, { value: { case: 'sparseTensorType', value: sparse } }),
    create(TypeProtoSchema, { value: { case: 'sequenceType', value: seq } }),
    create(TypeProtoSchema, { value: { case: 'mapType', value: map } }),
    create(TypeProtoSchema, { value: { case: 'optionalType', value: opt } }),
    create(TypeProtoSchema, { value: { case: 'tensorType', value: withUnknownElem } }),
    create(TypeProtoSchema, { value: { case: 'tensorType', value: presentZero }, denotation: '' }),
    create(TypeProtoSchema, { denotation: 'no value set' }),
    withUnknown(create(TypeProtoSchema, { value: { case: 'sequenceType', value: create(TypeProto_SequenceSchema) } }), 1000, 7),
  ];
}

function tensor(name: string, dataType: number, dims: number[], init: MessageInitShape<typeof TensorProtoSchema>): TensorProto {
  return create(TensorProtoSchema, { name, dataType, dims: dims.map(BigInt), ...init });
}

/**
 * One tensor per dtype and storage form (raw_data and the typed fields ONNX assigns), plus the odd cases: a segment,
 * sub-byte padding, out-of-range int32_data, non-UTF-8 strings, a present-but-empty raw_data, doc strings and
 * metadata, explicit DEFAULT data_location, and unknown fields.
 */
export function everyTensor(): TensorProto[] {
  const f32 = new Float32Array([1.5, -2, 0, -0, Infinity, NaN]);
  const out: TensorProto[] = [
    tensor('f32_raw', T.FLOAT, [2, 3], { rawData: le(f32) }),
    tensor('f32_fields', T.FLOAT, [6], { floatData: [...f32] }),
    tensor('u8_raw', T.UINT8, [3], { rawData: bytes(0, 128, 255) }),
    tensor('u8_fields', T.UINT8, [3], { int32Data: [0, 128, 255] }),
    tensor('i8_raw', T.INT8, [3], { rawData: le(new Int8Array([-128, 0, 127])) }),
    tensor('i8_fields', T.INT8, [3], { int32Data: [-128, 0, 127] }),
    tensor('i8_out_of_range', T.INT8, [2], { int32Data: [200, -1] }),
    tensor('u16_raw', T.UINT16, [2], { rawData: le(new Uint16Array([0, 65535])) }),
    tensor('u16_fields', T.UINT16, [2], { int32Data: [0, 65535] }),
    tensor('i16_raw', T.INT16, [2], { rawData: le(new Int16Array([-32768, 32767])) }),
    tensor('i16_fields', T.INT16, [2], { int32Data: [-32768, 32767] }),
    tensor('i32_raw', T.INT32, [2], { rawData: le(new Int32Array([-(2 ** 31), 2 ** 31 - 1])) }),
    tensor('i32_fields', T.INT32, [2], { int32Data: [-(2 ** 31), 2 ** 31 - 1] }),
    tensor('i64_raw', T.INT64, [2], { rawData: le(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])) }),
    tensor('i64_fields', T.INT64, [3], { int64Data: [-(2n ** 63n), 0n, 2n ** 63n - 1n] }),
    tensor('str', T.STRING, [3], { stringData: [utf8('hello'), utf8('wörld ✓'), utf8('')] }),
    tensor('str_not_utf8', T.STRING, [2], { stringData: [bytes(0xff, 0xfe, 0x41), bytes(0xc3)] }),
    tensor('bool_raw', T.BOOL, [3], { rawData: bytes(1, 0, 1) }),
    tensor('bool_fields', T.BOOL, [3], { int32Data: [1, 0, 1] }),
    tensor('f16_raw', T.FLOAT16, [2], { rawData: le(new Uint16Array([0x3c00, 0xfbff])) }),
    tensor('f16_fields', T.FLOAT16, [2], { int32Data: [0x3c00, 0xfbff] }),
    tensor('f64_raw', T.DOUBLE, [2], { rawData: le(new Float64Array([Math.PI, -1e300])) }),
    tensor('f64_fields', T.DOUBLE, [2], { doubleData: [Math.PI, -1e300] }),
    tensor('u32_raw', T.UINT32, [2], { rawData: le(new Uint32Array([0, 2 ** 32 - 1])) }),
    tensor('u32_fields', T.UINT32, [2], { uint64Data: [0n, 2n ** 32n - 1n] }),
    tensor('u64_raw', T.UINT64, [2], { rawData: le(new BigUint64Array([0n, 2n ** 64n - 1n])) }),
    tensor('u64_fields', T.UINT64, [2], { uint64Data: [0n, 2n ** 64n - 1n] }),
    tensor('c64_raw', T.COMPLEX64, [2], { rawData: le(new Float32Array([1, 2, 3, 4])) }),
    tensor('c64_fields', T.COMPLEX64, [2], { floatData: [1, 2, 3, 4] }),
    tensor('c128_raw', T.COMPLEX128, [1], { rawData: le(new Float64Array([1, -1])) }),
    tensor('c128_fields', T.COMPLEX128, [1], { doubleData: [1, -1] }),
    tensor('bf16_raw', T.BFLOAT16, [2], { rawData: le(new Uint16Array([0x3f80, 0xc000])) }),
    tensor('bf16_fields', T.BFLOAT16, [2], { int32Data: [0x3f80, 0xc000] }),
    tensor('u4_raw', T.UINT4, [3], { rawData: bytes(0x21, 0x0f) }),
    tensor('u4_fields', T.UINT4, [3], { int32Data: [0x21, 0x0f] }),
    tensor('i4_raw', T.INT4, [4], { rawData: bytes(0x8f, 0x71) }),
    tensor('i4_fields', T.INT4, [3], { int32Data: [0x8f, 0x01] }),
    tensor('i4_padding_bits', T.INT4, [3], { rawData: bytes(0x12, 0xf3) }),
    tensor('f4_raw', T.FLOAT4E2M1, [2], { rawData: bytes(0x9a) }),
    tensor('u2_raw', T.UINT2, [5], { rawData: bytes(0b11100100, 0b01) }),
    tensor('i2_raw', T.INT2, [4], { rawData: bytes(0b10011100) }),
    tensor('i2_fields', T.INT2, [4], { int32Data: [0b10011100] }),
    tensor('e8m0_raw', T.FLOAT8E8M0, [2], { rawData: bytes(127, 255) }),
  ];
  for (const [name, dt] of [['f8e4m3fn', T.FLOAT8E4M3FN], ['f8e4m3fnuz', T.FLOAT8E4M3FNUZ], ['f8e5m2', T.FLOAT8E5M2], ['f8e5m2fnuz', T.FLOAT8E5M2FNUZ]] as const) {
    out.push(tensor(`${name}_raw`, dt, [2], { rawData: bytes(0x38, 0xff) }), tensor(`${name}_fields`, dt, [2], { int32Data: [0x38, 0xff] }));
  }
  out.push(
    tensor('scalar', T.FLOAT, [], { rawData: le(new Float32Array([7])) }),
    tensor('empty_raw_present', T.FLOAT, [0, 3], { rawData: new Uint8Array(0) }),
    tensor('empty_no_data', T.INT64, [0], {}),
    tensor('segment', T.FLOAT, [4], { rawData: le(new Float32Array([1, 2, 3, 4])), segment: create(TensorProto_SegmentSchema, { begin: 0n, end: 4n }) }),
    tensor('segment_part', T.FLOAT, [10], { floatData: [5, 6], segment: create(TensorProto_SegmentSchema, { begin: 4n, end: 6n }) }),
    tensor('documented', T.FLOAT, [1], { floatData: [1], docString: 'a weight', metadataProps: [kv('origin', 'test'), kv('empty', '')] }),
    tensor('', T.FLOAT, [1], { rawData: le(new Float32Array([1])), docString: '' }),
    tensor('default_location', T.FLOAT, [1], { rawData: le(new Float32Array([2])), dataLocation: TensorProto_DataLocation.DEFAULT }),
    tensor('i64_in_int32_field', T.INT64, [2], { int32Data: [1, -1] }),
    withUnknown(tensor('unknown_fields', T.FLOAT, [1], { rawData: le(new Float32Array([3])) }), 100, 1),
  );
  return out;
}

function attr(name: string, type: A, init: MessageInitShape<typeof AttributeProtoSchema>): AttributeProto {
  return create(AttributeProtoSchema, { name, type, ...init });
}

function sparse(valuesName: string): SparseTensorProto {
  return create(SparseTensorProtoSchema, {
    values: tensor(valuesName, T.FLOAT, [2], { floatData: [1, 2] }),
    indices: tensor(`${valuesName}_indices`, T.INT64, [2], { int64Data: [3n, 7n] }),
    dims: [10n],
  });
}

/** A one-node subgraph reading `outer` (an outer-scope value) and producing `out`. */
function subgraph(name: string, outer: string, out: string): GraphProto {
  return create(GraphProtoSchema, {
    name,
    node: [create(NodeProtoSchema, { opType: 'Identity', input: [outer], output: [out] })],
    output: [vi(out, tensorType(T.FLOAT))],
  });
}

/** Every attribute type, with ref_attr_name, doc strings, big and negative ints, NaN/-0 floats, and an UNDEFINED type. */
export function everyAttribute(outer: string): AttributeProto[] {
  return [
    attr('f', A.FLOAT, { f: 0.25 }),
    attr('f_zero_present', A.FLOAT, { f: 0 }),
    attr('f_nan', A.FLOAT, { f: NaN, docString: 'not a number' }),
    attr('f_neg_zero', A.FLOAT, { f: -0 }),
    attr('i', A.INT, { i: -5n }),
    attr('i_max', A.INT, { i: 2n ** 63n - 1n }),
    attr('s', A.STRING, { s: utf8('linear') }),
    attr('s_binary', A.STRING, { s: bytes(0, 0xff, 0x80) }),
    attr('t', A.TENSOR, { t: tensor('t', T.FLOAT, [2], { rawData: le(new Float32Array([1, 2])) }) }),
    attr('g', A.GRAPH, { g: subgraph('then', outer, 'then_out') }),
    attr('sparse', A.SPARSE_TENSOR, { sparseTensor: sparse('sp') }),
    attr('tp', A.TYPE_PROTO, { tp: tensorType(T.FLOAT, [1, 'n']) }),
    attr('floats', A.FLOATS, { floats: [1, -0.5, 3e38] }),
    attr('ints', A.INTS, { ints: [0n, -1n, 9223372036854775807n, -9223372036854775808n] }),
    attr('strings', A.STRINGS, { strings: [utf8('a'), utf8(''), bytes(0xfe)] }),
    attr('tensors', A.TENSORS, { tensors: [tensor('ta', T.INT32, [1], { int32Data: [4] }), tensor('tb', T.FLOAT16, [1], { rawData: bytes(0, 0x3c) })] }),
    attr('graphs', A.GRAPHS, { graphs: [subgraph('b0', outer, 'b0_out'), subgraph('b1', outer, 'b1_out')] }),
    attr('sparse_tensors', A.SPARSE_TENSORS, { sparseTensors: [sparse('sp0'), create(SparseTensorProtoSchema, { dims: [3n] })] }),
    attr('type_protos', A.TYPE_PROTOS, { typeProtos: everyType() }),
    attr('ints_empty', A.INTS, {}),
    attr('undefined_type_with_f', A.UNDEFINED, { f: 2 }),
    create(AttributeProtoSchema, { name: 'no_type_with_i', i: 3n }),
    attr('float_with_stray_i', A.FLOAT, { f: 1, i: 2n }),
    attr('', A.INT, { i: 1n, docString: '' }),
    attr('unknown_type', 99 as A, {}),
    withUnknown(attr('unknown_field', A.INT, { i: 1n }), 500, 3),
  ];
}

/** Attributes of a function-body node bound to the caller's attributes (no value, only ref_attr_name). */
function refAttributes(): AttributeProto[] {
  return [
    attr('alpha', A.FLOAT, { refAttrName: 'alpha' }),
    attr('value', A.TENSOR, { refAttrName: 'init' }),
    attr('body', A.GRAPH, { refAttrName: 'body' }),
    attr('sp', A.SPARSE_TENSOR, { refAttrName: 'sp' }),
    attr('tp', A.TYPE_PROTO, { refAttrName: 'tp' }),
    attr('empty_ref', A.STRING, { refAttrName: '' }),
  ];
}

function deviceConfig() {
  return create(NodeDeviceConfigurationProtoSchema, {
    configurationId: 'cfg0',
    pipelineStage: 1,
    shardingSpec: [
      create(ShardingSpecProtoSchema, {
        tensorName: 'X',
        device: [0n, 1n],
        indexToDeviceGroupMap: [create(IntIntListEntryProtoSchema, { key: 0n, value: [0n, 1n] })],
        shardedDim: [create(ShardedDimProtoSchema, { axis: 0n, simpleSharding: [create(SimpleShardedDimProtoSchema, { dim: { case: 'dimParam', value: 'N' }, numShards: 2n })] })],
      }),
    ],
  });
}

function node(opType: string, input: string[], output: string[], init: MessageInitShape<typeof NodeProtoSchema> = {}): NodeProto {
  return create(NodeProtoSchema, { opType, input, output, ...init });
}

/**
 * A model with every field of the ONNX 1.20 ModelProto set at least once (in some variant), for an IR version and
 * a default-domain opset.
 */
export function fullModel(irVersion: number, opset: number): ModelProto {
  const tensors = everyTensor();
  const graph = create(GraphProtoSchema, {
    name: `full_ir${irVersion}_opset${opset}`,
    docString: 'every field',
    input: [
      vi('X', tensorType(T.FLOAT, ['N', 3], 'TENSOR'), { docString: 'the input', metadataProps: [kv('layout', 'NC')] }),
      vi('S', create(TypeProtoSchema, { value: { case: 'sequenceType', value: create(TypeProto_SequenceSchema, { elemType: tensorType(T.FLOAT) }) } })),
      vi('untyped'),
    ],
    initializer: tensors,
    sparseInitializer: [sparse('sparse_init'), create(SparseTensorProtoSchema, { values: tensor('sparse_2d', T.INT8, [1], { rawData: bytes(5) }), indices: tensor('sparse_2d_idx', T.INT64, [1, 2], { int64Data: [0n, 1n] }), dims: [2n, 2n] })],
    node: [
      node('Relu', ['X'], ['Y'], { name: 'relu', docString: 'node doc', metadataProps: [kv('k', 'v')] }),
      node('Custom', ['Y', '', 'f32_raw', 'sparse_init'], ['Z', ''], { name: 'custom', domain: 'com.example', overload: 'v2', attribute: everyAttribute('Y'), deviceConfigurations: [deviceConfig()] }),
      node('Add', ['Z', 'X'], ['W'], { domain: '' }), // domain present but empty
      node('LocalFn', ['W'], ['V'], { domain: 'local', attribute: [attr('alpha', A.FLOAT, { f: 0.5 })] }),
      node('LocalFn', ['V'], ['U'], { domain: 'local', overload: 'fast' }),
      withUnknown(node('Identity', ['U'], ['out'], { name: '' }), 77, 1),
    ],
    output: [vi('out', tensorType(T.FLOAT, ['N', 3])), vi('W', everyType()[0])],
    valueInfo: everyType().map((t, i) => vi(`vi${i}`, t)).concat([vi('Y', tensorType(T.FLOAT), { metadataProps: [kv('q', 'int8')] })]),
    quantizationAnnotation: [create(TensorAnnotationSchema, { tensorName: 'Y', quantParameterTensorNames: [kv('SCALE_TENSOR', 'f32_raw'), kv('ZERO_POINT_TENSOR', 'u8_raw')] })],
    metadataProps: [kv('graph_meta', '1')],
  });
  const fn = (overload: string) => create(FunctionProtoSchema, {
    name: 'LocalFn',
    domain: 'local',
    overload,
    input: ['a'],
    output: ['b'],
    attribute: ['body', 'sp', 'tp'],
    attributeProto: [attr('alpha', A.FLOAT, { f: 1 }), attr('init', A.TENSOR, { t: tensor('init', T.FLOAT, [1], { floatData: [0] }) })],
    node: [
      node('Constant', [], ['c'], { attribute: refAttributes().slice(1, 2) }),
      node('LeakyRelu', ['a'], ['l'], { attribute: refAttributes().slice(0, 1) }),
      node('Custom', ['l', 'c'], ['b'], { domain: 'com.example', attribute: refAttributes().slice(2) }),
    ],
    docString: 'a local function',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) }), create(OperatorSetIdProtoSchema, { domain: 'com.example', version: 1n })],
    valueInfo: [vi('l', tensorType(T.FLOAT))],
    metadataProps: [kv('fn', 'meta')],
  });
  const training = create(TrainingInfoProtoSchema, {
    initialization: create(GraphProtoSchema, {
      name: 'init',
      node: [node('RandomNormal', [], ['f32_fields_new'], { attribute: [attr('shape', A.INTS, { ints: [6n] })] })],
      output: [vi('f32_fields_new', tensorType(T.FLOAT, [6]))],
    }),
    algorithm: create(GraphProtoSchema, {
      name: 'algo',
      node: [node('Sub', ['f32_fields', 'f32_raw'], ['f32_fields_next'])],
      output: [vi('f32_fields_next')],
      initializer: [tensor('lr', T.FLOAT, [], { floatData: [0.01] })],
    }),
    initializationBinding: [kv('f32_fields', 'f32_fields_new')],
    updateBinding: [kv('f32_fields', 'f32_fields_next')],
  });
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(irVersion),
    opsetImport: [
      create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) }),
      create(OperatorSetIdProtoSchema, { domain: 'com.example', version: 1n }),
      create(OperatorSetIdProtoSchema, { domain: 'local', version: 1n }),
      create(OperatorSetIdProtoSchema, { version: 3n }), // domain absent
    ],
    producerName: 'quantforge-test',
    producerVersion: '',
    domain: 'ai.quantforge.test',
    modelVersion: 9007199254740993n, // not a safe integer
    docString: 'a model that uses every field',
    graph,
    metadataProps: [kv('author', 'tests'), kv('', '')],
    trainingInfo: [training, create(TrainingInfoProtoSchema)],
    functions: [fn(''), fn('fast')],
    configuration: [create(DeviceConfigurationProtoSchema, { name: 'cfg0', numDevices: 2, device: ['gpu:0', 'gpu:1'] })],
  });
  withUnknown(graph, 2000, 1);
  withUnknown(model.opsetImport[0]!, 30, 2);
  withUnknown(graph.input[0]!, 31, 3);
  withUnknown(graph.input[0]!.type!, 32, 4);
  withUnknown((graph.input[0]!.type!.value.value as { shape: { dim: object[] } }).shape.dim[0] as { $unknown?: unknown[] }, 33, 5);
  withUnknown(graph.metadataProps[0]!, 34, 6);
  withUnknown(model.functions[0]!, 35, 7);
  withUnknown(model.trainingInfo[0]!, 36, 8);
  withUnknown(graph.sparseInitializer[0]!, 37, 9);
  withUnknown(graph.quantizationAnnotation[0]!, 38, 10);
  return withUnknown(model, 1234, 9);
}

export function encodeModelProto(m: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, m);
}

export function encodeTensor(t: TensorProto): Uint8Array {
  return toBinary(TensorProtoSchema, t);
}

/** A small valid model: Y = Relu(X + W), with W as a raw_data initializer. */
export function smallModel(opts: { weights?: TensorProto[]; nodes?: NodeProto[]; irVersion?: number } = {}): ModelProto {
  const w = opts.weights ?? [tensor('W', T.FLOAT, [2, 2], { rawData: le(new Float32Array([1, 2, 3, 4])) })];
  return create(ModelProtoSchema, {
    irVersion: BigInt(opts.irVersion ?? 8),
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: 13n })],
    graph: create(GraphProtoSchema, {
      name: 'small',
      input: [vi('X', tensorType(T.FLOAT, [2, 2]))],
      initializer: w,
      node: opts.nodes ?? [node('Add', ['X', w[0]!.name], ['S']), node('Relu', ['S'], ['Y'])],
      output: [vi('Y', tensorType(T.FLOAT, [2, 2]))],
    }),
  });
}

export { tensor as tensorProto, node as nodeProto, le as littleEndianBytes, kv as entry };
