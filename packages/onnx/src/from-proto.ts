import type {
  Attribute,
  AttributeValue,
  FunctionDef,
  Graph,
  Model,
  NamedTensor,
  Node,
  OpsetImport,
  SparseTensor,
  TrainingInfo,
  ValueInfo,
} from '@quantforge/core';
import {
  AttrType,
  hasField,
  residue,
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
import { invalidModel } from './errors.js';
import { restExtra } from './extra.js';
import { kvFromProto, kvListFromProto } from './key-value.js';
import { standInGraph, standInTensor, standInType, type AttributeExtra, type SparseExtra } from './stand-ins.js';
import { tensorFromProto, type TensorReadContext } from './tensor-data.js';
import { typeFromProto } from './types.js';

// ModelProto -> Model. Each converter lists the proto fields the IR holds ("consumed"); everything else (and the
// presence of default-valued fields, and unknown fields) goes to the object's `extra` as a residue.

type Ctx = TensorReadContext;

/** A 64-bit proto integer as a number when it is safe, else as a bigint. */
function int64(v: bigint): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

function optionalString(present: boolean, value: string): string | undefined {
  return present || value !== '' ? value : undefined;
}

function setExtra(target: { extra?: unknown }, rest: Uint8Array | undefined): void {
  const extra = restExtra(rest);
  if (extra) target.extra = extra;
}

export function opsetFromProto(o: OperatorSetIdProto): OpsetImport {
  const op: OpsetImport = { domain: o.domain, version: Number(o.version) };
  setExtra(op, residue('opset', o, ['domain', 'version']));
  return op;
}

export function valueInfoFromProto(v: ValueInfoProto): ValueInfo {
  const vi: ValueInfo = { name: v.name };
  if (v.type) vi.type = typeFromProto(v.type);
  const doc = optionalString(hasField('valueInfo', v, 'docString'), v.docString);
  if (doc !== undefined) vi.docString = doc;
  const meta = kvListFromProto(v.metadataProps);
  if (meta) vi.metadataProps = meta;
  setExtra(vi, residue('valueInfo', v, ['name', 'type', '?docString', 'metadataProps']));
  return vi;
}

function sparseFromProto(s: SparseTensorProto, ctx: Ctx): SparseTensor {
  const ex: SparseExtra = {};
  const values = s.values ? tensorFromProto(s.values, ctx) : (ex.valuesStandIn = standInTensor());
  const indices = s.indices ? tensorFromProto(s.indices, ctx) : (ex.indicesStandIn = standInTensor());
  const sp: SparseTensor = { values, indices, dims: s.dims.map((d) => Number(d)) };
  const rest = residue('sparseTensor', s, ['values', 'indices', 'dims']);
  if (rest) ex.rest = rest;
  if (Object.keys(ex).length > 0) sp.extra = ex;
  return sp;
}

/** The IR value of an attribute and the proto field holding it (undefined for UNDEFINED / unknown types). */
function attributeValue(a: AttributeProto, ctx: Ctx, ex: AttributeExtra): [AttributeValue, string | undefined] {
  switch (a.type) {
    case AttrType.FLOAT: return [{ type: 'float', value: a.f }, 'f'];
    case AttrType.INT: return [{ type: 'int', value: int64(a.i) }, 'i'];
    case AttrType.STRING: return [{ type: 'string', value: new Uint8Array(a.s) }, 's'];
    case AttrType.TENSOR:
      return [{ type: 'tensor', value: a.t ? tensorFromProto(a.t, ctx) : (ex.standIn = standInTensor()) }, 't'];
    case AttrType.GRAPH:
      return [{ type: 'graph', value: a.g ? graphFromProto(a.g, ctx) : (ex.standIn = standInGraph()) }, 'g'];
    case AttrType.SPARSE_TENSOR: {
      if (a.sparseTensor) return [{ type: 'sparse_tensor', value: sparseFromProto(a.sparseTensor, ctx) }, 'sparseTensor'];
      const standIn: SparseTensor = { values: standInTensor(), indices: standInTensor(), dims: [] };
      ex.standIn = standIn;
      return [{ type: 'sparse_tensor', value: standIn }, 'sparseTensor'];
    }
    case AttrType.TYPE_PROTO:
      return [{ type: 'type_proto', value: a.tp ? typeFromProto(a.tp) : (ex.standIn = standInType()) }, 'tp'];
    case AttrType.FLOATS: return [{ type: 'floats', value: [...a.floats] }, 'floats'];
    case AttrType.INTS: return [{ type: 'ints', value: a.ints.map(int64) }, 'ints'];
    case AttrType.STRINGS: return [{ type: 'strings', value: a.strings.map((s) => new Uint8Array(s)) }, 'strings'];
    case AttrType.TENSORS: return [{ type: 'tensors', value: a.tensors.map((t) => tensorFromProto(t, ctx)) }, 'tensors'];
    case AttrType.GRAPHS: return [{ type: 'graphs', value: a.graphs.map((g) => graphFromProto(g, ctx)) }, 'graphs'];
    case AttrType.SPARSE_TENSORS: return [{ type: 'sparse_tensors', value: a.sparseTensors.map((s) => sparseFromProto(s, ctx)) }, 'sparseTensors'];
    case AttrType.TYPE_PROTOS: return [{ type: 'type_protos', value: a.typeProtos.map(typeFromProto) }, 'typeProtos'];
    default: return [{ type: 'undefined' }, undefined];
  }
}

export function attributeFromProto(a: AttributeProto, ctx: Ctx): Attribute {
  const ex: AttributeExtra = {};
  const [value, field] = attributeValue(a, ctx, ex);
  const attr = { ...value, name: a.name } as Attribute;
  const ref = optionalString(hasField('attribute', a, 'refAttrName'), a.refAttrName);
  if (ref !== undefined) attr.refAttrName = ref;
  const doc = optionalString(hasField('attribute', a, 'docString'), a.docString);
  if (doc !== undefined) attr.docString = doc;
  // An UNDEFINED type carries no value the IR reads; its fields (old IR-version files set f/i/s without a type)
  // stay in the residue, as does the presence of `type` itself.
  const consumed = ['name', '?refAttrName', '?docString', 'type'];
  if (field) consumed.push(field);
  const rest = residue('attribute', a, consumed);
  if (rest) ex.rest = rest;
  if (Object.keys(ex).length > 0) attr.extra = ex;
  return attr;
}

export function nodeFromProto(n: NodeProto, ctx: Ctx): Node {
  const node: Node = {
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    inputs: [...n.input],
    outputs: [...n.output],
    attributes: n.attribute.map((a) => attributeFromProto(a, ctx)),
  };
  const doc = optionalString(hasField('node', n, 'docString'), n.docString);
  if (doc !== undefined) node.docString = doc;
  const overload = optionalString(hasField('node', n, 'overload'), n.overload);
  if (overload !== undefined) node.overload = overload;
  const meta = kvListFromProto(n.metadataProps);
  if (meta) node.metadataProps = meta;
  setExtra(node, residue('node', n, ['input', 'output', 'name', 'opType', 'domain', '?overload', 'attribute', '?docString', 'metadataProps']));
  return node;
}

function annotationFromProto(a: TensorAnnotation): NonNullable<Graph['quantizationAnnotation']>[number] {
  const out: NonNullable<Graph['quantizationAnnotation']>[number] = {
    tensorName: a.tensorName,
    quantParameterTensorNames: a.quantParameterTensorNames.map(kvFromProto),
  };
  setExtra(out, residue('annotation', a, ['tensorName', 'quantParameterTensorNames']));
  return out;
}

export function graphFromProto(g: GraphProto, ctx: Ctx): Graph {
  const initializers = new Map<string, NamedTensor>();
  for (const t of g.initializer) {
    if (initializers.has(t.name)) throw invalidModel(`graph "${g.name}" has two initializers named "${t.name}"`, { graph: g.name, initializer: t.name });
    initializers.set(t.name, tensorFromProto(t, ctx));
  }
  const graph: Graph = {
    name: g.name,
    nodes: g.node.map((n) => nodeFromProto(n, ctx)),
    inputs: g.input.map(valueInfoFromProto),
    outputs: g.output.map(valueInfoFromProto),
    valueInfo: g.valueInfo.map(valueInfoFromProto),
    initializers,
    sparseInitializers: g.sparseInitializer.map((s) => sparseFromProto(s, ctx)),
  };
  const doc = optionalString(hasField('graph', g, 'docString'), g.docString);
  if (doc !== undefined) graph.docString = doc;
  if (g.quantizationAnnotation.length > 0) graph.quantizationAnnotation = g.quantizationAnnotation.map(annotationFromProto);
  const meta = kvListFromProto(g.metadataProps);
  if (meta) graph.metadataProps = meta;
  setExtra(graph, residue('graph', g, [
    'node', 'name', 'initializer', 'sparseInitializer', '?docString', 'input', 'output', 'valueInfo', 'quantizationAnnotation', 'metadataProps',
  ]));
  return graph;
}

function functionFromProto(f: FunctionProto, ctx: Ctx): FunctionDef {
  const fn: FunctionDef = {
    name: f.name,
    domain: f.domain,
    inputs: [...f.input],
    outputs: [...f.output],
    attributes: [...f.attribute],
    attributeDefaults: f.attributeProto.map((a) => attributeFromProto(a, ctx)),
    nodes: f.node.map((n) => nodeFromProto(n, ctx)),
    opsetImports: f.opsetImport.map(opsetFromProto),
    valueInfo: f.valueInfo.map(valueInfoFromProto),
  };
  const overload = optionalString(hasField('function', f, 'overload'), f.overload);
  if (overload !== undefined) fn.overload = overload;
  const doc = optionalString(hasField('function', f, 'docString'), f.docString);
  if (doc !== undefined) fn.docString = doc;
  const meta = kvListFromProto(f.metadataProps);
  if (meta) fn.metadataProps = meta;
  setExtra(fn, residue('function', f, [
    'name', 'input', 'output', 'attribute', 'attributeProto', 'node', '?docString', 'opsetImport', 'domain', '?overload', 'valueInfo', 'metadataProps',
  ]));
  return fn;
}

function trainingFromProto(t: TrainingInfoProto, ctx: Ctx): TrainingInfo {
  const info: TrainingInfo = {
    initializationBinding: t.initializationBinding.map(kvFromProto),
    updateBinding: t.updateBinding.map(kvFromProto),
  };
  if (t.initialization) info.initialization = graphFromProto(t.initialization, ctx);
  if (t.algorithm) info.algorithm = graphFromProto(t.algorithm, ctx);
  setExtra(info, residue('training', t, ['initialization', 'algorithm', 'initializationBinding', 'updateBinding']));
  return info;
}

/** ModelProto to Model. Throws QF_ONNX_INVALID_MODEL when the model has no graph. */
export function modelFromProto(m: ModelProto, ctx: Ctx): Model {
  if (!m.graph) throw invalidModel('the model has no graph', {}, );
  const model: Model = {
    irVersion: Number(m.irVersion),
    opsetImports: m.opsetImport.map(opsetFromProto),
    graph: graphFromProto(m.graph, ctx),
  };
  const str = (name: 'producerName' | 'producerVersion' | 'domain' | 'docString'): string | undefined =>
    optionalString(hasField('model', m, name), m[name]);
  const producerName = str('producerName');
  if (producerName !== undefined) model.producerName = producerName;
  const producerVersion = str('producerVersion');
  if (producerVersion !== undefined) model.producerVersion = producerVersion;
  const domain = str('domain');
  if (domain !== undefined) model.domain = domain;
  if (hasField('model', m, 'modelVersion')) model.modelVersion = int64(m.modelVersion);
  const doc = str('docString');
  if (doc !== undefined) model.docString = doc;
  const meta = kvListFromProto(m.metadataProps);
  if (meta) model.metadataProps = meta;
  if (m.functions.length > 0) model.functions = m.functions.map((f) => functionFromProto(f, ctx));
  if (m.trainingInfo.length > 0) model.trainingInfo = m.trainingInfo.map((t) => trainingFromProto(t, ctx));
  setExtra(model, residue('model', m, [
    'irVersion', 'opsetImport', '?producerName', '?producerVersion', '?domain', '?modelVersion', '?docString', 'graph', 'metadataProps', 'trainingInfo', 'functions',
  ]));
  return model;
}
