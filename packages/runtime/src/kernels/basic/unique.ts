import { attrInt } from '@quantforge/core';
import type { Kernel, KernelTable } from '../types.js';
import { need, normAxis, numbers, splitAt, take } from './util.js';

// Unique over elements (no axis: the flattened tensor) or over slices along an axis. Sorted order compares slices
// lexicographically; unsorted order is that of first occurrence.

type Value = number | bigint | string;

function compare(a: Value[], b: Value[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

const unique: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, ctx);
  const axisAttr = attrInt(ctx.node, 'axis');
  const sorted = attrInt(ctx.node, 'sorted', 1) === 1;
  const base = axisAttr === undefined ? { ...x, dims: [x.data.length] } : x;
  const axis = axisAttr === undefined ? 0 : normAxis(axisAttr, x.dims.length, ctx);
  const [outer, len, inner] = splitAt(base.dims, axis);
  const vals = (x.dtype === 'float16' || x.dtype === 'bfloat16' ? numbers(x, ctx) : x.data) as ArrayLike<Value>;
  const slice = (k: number): Value[] => {
    const s: Value[] = [];
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) s.push(vals[(o * len + k) * inner + i]!);
    return s;
  };
  const firsts: number[] = [];
  const keys: Value[][] = [];
  const counts: number[] = [];
  const group = new Map<string, number>();
  const inverse: number[] = [];
  for (let k = 0; k < len; k++) {
    const s = slice(k);
    const key = s.map(String).join('\u0001');
    let g = group.get(key);
    if (g === undefined) {
      g = firsts.length;
      group.set(key, g);
      firsts.push(k);
      keys.push(s);
      counts.push(0);
    }
    counts[g]!++;
    inverse.push(g);
  }
  const order = firsts.map((_, g) => g);
  if (sorted) order.sort((a, b) => compare(keys[a]!, keys[b]!));
  const rank = new Array<number>(order.length);
  order.forEach((g, r) => (rank[g] = r));
  const picked = order.map((g) => firsts[g]!);
  const dims = [...base.dims];
  dims[axis] = picked.length;
  const map = new Int32Array(outer * picked.length * inner);
  let p = 0;
  for (let o = 0; o < outer; o++) for (const k of picked) for (let i = 0; i < inner; i++) map[p++] = (o * len + k) * inner + i;
  const i64 = (v: number[]) => ({ dtype: 'int64' as const, dims: [v.length], data: BigInt64Array.from(v, BigInt) });
  return [take(base, map, dims), i64(picked), i64(inverse.map((g) => rank[g]!)), i64(order.map((g) => counts[g]!))];
};

export const UNIQUE_KERNELS: KernelTable = { Unique: unique };
