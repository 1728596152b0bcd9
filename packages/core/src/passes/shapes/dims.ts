import type { Dim } from '../../ir/graph.js';
import type { OpContext } from './types.js';

// Dim algebra. The rule everywhere: an inferred dim is either exactly right or null — never a guess.

/** Broadcasts two dims (ONNX multidirectional broadcasting); 'error' when two fixed sizes clash. */
export function broadcastDim(a: Dim, b: Dim): Dim | 'error' {
  if (a === b) return a;
  if (a === 1) return b;
  if (b === 1) return a;
  if (typeof a === 'number' && typeof b === 'number') return 'error';
  // A fixed size other than 1 wins over an unknown or symbolic dim: the other must be 1 or equal to it.
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return null;
}

/** Broadcasts shapes; null when any rank is unknown. Throws through ctx on clashing sizes. */
export function broadcastShapes(ctx: OpContext, shapes: (Dim[] | null | undefined)[]): Dim[] | null {
  if (shapes.some((s) => s === null || s === undefined)) return null;
  const all = shapes as Dim[][];
  const rank = Math.max(0, ...all.map((s) => s.length));
  const out: Dim[] = new Array<Dim>(rank).fill(1);
  for (const s of all) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = broadcastDim(out[j]!, s[i]!);
      if (d === 'error') ctx.fail(`shapes ${all.map(fmt).join(' and ')} cannot be broadcast`, { shapes: all });
      out[j] = d;
    }
  }
  return out;
}

/** Two dims that must be equal: the better known one, or 'error' when two fixed sizes differ. */
export function unifyDim(a: Dim, b: Dim): Dim | 'error' {
  if (a === b) return a;
  if (typeof a === 'number' && typeof b === 'number') return 'error';
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a ?? b;
}

/** A dim that is either a or b (If branches): kept when equal, else unknown. */
export function joinDim(a: Dim, b: Dim): Dim {
  return a === b ? a : null;
}

/** Product of dims: fixed sizes multiply; one symbol times 1 stays that symbol; anything else unknown. */
export function dimProduct(dims: readonly Dim[]): Dim {
  let n = 1;
  let sym: string | undefined;
  let unknown = false;
  for (const d of dims) {
    if (d === 0) return 0;
    if (typeof d === 'number') n *= d;
    else if (d === null || sym !== undefined) unknown = true;
    else sym = d;
  }
  if (unknown) return null;
  if (sym === undefined) return n;
  return n === 1 ? sym : null;
}

/** A fixed-size dim as a number, else undefined. */
export function num(d: Dim | undefined): number | undefined {
  return typeof d === 'number' ? d : undefined;
}

/** Normalizes a possibly negative axis against a rank, failing through ctx when out of range. */
export function normAxis(ctx: OpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank || !Number.isInteger(a)) ctx.fail(`axis ${axis} is out of range for rank ${rank}`, { axis, rank });
  return a;
}

export function fmt(shape: readonly Dim[] | null | undefined): string {
  if (!shape) return '?';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** Maps an arithmetic function over fixed sizes; null when either is not a fixed size. */
export function dimArith(a: Dim, b: Dim, f: (x: number, y: number) => number): Dim {
  if (typeof a !== 'number' || typeof b !== 'number') return null;
  const r = f(a, b);
  return Number.isFinite(r) ? r : null;
}

/** A shape of `rank` unknown dims; null when the rank itself is unknown or not a plausible rank. */
export function unknownOfRank(rank: number | undefined): Dim[] | null {
  // A rank comes from a declared shape of a shape-vector input; a wild value there must not allocate wildly.
  if (rank === undefined || !Number.isInteger(rank) || rank < 0 || rank > 1024) return null;
  return new Array<Dim>(rank).fill(null);
}
