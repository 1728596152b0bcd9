import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';

/**
 * The graph IR. It models what real ONNX models carry — every tensor type, symbolic dims, every attribute kind,
 * subgraphs reading outer-scope values, several opset domains, metadata — so that a model loaded and saved unchanged
 * comes back byte-identical. Fields the IR does not interpret travel in `extra` (opaque to everyone but the codec).
 */

/** A dimension: a fixed size, a symbolic name (`"batch"`), or unknown (`null`). */
export type Dim = number | string | null;

/** ONNX type of a value. */
export type TypeInfo =
  | { kind: 'tensor'; elemType: DType | 'undefined'; shape?: Dim[]; denotation?: string; extra?: unknown }
  | { kind: 'sparse_tensor'; elemType: DType | 'undefined'; shape?: Dim[]; denotation?: string; extra?: unknown }
  | { kind: 'sequence'; elem?: TypeInfo; denotation?: string; extra?: unknown }
  | { kind: 'map'; keyType: DType | 'undefined'; value?: TypeInfo; denotation?: string; extra?: unknown }
  | { kind: 'optional'; elem?: TypeInfo; denotation?: string; extra?: unknown }
  | { kind: 'unknown'; denotation?: string; extra?: unknown };

/** A named, typed value (graph input, output, or annotated intermediate). */
export interface ValueInfo {
  name: string;
  type?: TypeInfo;
  docString?: string;
  metadataProps?: KeyValue[];
  extra?: unknown;
}

export interface KeyValue {
  key: string;
  value: string;
  extra?: unknown;
}

/** A sparse tensor: values at flat or coordinate indices of a dense shape. */
export interface SparseTensor {
  values: NamedTensor;
  indices: NamedTensor;
  dims: number[];
  extra?: unknown;
}

/** A tensor with the name and documentation ONNX attaches to it. */
export interface NamedTensor {
  name: string;
  tensor: Tensor;
  docString?: string;
  /** Set when the data lives in an external file; the codec reads and writes it. */
  externalData?: ExternalDataRef;
  metadataProps?: KeyValue[];
  extra?: unknown;
}

export interface ExternalDataRef {
  location: string;
  offset?: number;
  length?: number;
  checksum?: string;
  /** Other key/value entries of TensorProto.external_data, kept in order. */
  entries?: KeyValue[];
}

/** Attribute values, one variant per ONNX AttributeType. */
export type AttributeValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number | bigint }
  | { type: 'string'; value: Uint8Array }
  | { type: 'tensor'; value: NamedTensor }
  | { type: 'graph'; value: Graph }
  | { type: 'sparse_tensor'; value: SparseTensor }
  | { type: 'type_proto'; value: TypeInfo }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: (number | bigint)[] }
  | { type: 'strings'; value: Uint8Array[] }
  | { type: 'tensors'; value: NamedTensor[] }
  | { type: 'graphs'; value: Graph[] }
  | { type: 'sparse_tensors'; value: SparseTensor[] }
  | { type: 'type_protos'; value: TypeInfo[] }
  | { type: 'undefined' };

export type Attribute = AttributeValue & {
  name: string;
  docString?: string;
  /** Reference to an attribute of the enclosing function (ONNX `ref_attr_name`). */
  refAttrName?: string;
  extra?: unknown;
};

/** One operator application. Inputs may be `''` for an omitted optional input. */
export interface Node {
  name: string;
  opType: string;
  /** '' (or 'ai.onnx') for the default domain. */
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Attribute[];
  docString?: string;
  overload?: string;
  metadataProps?: KeyValue[];
  extra?: unknown;
}

/**
 * A graph: nodes in file order (not necessarily topological; `topologicalOrder` sorts), inputs, outputs,
 * initializers keyed by name in file order. A subgraph may read values of its enclosing graphs by name.
 */
export interface Graph {
  name: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
  initializers: Map<string, NamedTensor>;
  sparseInitializers: SparseTensor[];
  docString?: string;
  quantizationAnnotation?: { tensorName: string; quantParameterTensorNames: KeyValue[]; extra?: unknown }[];
  metadataProps?: KeyValue[];
  extra?: unknown;
}

export interface OpsetImport {
  domain: string;
  version: number;
  extra?: unknown;
}

/**
 * A model-local function (ONNX `FunctionProto`): nodes of type `name` in domain `domain` (and `overload`) are calls
 * of it. Its body reads only its own inputs and the values its nodes produce.
 */
export interface FunctionDef {
  name: string;
  domain: string;
  overload?: string;
  inputs: string[];
  outputs: string[];
  /** Attribute names the function declares without a default value. */
  attributes: string[];
  /** Attributes the function declares with a default value. */
  attributeDefaults: Attribute[];
  nodes: Node[];
  opsetImports: OpsetImport[];
  valueInfo: ValueInfo[];
  docString?: string;
  metadataProps?: KeyValue[];
  extra?: unknown;
}

/** ONNX `TrainingInfoProto`: the graphs that initialize and update trainable state. */
export interface TrainingInfo {
  initialization?: Graph;
  algorithm?: Graph;
  initializationBinding: KeyValue[];
  updateBinding: KeyValue[];
  extra?: unknown;
}

/** A whole model. */
export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number | bigint;
  docString?: string;
  graph: Graph;
  metadataProps?: KeyValue[];
  /** Model-local functions (absent when the model has none). */
  functions?: FunctionDef[];
  /** Training information (absent when the model has none). */
  trainingInfo?: TrainingInfo[];
  /** Anything else the IR does not interpret (device configurations, unknown fields, ...); the codec owns its shape. */
  extra?: unknown;
}

/** Reads an attribute by name. */
export function getAttribute(node: Node, name: string): Attribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

/** Opset version of a domain ('' and 'ai.onnx' are the same), or undefined if the model does not import it. */
export function opsetVersion(model: Model, domain = ''): number | undefined {
  const d = domain === 'ai.onnx' ? '' : domain;
  return model.opsetImports.find((o) => (o.domain === 'ai.onnx' ? '' : o.domain) === d)?.version;
}
