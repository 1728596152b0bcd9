import type { Attribute, FunctionDef, Graph, Model, Node, OpsetImport, SparseTensor, TrainingInfo, ValueInfo } from '@quantforge/core';
import {
  AttrType,
  newMessage,
  type AttributeProto,
  type FunctionProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type OperatorSetIdProto,
  type SparseTensorProto,
  type TensorAnnotation,
  type TrainingInfoProto,
  type ValueInfoProto,
} from './codec.js';
import { invalidModel, qfError } from './errors.js';
import { extraOf, restOf } from './extra.js';
import { kvListToProto, kvToProto } from './key-value.js';
import type { AttributeExtra, SparseExtra } from './stand-ins.js';
import { tensorToProto, type TensorWriteContext } from './tensor-data.js';
import { typeToProto } from './types.js';

// Model -> ModelProto, the mirror of from-proto.ts: start from the residue, then set what the IR holds. Scalar fields
// are written when they differ from the proto default (or when the IR keeps their presence itself, as optional fields).

type Ctx = TensorWriteContext;

function int64(v: number | bigint, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (!Number.isInteger(v)) throw qfError('QF_ONNX_ENCODE', `${what} must be an integer, is ${v}`, { value: v });
  return BigInt(v);
}

export function opsetToProto(o: OpsetImport): OperatorSetIdProto {
  const m = newMessage('opset', restOf(o.extra));
  if (o.domain !== '') m.domain = o.domain;
  if (o.version !== 0) m.version = int64(o.version, `opset version of domain "${o.domain}"`);
  return m;
}

export function valueInfoToProto(v: ValueInfo): ValueInfoProto {
  const m = newMessage('valueInfo', restOf(v.extra));
  if (v.name !== '') m.name = v.name;
  if (v.type) m.type = typeToProto(v.type);
  if (v.docString !== undefined) m.docString = v.docString;
  if (v.metadataProps) m.metadataProps = kvListToProto(v.metadataProps);
  return m;
}

function sparseToProto(s: SparseTensor, ctx: Ctx): SparseTensorProto {
  const ex = extraOf<SparseExtra>(s.extra);
  const m = newMessage('sparseTensor', ex?.rest instanceof Uint8Array ? ex.rest : undefined);
  if (s.values !== ex?.valuesStandIn) m.values = tensorToProto(s.values, ctx);
  if (s.indices !== ex?.indicesStandIn) m.indices = tensorToProto(s.indices, ctx);
  m.dims = s.dims.map((d) => int64(d, 'sparse tensor dimension'));
  return m;
}

const ATTR_TYPES: Record<Attribute['type'], number> = {
  undefined: AttrType.UNDEFINED,
  float: AttrType.FLOAT,
  int: AttrType.INT,
  string: AttrType.STRING,
  tensor: AttrType.TENSOR,
  graph: AttrType.GRAPH,
  sparse_tensor: AttrType.SPARSE_TENSOR,
  type_proto: AttrType.TYPE_PROTO,
  floats: AttrType.FLOATS,
  ints: AttrType.INTS,
  strings: AttrType.STRINGS,
  tensors: AttrType.TENSORS,
  graphs: AttrType.GRAPHS,
  sparse_tensors: AttrType.SPARSE_TENSORS,
  type_protos: AttrType.TYPE_PROTOS,
};

export function attributeToProto(a: Attribute, ctx: Ctx): AttributeProto {
  const ex = extraOf<AttributeExtra>(a.extra);
  const m = newMessage('attribute', ex?.rest instanceof Uint8Array ? ex.rest : undefined);
  if (a.name !== '') m.name = a.name;
  if (a.refAttrName !== undefined) m.refAttrName = a.refAttrName;
  if (a.docString !== undefined) m.docString = a.docString;
  const type = ATTR_TYPES[a.type];
  if (type === undefined) throw qfError('QF_ONNX_ENCODE', `attribute "${a.name}" has unknown type ${String(a.type)}`, { attribute: a.name });
  if (type !== AttrType.UNDEFINED) m.type = type;
  const isStandIn = ex?.standIn !== undefined && (a as { value?: unknown }).value === ex.standIn;
  switch (a.type) {
    case 'float': if (a.value !== 0 || Object.is(a.value, -0)) m.f = a.value; break;
    case 'int': if (a.value !== 0 && a.value !== 0n) m.i = int64(a.value, `attribute "${a.name}"`); break;
    case 'string': if (a.value.length > 0) m.s = a.value as Uint8Array<ArrayBuffer>; break;
    case 'tensor': if (!isStandIn) m.t = tensorToProto(a.value, ctx); break;
    case 'graph': if (!isStandIn) m.g = graphToProto(a.value, ctx); break;
    case 'sparse_tensor': if (!isStandIn) m.sparseTensor = sparseToProto(a.value, ctx); break;
    case 'type_proto': if (!isStandIn) m.tp = typeToProto(a.value); break;
    case 'floats': m.floats = [...a.value]; break;
    case 'ints': m.ints = a.value.map((v) => int64(v, `attribute "${a.name}"`)); break;
    case 'strings': m.strings = a.value as Uint8Array<ArrayBuffer>[]; break;
    case 'tensors': m.tensors = a.value.map((t) => tensorToProto(t, ctx)); break;
    case 'graphs': m.graphs = a.value.map((g) => graphToProto(g, ctx)); break;
    case 'sparse_tensors': m.sparseTensors = a.value.map((s) => sparseToProto(s, ctx)); break;
    case 'type_protos': m.typeProtos = a.value.map(typeToProto); break;
    case 'undefined': break;
  }
  return m;
}

export function nodeToProto(n: Node, ctx: Ctx): NodeProto {
  const m = newMessage('node', restOf(n.extra));
  m.input = [...n.inputs];
  m.output = [...n.outputs];
  if (n.name !== '') m.name = n.name;
  if (n.opType !== '') m.opType = n.opType;
  if (n.domain !== '') m.domain = n.domain;
  if (n.overload !== undefined) m.overload = n.overload;
  m.attribute = n.attributes.map((a) => attributeToProto(a, ctx));
  if (n.docString !== undefined) m.docString = n.docString;
  if (n.metadataProps) m.metadataProps = kvListToProto(n.metadataProps);
  return m;
}

function annotationToProto(a: NonNullable<Graph['quantizationAnnotation']>[number]): TensorAnnotation {
  const m = newMessage('annotation', restOf(a.extra));
  if (a.tensorName !== '') m.tensorName = a.tensorName;
  m.quantParameterTensorNames = a.quantParameterTensorNames.map(kvToProto);
  return m;
}

export function graphToProto(g: Graph, ctx: Ctx): GraphProto {
  const m = newMessage('graph', restOf(g.extra));
  m.node = g.nodes.map((n) => nodeToProto(n, ctx));
  if (g.name !== '') m.name = g.name;
  m.initializer = [...g.initializers].map(([key, t]) => {
    if (key !== t.name) throw invalidModel(`initializer "${key}" of graph "${g.name}" holds a tensor named "${t.name}"`, { graph: g.name, key, name: t.name });
    return tensorToProto(t, ctx);
  });
  m.sparseInitializer = g.sparseInitializers.map((s) => sparseToProto(s, ctx));
  if (g.docString !== undefined) m.docString = g.docString;
  m.input = g.inputs.map(valueInfoToProto);
  m.output = g.outputs.map(valueInfoToProto);
  m.valueInfo = g.valueInfo.map(valueInfoToProto);
  if (g.quantizationAnnotation) m.quantizationAnnotation = g.quantizationAnnotation.map(annotationToProto);
  if (g.metadataProps) m.metadataProps = kvListToProto(g.metadataProps);
  return m;
}

function functionToProto(f: FunctionDef, ctx: Ctx): FunctionProto {
  const m = newMessage('function', restOf(f.extra));
  if (f.name !== '') m.name = f.name;
  m.input = [...f.inputs];
  m.output = [...f.outputs];
  m.attribute = [...f.attributes];
  m.attributeProto = f.attributeDefaults.map((a) => attributeToProto(a, ctx));
  m.node = f.nodes.map((n) => nodeToProto(n, ctx));
  if (f.docString !== undefined) m.docString = f.docString;
  m.opsetImport = f.opsetImports.map(opsetToProto);
  if (f.domain !== '') m.domain = f.domain;
  if (f.overload !== undefined) m.overload = f.overload;
  m.valueInfo = f.valueInfo.map(valueInfoToProto);
  if (f.metadataProps) m.metadataProps = kvListToProto(f.metadataProps);
  return m;
}

function trainingToProto(t: TrainingInfo, ctx: Ctx): TrainingInfoProto {
  const m = newMessage('training', restOf(t.extra));
  if (t.initialization) m.initialization = graphToProto(t.initialization, ctx);
  if (t.algorithm) m.algorithm = graphToProto(t.algorithm, ctx);
  m.initializationBinding = t.initializationBinding.map(kvToProto);
  m.updateBinding = t.updateBinding.map(kvToProto);
  return m;
}

/** Model to ModelProto. */
export function modelToProto(model: Model, ctx: Ctx): ModelProto {
  if (!model || typeof model !== 'object' || !model.graph) throw invalidModel('the model has no graph');
  const m = newMessage('model', restOf(model.extra));
  if (model.irVersion !== 0) m.irVersion = int64(model.irVersion, 'irVersion');
  m.opsetImport = model.opsetImports.map(opsetToProto);
  if (model.producerName !== undefined) m.producerName = model.producerName;
  if (model.producerVersion !== undefined) m.producerVersion = model.producerVersion;
  if (model.domain !== undefined) m.domain = model.domain;
  if (model.modelVersion !== undefined) m.modelVersion = int64(model.modelVersion, 'modelVersion');
  if (model.docString !== undefined) m.docString = model.docString;
  m.graph = graphToProto(model.graph, ctx);
  if (model.metadataProps) m.metadataProps = kvListToProto(model.metadataProps);
  if (model.trainingInfo) m.trainingInfo = model.trainingInfo.map((t) => trainingToProto(t, ctx));
  if (model.functions) m.functions = model.functions.map((f) => functionToProto(f, ctx));
  return m;
}
