import {
  codebookGroupOf, codebookIndexDtype, codebookShape, dequantize, tensor,
  type CodebookEncoding, type Node, type QuantizedTensor, type Tensor,
} from '@quantforge/core';
import type { GraphEdit } from '../qdq/graph-edit.js';
import { packPays, unpackedIndices, type IndexPacking } from './pack.js';

const DTYPE_INT32 = 6;

/** Nodes to place (at the front of the graph) and the value holding the expanded float weight. */
export interface Expansion {
  nodes: Node[];
  output: string;
}

/** Opset from which 4-bit index and code initializers (uint4 / int4, cast to int32) can be written. */
export const OPSET_PACKED_INDICES = 21;

/**
 * One stage's indices `[rows, perRow]` in the narrowest index type for `k` (uint4 for k ≤ 16 when `packing` is
 * native), copied out of the `[stages, …]` codes.
 */
function stageIndices(codes: Tensor, stage: number, rows: number, perRow: number, k: number, native: boolean): Tensor {
  const count = rows * perRow;
  const src = codes.data as ArrayLike<number>;
  const dtype = native && k <= 16 ? 'uint4' : codebookIndexDtype(k);
  const t = tensor(dtype, [rows, perRow]);
  const dst = t.data as Uint8Array | Uint16Array | Int32Array;
  for (let i = 0; i < count; i++) dst[i] = src[stage * count + i]!;
  return t;
}

/** The inverse of an ONNX Transpose permutation. */
function inversePerm(perm: readonly number[]): number[] {
  const out = new Array<number>(perm.length);
  perm.forEach((p, k) => (out[p] = k));
  return out;
}

/**
 * Writes a codebook weight as a compressed initializer pair and the ops that expand it: per stage an index tensor
 * `[rows, perRow]` (uint8 for k ≤ 256, else uint16 / int32; with `packing` `'native'` uint4 for k ≤ 16, which needs
 * opset {@link OPSET_PACKED_INDICES}; with `'arithmetic'` 2, 4 or 8 indices per byte for k ≤ 16, 4 or 2, see
 * `unpackedIndices`) cast to int32, offset by its codebook's first centroid (channel grouping: per row; product
 * quantization: per sub-vector position), a `Gather` from the `[groups·k, d]` centroids giving `[rows, perRow, d]`,
 * the residual stage added, then `Reshape` to the layout's transposed dims and the inverse `Transpose` back to the
 * weight's dims. A padded layout (`layout.pad`) is reshaped to `[rows, perRow·d]` and sliced to the first `rowLength`
 * columns first, so the padding never reaches the consumer. The result equals core's `dequantize` bit for bit (the
 * same float32 values, the same single float32 addition for residuals). Codes are checked by `dequantize` first.
 *
 * @example
 * ```ts
 * const { nodes, output } = expandCodebook(edit, 'W', quantizeWith(e, w, dims));
 * edit.insertAfterProducerOf('W', nodes);
 * ```
 */
export function expandCodebook(edit: GraphEdit, name: string, q: QuantizedTensor & { codes: Tensor }, packing: IndexPacking = 'none'): Expansion {
  const e = q.encoding as CodebookEncoding;
  dequantize(q);
  const dims = q.dims;
  const { rows, perRow } = codebookShape(e, dims.reduce((a, b) => a * b, 1));
  const d = e.subvectorLength;
  const nodes: Node[] = [];
  const op = (opType: string, inputs: string[], suffix: string, attributes: Node['attributes'] = []): string => {
    const out = edit.names.take(`${name}_${suffix}`);
    nodes.push(edit.node(opType, `${name}_${suffix}_${opType}`, inputs, [out], attributes));
    return out;
  };
  const stage = (index: number, centroids: Float32Array, k: number, prefix: string): string => {
    let at: string;
    const count = rows * perRow;
    if (packing === 'arithmetic' && packPays(count, k)) {
      at = unpackedIndices(edit, nodes, `${name}_${prefix}indices`, (q.codes.data as Uint8Array | Uint16Array | Int32Array).subarray(index * count, (index + 1) * count), k, [rows, perRow]);
    } else {
      const indices = stageIndices(q.codes, index, rows, perRow, k, packing === 'native');
      const stored = edit.addInitializer(`${name}_${prefix}indices`, indices);
      at = indices.dtype === 'int32' ? stored : op('Cast', [stored], `${prefix}indices_int32`, [{ name: 'to', type: 'int', value: DTYPE_INT32 }]);
    }
    if (e.grouping === 'subspace') {
      const offsets = Array.from({ length: perRow }, (_, t) => codebookGroupOf(e, rows, 0, t) * k);
      at = op('Add', [at, edit.addConstant(`${name}_${prefix}codebook_offsets`, 'int32', [perRow], offsets)], `${prefix}centroid_indices`);
    } else if (e.grouping === 'channel' && e.groups > 1) {
      const offsets = Array.from({ length: rows }, (_, r) => codebookGroupOf(e, rows, r, 0) * k);
      at = op('Add', [at, edit.addConstant(`${name}_${prefix}codebook_offsets`, 'int32', [rows, 1], offsets)], `${prefix}centroid_indices`);
    }
    const table = edit.addInitializer(`${name}_${prefix}centroids`, tensor('float32', [e.groups * k, d], Float32Array.from(centroids)));
    return op('Gather', [table, at], `${prefix}subvectors`);
  };
  let vectors = stage(0, e.centroids, e.k, '');
  if (e.residual !== undefined) vectors = op('Add', [vectors, stage(1, e.residual.centroids, e.residual.k, 'residual_')], 'summed_subvectors');
  const pad = e.layout.pad ?? 0;
  if (pad > 0) {
    const rowsShape = edit.addConstant(`${name}_padded_rows_shape`, 'int64', [2], [BigInt(rows), BigInt(perRow * d)]);
    const padded = op('Reshape', [vectors, rowsShape], 'padded_rows');
    const starts = edit.addConstant(`${name}_row_starts`, 'int64', [1], [0n]);
    const ends = edit.addConstant(`${name}_row_ends`, 'int64', [1], [BigInt(e.layout.rowLength)]);
    const axes = edit.addConstant(`${name}_row_axes`, 'int64', [1], [1n]);
    vectors = op('Slice', [padded, starts, ends, axes], 'rows');
  }
  const perm = e.layout.perm;
  const identity = perm === undefined || perm.every((p, i) => p === i);
  const laidOut = identity ? [...dims] : perm.map((p) => dims[p]!);
  const shape = edit.addConstant(`${name}_${identity ? '' : 'layout_'}shape`, 'int64', [laidOut.length], laidOut.map(BigInt));
  const reshaped = op('Reshape', [vectors, shape], identity ? 'dequantized' : 'laid_out');
  if (identity) return { nodes, output: reshaped };
  return { nodes, output: op('Transpose', [reshaped], 'dequantized', [{ name: 'perm', type: 'ints', value: inversePerm(perm) }]) };
}
