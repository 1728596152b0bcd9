import { describe, expect, it } from 'vitest';
import { planArena } from '../../src/backend/arena.js';

describe('planArena (greedy by size)', () => {
  it('reuses memory along a chain: peak = the largest pair of neighbours', () => {
    // a(64) op 0 → b(32) ops 0–1 → c(48) ops 1–2 → d(16) op 2. Largest first: a at 0; c at 0 (a is dead by op 1);
    // b clashes with a and c → 64; d clashes with c only → 48.
    const p = planArena([
      { id: 0, bytes: 64, firstUse: 0, lastUse: 0 },
      { id: 1, bytes: 32, firstUse: 0, lastUse: 1 },
      { id: 2, bytes: 48, firstUse: 1, lastUse: 2 },
      { id: 3, bytes: 16, firstUse: 2, lastUse: 2 },
    ]);
    expect([...p.offsets.entries()].sort((x, y) => x[0] - y[0])).toEqual([[0, 0], [1, 64], [2, 0], [3, 48]]);
    expect(p.arenaBytes).toBe(96);
    expect(p.liveLowerBoundBytes).toBe(96);
  });

  it('keeps both branches of a fork alive until they join', () => {
    // x(40) ops 0–2 feeds p(30) ops 1–3 and q(20) ops 2–3, which join into r(10) at op 3.
    // x at 0; p at 48 (16-aligned after x); q clashes with x and p → 80; r fits below p → 0. Peak 100, live bound 90.
    const p = planArena([
      { id: 0, bytes: 40, firstUse: 0, lastUse: 2 },
      { id: 1, bytes: 30, firstUse: 1, lastUse: 3 },
      { id: 2, bytes: 20, firstUse: 2, lastUse: 3 },
      { id: 3, bytes: 10, firstUse: 3, lastUse: 3 },
    ]);
    expect(p.offsets.get(1)).toBe(48);
    expect(p.offsets.get(2)).toBe(80);
    expect(p.offsets.get(3)).toBe(0);
    expect(p.arenaBytes).toBe(100);
    expect(p.liveLowerBoundBytes).toBe(90);
  });

  it('packs tightly with alignment 1 and is deterministic on ties', () => {
    const buffers = [
      { id: 0, bytes: 10, firstUse: 0, lastUse: 1 },
      { id: 1, bytes: 10, firstUse: 0, lastUse: 1 },
    ];
    const p = planArena(buffers, 1);
    expect(p.offsets.get(0)).toBe(0);
    expect(p.offsets.get(1)).toBe(10);
    expect(p.arenaBytes).toBe(20);
    expect(planArena([...buffers].reverse(), 1).offsets).toEqual(p.offsets);
  });
});
