import { tensor, type Node } from '@quantforge/core';
import type { GraphEdit } from '../qdq/graph-edit.js';

const DTYPE_INT32 = 6;

/**
 * How narrow indices are stored: `'none'` whole bytes (uint8 / uint16 / int32 by range); `'native'` ONNX 4-bit types
 * (uint4 / int4, opset 21+); `'arithmetic'` several indices per uint8 byte, unpacked in the graph with integer
 * Div / Mul / Sub (opset 7) and, for a count the byte width does not divide, a Slice (opset 10) — for tensors large
 * enough that this saves bytes ({@link packPays}).
 */
export type IndexPacking = 'none' | 'native' | 'arithmetic';

/** Opset of the Slice (starts / ends as inputs) that cuts the unpacked tail or a codebook row's padding. */
export const OPSET_SLICE_INPUTS = 10;

/**
 * Bits per index when `levels` distinct values 0…levels−1 are packed into bytes: 1, 2 or 4 (so a byte holds 8, 4 or 2
 * whole indices; 3-bit indices take 4 bits, as 8 / 3 is not whole), or undefined above 16 levels.
 *
 * @example
 * ```ts
 * packWidth(16); // 4
 * packWidth(3); // 2
 * packWidth(17); // undefined
 * ```
 */
export function packWidth(levels: number): 1 | 2 | 4 | undefined {
  return levels <= 2 ? 1 : levels <= 4 ? 2 : levels <= 16 ? 4 : undefined;
}

/**
 * Packs `values` (integers in 0…2^width−1) into `⌈n / (8 / width)⌉` bytes in planes: byte i holds value
 * `j · part + i` at bits `width · j`, where `part` is the byte count. Planes rather than neighbours, so that unpacking
 * is one Concat of digit planes instead of an interleave.
 *
 * @example
 * ```ts
 * packPlanes([1, 2, 3], 4); // Uint8Array [0x31, 0x02]: bytes hold (1, 3) and (2, 0)
 * ```
 */
export function packPlanes(values: ArrayLike<number>, width: 1 | 2 | 4): Uint8Array {
  const perByte = 8 / width;
  const part = Math.ceil(values.length / perByte);
  const out = new Uint8Array(part);
  for (let j = 0; j < perByte; j++) {
    for (let i = 0; i < part; i++) {
      const s = j * part + i;
      if (s < values.length) out[i]! |= values[s]! << (width * j);
    }
  }
  return out;
}

/** Whether {@link unpackedIndices} of `count` values at `width` bits needs a Slice (opset 10) for the tail. */
export function unpackNeedsSlice(count: number, width: 1 | 2 | 4): boolean {
  return count % (8 / width) !== 0;
}

/**
 * Bytes saved must exceed this for packing to pay: the unpacking ops, their names and constants take about 700 bytes
 * of protobuf (about 1 000 with the tail Slice), so tensors of fewer than ~2 200 4-bit indices stay whole bytes.
 */
export const PACK_MIN_SAVING = 1100;

/** Whether packing `count` indices of `levels` values saves more than the unpacking ops cost (see {@link PACK_MIN_SAVING}). */
export function packPays(count: number, levels: number): boolean {
  const width = packWidth(levels);
  return width !== undefined && count - Math.ceil(count / (8 / width)) > PACK_MIN_SAVING;
}

/**
 * Stores `values` (integers in 0…levels−1, levels ≤ 16) packed by {@link packPlanes} as a uint8 initializer and
 * appends the nodes that rebuild them as int32 of shape `dims`, the same few ops for any width: Cast to int32 `[part]`,
 * a broadcast integer Div by the plane weights `[1, 2^w, 2^2w, …]ᵀ` giving `[planes, part]` (Div of non-negative
 * integers is floor), the low w bits of each as `q − (q / 2^w) · 2^w`, then a Reshape; when the planes overrun the
 * count, a Slice (opset 10) of the first `count` before the final Reshape. Returns the int32 value's name.
 *
 * @example
 * ```ts
 * const idx = unpackedIndices(edit, nodes, 'W_indices', codes, 16, [rows, perRow]); // int32 [rows, perRow]
 * ```
 */
export function unpackedIndices(edit: GraphEdit, nodes: Node[], name: string, values: ArrayLike<number>, levels: number, dims: number[]): string {
  const width = packWidth(levels)!;
  const perByte = 8 / width;
  const op = (opType: string, inputs: string[], suffix: string, attributes: Node['attributes'] = []): string => {
    const out = edit.names.take(`${name}_${suffix}`);
    nodes.push(edit.node(opType, `${name}_${suffix}_${opType}`, inputs, [out], attributes));
    return out;
  };
  const bytes = packPlanes(values, width);
  const stored = edit.addInitializer(`${name}_packed`, tensor('uint8', [bytes.length], bytes));
  const wide = op('Cast', [stored], 'packed_int32', [{ name: 'to', type: 'int', value: DTYPE_INT32 }]);
  const weights = edit.addConstant(`${name}_plane_weights`, 'int32', [perByte, 1], Array.from({ length: perByte }, (_, j) => 2 ** (width * j)));
  const radix = edit.addConstant(`${name}_radix`, 'int32', [], [2 ** width]);
  const shifted = op('Div', [wide, weights], 'planes_shifted');
  const high = op('Mul', [op('Div', [shifted, radix], 'planes_high'), radix], 'planes_high_scaled');
  const planes = op('Sub', [shifted, high], 'planes');
  if (!unpackNeedsSlice(values.length, width)) {
    return op('Reshape', [planes, edit.addConstant(`${name}_unpacked_shape`, 'int64', [dims.length], dims.map(BigInt))], 'int32');
  }
  const flat = op('Reshape', [planes, edit.addConstant(`${name}_flat_shape`, 'int64', [1], [BigInt(perByte * bytes.length)])], 'unpacked');
  const starts = edit.addConstant(`${name}_starts`, 'int64', [1], [0n]);
  const ends = edit.addConstant(`${name}_ends`, 'int64', [1], [BigInt(values.length)]);
  const cut = op('Slice', [flat, starts, ends], 'unpacked_count');
  return op('Reshape', [cut, edit.addConstant(`${name}_unpacked_shape`, 'int64', [dims.length], dims.map(BigInt))], 'int32');
}
