/** A buffer to place in a tensor arena: its size and the first and last op (inclusive) that use it. */
export interface ArenaBuffer {
  id: number;
  bytes: number;
  firstUse: number;
  lastUse: number;
}

/** Where each buffer went and how big the arena must be. */
export interface ArenaPlan {
  offsets: Map<number, number>;
  /** High-water mark of the placement (the arena size). */
  arenaBytes: number;
  /** Largest sum of sizes of buffers live at one op: no placement can use less. */
  liveLowerBoundBytes: number;
}

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/**
 * Greedy-by-size placement in the manner of TFLite Micro's greedy memory planner: buffers are taken from the largest
 * down (ties: earlier first use, then id, so the plan is deterministic); each goes to the lowest aligned offset where
 * it overlaps no already placed buffer whose lifetime intersects its own.
 *
 * @param alignment byte alignment of every offset (TFLM aligns arena allocations to 16)
 * @example
 * ```ts
 * const plan = planArena([{ id: 0, bytes: 100, firstUse: 0, lastUse: 1 }, { id: 1, bytes: 50, firstUse: 1, lastUse: 2 }]);
 * plan.arenaBytes; // 162: both live at op 1, so buffer 1 goes to offset 112 (16-byte aligned after buffer 0)
 * ```
 */
export function planArena(buffers: readonly ArenaBuffer[], alignment = 16): ArenaPlan {
  const order = [...buffers].sort((a, b) => b.bytes - a.bytes || a.firstUse - b.firstUse || a.id - b.id);
  const placed: { b: ArenaBuffer; offset: number }[] = [];
  const offsets = new Map<number, number>();
  let arenaBytes = 0;
  for (const b of order) {
    const clashes = placed
      .filter((p) => p.b.firstUse <= b.lastUse && b.firstUse <= p.b.lastUse)
      .sort((x, y) => x.offset - y.offset);
    let offset = 0;
    for (const c of clashes) {
      if (offset + b.bytes <= c.offset) break;
      offset = Math.max(offset, align(c.offset + c.b.bytes, alignment));
    }
    placed.push({ b, offset });
    offsets.set(b.id, offset);
    arenaBytes = Math.max(arenaBytes, offset + b.bytes);
  }
  let liveLowerBoundBytes = 0;
  const steps = new Set(buffers.flatMap((b) => [b.firstUse, b.lastUse]));
  for (const s of steps) {
    const live = buffers.filter((b) => b.firstUse <= s && s <= b.lastUse).reduce((sum, b) => sum + b.bytes, 0);
    liveLowerBoundBytes = Math.max(liveLowerBoundBytes, live);
  }
  return { offsets, arenaBytes, liveLowerBoundBytes };
}
