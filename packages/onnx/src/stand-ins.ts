import type { Graph, NamedTensor, SparseTensor, TypeInfo } from '@quantforge/core';

// Stand-ins for message-valued fields a proto left out (an attribute of type TENSOR without `t`, as function bodies
// write for attributes bound with ref_attr_name; a SparseTensorProto without values). The IR types require a value,
// so the decoder puts a stand-in there and remembers its identity in `extra`: while the IR still holds that very
// object, the encoder leaves the field out again.

export function standInTensor(): NamedTensor {
  return { name: '', tensor: { dtype: 'float32', dims: [0], data: new Float32Array(0) } };
}

export function standInGraph(): Graph {
  return { name: '', nodes: [], inputs: [], outputs: [], valueInfo: [], initializers: new Map(), sparseInitializers: [] };
}

export function standInType(): TypeInfo {
  return { kind: 'unknown' };
}

/** The codec's `extra` of an Attribute. */
export interface AttributeExtra {
  rest?: Uint8Array;
  /** The stand-in value for a message field the proto left out. */
  standIn?: NamedTensor | Graph | SparseTensor | TypeInfo;
}

/** The codec's `extra` of a SparseTensor. */
export interface SparseExtra {
  rest?: Uint8Array;
  valuesStandIn?: NamedTensor;
  indicesStandIn?: NamedTensor;
}
