import { sizeOf, stridesOf } from '@quantforge/core';
import type { KernelContext } from '../types.js';
import { kernelError } from './util.js';

// Multidirectional (numpy) broadcasting. Every binary/ternary elementwise kernel maps output positions to input
// positions through `broadcastMap`; identical shapes get no map at all (the fast path), scalars a constant map.

/** The broadcast shape of several shapes, or a coded error when two dims disagree and neither is 1. */
export function broadcastShape(shapes: readonly (readonly number[])[], ctx: KernelContext): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[off + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[off + i] = d;
      else throw kernelError(ctx, `shapes [${shapes.map((x) => x.join(',')).join('] [')}] do not broadcast`, { shapes: shapes.map((x) => [...x]) });
    }
  }
  return out;
}

/**
 * For each flat output position, the flat position in an input of dims `inDims` broadcast to `outDims`.
 * Returns `null` when the input already has the output's element count (same shape: identity).
 */
export function broadcastMap(inDims: readonly number[], outDims: readonly number[]): Int32Array | null {
  const n = sizeOf(outDims);
  const inCount = sizeOf(inDims);
  if (inCount === n && sameTail(inDims, outDims)) return null;
  const map = new Int32Array(n);
  if (inCount === 1 || n === 0) return map;
  const rank = outDims.length;
  const off = rank - inDims.length;
  const inStrides = stridesOf(inDims);
  // Stride of each output axis in the input (0 where the input is broadcast along it).
  const step = new Array<number>(rank).fill(0);
  for (let i = 0; i < inDims.length; i++) step[off + i] = inDims[i] === 1 ? 0 : inStrides[i]!;
  const counter = new Array<number>(rank).fill(0);
  let pos = 0;
  for (let o = 0; o < n; o++) {
    map[o] = pos;
    for (let ax = rank - 1; ax >= 0; ax--) {
      const c = counter[ax]! + 1;
      if (c < outDims[ax]!) {
        counter[ax] = c;
        pos += step[ax]!;
        break;
      }
      counter[ax] = 0;
      pos -= step[ax]! * (outDims[ax]! - 1);
    }
  }
  return map;
}

function sameTail(inDims: readonly number[], outDims: readonly number[]): boolean {
  const off = outDims.length - inDims.length;
  if (off < 0) return false;
  for (let i = 0; i < inDims.length; i++) if (inDims[i] !== outDims[off + i]) return false;
  for (let i = 0; i < off; i++) if (outDims[i] !== 1) return false;
  return true;
}

/** Output dims and one map per input for an elementwise op over `shapes`. */
export function broadcastAll(shapes: readonly (readonly number[])[], ctx: KernelContext): { dims: number[]; maps: (Int32Array | null)[] } {
  const dims = broadcastShape(shapes, ctx);
  return { dims, maps: shapes.map((s) => broadcastMap(s, dims)) };
}

/** Applies `f` over two broadcast operands into `out` (any indexable storage of matching kinds). */
export function binaryLoop<A, B, O>(
  a: ArrayLike<A>, ma: Int32Array | null,
  b: ArrayLike<B>, mb: Int32Array | null,
  out: { [i: number]: O; length: number },
  f: (x: A, y: B) => O,
): void {
  const n = out.length;
  if (!ma && !mb) {
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
  } else if (!ma && mb) {
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[mb[i]!]!);
  } else if (ma && !mb) {
    for (let i = 0; i < n; i++) out[i] = f(a[ma[i]!]!, b[i]!);
  } else {
    for (let i = 0; i < n; i++) out[i] = f(a[ma![i]!]!, b[mb![i]!]!);
  }
}
