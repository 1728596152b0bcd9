import { sizeOf, type Attribute, type Model, type Tensor } from '@quantforge/core';
import { rawByteLength } from './packing.js';
import { walkModel } from './walk.js';

/** Parameter counts of a model. */
export interface ModelStats {
  /** Elements of every initializer (dense and sparse) and every tensor held by a Constant node, in all graphs. */
  parameterCount: number;
  /** Bytes those elements take in ONNX storage (int4 packed two per byte; strings as UTF-8). */
  parameterBytes: number;
}

/** Bytes of a tensor's data as ONNX stores it. */
export function tensorByteLength(t: Tensor): number {
  if (t.dtype === 'string') {
    let n = 0;
    for (const s of t.data as string[]) n += Buffer.byteLength(s, 'utf8');
    return n;
  }
  return rawByteLength(t.dtype, sizeOf(t.dims));
}

const CONSTANT_VALUE_BYTES: Partial<Record<string, number>> = { value_float: 4, value_floats: 4, value_int: 8, value_ints: 8 };

/**
 * Counts parameters: initializers and sparse initializers, plus the tensors of `Constant` nodes (exporters such as
 * Paddle2ONNX keep every weight there), in the main graph, in subgraphs, in function bodies and training graphs.
 * A sparse tensor counts its stored values; its bytes include the indices.
 */
export function modelStats(model: Model): ModelStats {
  let parameterCount = 0;
  let parameterBytes = 0;
  const add = (t: Tensor): void => {
    parameterCount += sizeOf(t.dims);
    parameterBytes += tensorByteLength(t);
  };
  const constantAttr = (a: Attribute): void => {
    switch (a.type) {
      case 'tensor': add(a.value.tensor); break;
      case 'sparse_tensor': add(a.value.values.tensor); parameterBytes += tensorByteLength(a.value.indices.tensor); break;
      case 'float': case 'int': parameterCount += 1; parameterBytes += CONSTANT_VALUE_BYTES[a.name] ?? 0; break;
      case 'floats': case 'ints': parameterCount += a.value.length; parameterBytes += a.value.length * (CONSTANT_VALUE_BYTES[a.name] ?? 0); break;
      case 'string': parameterCount += 1; parameterBytes += a.value.length; break;
      case 'strings': parameterCount += a.value.length; for (const s of a.value) parameterBytes += s.length; break;
      default: break;
    }
  };
  walkModel(model, {
    graph(g) {
      for (const t of g.initializers.values()) add(t.tensor);
      for (const s of g.sparseInitializers) {
        add(s.values.tensor);
        parameterBytes += tensorByteLength(s.indices.tensor);
      }
    },
    node(n) {
      if (n.opType !== 'Constant' || (n.domain !== '' && n.domain !== 'ai.onnx')) return;
      for (const a of n.attributes) if (!a.refAttrName) constantAttr(a);
    },
  });
  return { parameterCount, parameterBytes };
}
