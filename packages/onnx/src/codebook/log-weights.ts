import { dequantize, tensor, type LogEncoding, type Node, type QuantizedTensor, type Tensor } from '@quantforge/core';
import type { GraphEdit } from '../qdq/graph-edit.js';
import { logLadder } from '../simulated/log-ladder.js';
import type { Expansion } from './expand.js';
import { packPays, unpackedIndices, type IndexPacking } from './pack.js';

const DTYPE_INT32 = 6;

/**
 * Writes a log-encoded weight as a codebook of signed powers of two: the sign-magnitude codes stay as they are (int8,
 * int16 for ladders over 127 levels, int4 for at most 7 levels when `packing` is native), and a table of each
 * channel's `2L + 1` values `−2^…, …, 0, …, 2^…` is indexed by `code + L` (plus `c · (2L + 1)` along the channel
 * axis). With `'arithmetic'` packing and at most 7 levels, the unsigned `code + L` (fewer than 16 values) is stored
 * two or more per byte instead and unpacked in the graph (`unpackedIndices`). Values are core's `dequantize` levels,
 * so the expansion is bit-exact. Codes are checked by `dequantize` first.
 *
 * @example
 * ```ts
 * const { nodes, output } = expandLogWeight(edit, 'W', quantizeWith(logEncoding, w, dims));
 * ```
 */
export function expandLogWeight(edit: GraphEdit, name: string, q: QuantizedTensor & { codes: Tensor }, packing: IndexPacking = 'none'): Expansion {
  const e = q.encoding as LogEncoding;
  dequantize(q);
  const { levels: L, channels, magnitudes } = logLadder(e);
  const width = 2 * L + 1;
  const table = new Float32Array(channels * width);
  for (let c = 0; c < channels; c++) {
    for (let m = L; m >= 0; m--) {
      const v = magnitudes[c * (L + 1) + m]!;
      table[c * width + L - m] = -v;
      table[c * width + L + m] = v;
    }
  }
  const nodes: Node[] = [];
  const op = (opType: string, inputs: string[], suffix: string, attributes: Node['attributes'] = []): string => {
    const out = edit.names.take(`${name}_${suffix}`);
    nodes.push(edit.node(opType, `${name}_${suffix}_${opType}`, inputs, [out], attributes));
    return out;
  };
  const axis = e.axis === undefined ? undefined : e.axis < 0 ? e.axis + q.dims.length : e.axis;
  const channelOffsets = (extra: number): string =>
    edit.addConstant(`${name}_level_offset`, 'int32', q.dims.map((dim, i) => (i === axis ? dim : 1)), Array.from({ length: channels }, (_, c) => c * width + extra));
  const levels = edit.addInitializer(`${name}_levels`, tensor('float32', [table.length], table));
  if (packing === 'arithmetic' && packPays(q.codes.data.length, width)) {
    const shifted = Int32Array.from(q.codes.data as ArrayLike<number>, (c) => c + L);
    let index = unpackedIndices(edit, nodes, `${name}_codes`, shifted, width, [...q.dims]);
    if (axis !== undefined) index = op('Add', [index, channelOffsets(0)], 'level_indices');
    return { nodes, output: op('Gather', [levels, index], 'dequantized') };
  }
  const dtype = packing === 'native' && L <= 7 ? 'int4' : L <= 127 ? 'int8' : 'int16';
  const codes = tensor(dtype, q.dims, (dtype === 'int16' ? Int16Array : Int8Array).from(q.codes.data as ArrayLike<number>) as never);
  const stored = edit.addInitializer(`${name}_codes`, codes);
  const wide = op('Cast', [stored], 'codes_int32', [{ name: 'to', type: 'int', value: DTYPE_INT32 }]);
  const offset = axis === undefined ? edit.addConstant(`${name}_level_offset`, 'int32', [], [L]) : channelOffsets(L);
  const index = op('Add', [wide, offset], 'level_indices');
  return { nodes, output: op('Gather', [levels, index], 'dequantized') };
}
