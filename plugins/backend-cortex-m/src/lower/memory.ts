import { planArena, type MemoryPlan, type ProgramOp, type ProgramTensor, type TargetProfile } from '@quantforge/core';

/** TFLM aligns arena allocations to 16 bytes. */
export const ARENA_ALIGNMENT = 16;

function countIntegers(params: ProgramOp['params']): number {
  let n = 0;
  for (const v of Object.values(params)) n += Array.isArray(v) ? v.length : typeof v === 'number' ? 1 : 0;
  return n;
}

/**
 * Places the arena tensors (greedy by size over their lifetimes, see core's `planArena`) and sums flash: int8 weights
 * and constants, int32 biases, 4 bytes per integer op parameter (per-channel multipliers and shifts included), and the
 * estimated code size of each distinct kernel (`OpConstraint.codeBytes`). Writes every tensor's `offset`.
 */
export function planMemory(tensors: ProgramTensor[], ops: readonly ProgramOp[], inputs: readonly number[], outputs: readonly number[], profile: TargetProfile): MemoryPlan {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (const id of inputs) first.set(id, 0);
  ops.forEach((op, i) => {
    for (const id of [...op.inputs, ...op.outputs, ...(op.scratch === undefined ? [] : [op.scratch])]) {
      if (!first.has(id)) first.set(id, i);
      last.set(id, i);
    }
  });
  for (const id of outputs) last.set(id, Math.max(ops.length - 1, 0));
  const arena = tensors.filter((t) => t.placement === 'arena' && first.has(t.id));
  const plan = planArena(arena.map((t) => ({ id: t.id, bytes: t.bytes, firstUse: first.get(t.id)!, lastUse: last.get(t.id) ?? first.get(t.id)! })), ARENA_ALIGNMENT);
  for (const t of arena) t.offset = plan.offsets.get(t.id)!;
  let flashOffset = 0;
  let weightsBytes = 0;
  let biasBytes = 0;
  for (const t of tensors) {
    if (t.placement !== 'flash') continue;
    t.offset = flashOffset;
    flashOffset += Math.ceil(t.bytes / 4) * 4;
    if (t.dtype === 'int32' || t.dtype === 'int64') biasBytes += t.bytes;
    else weightsBytes += t.bytes;
  }
  const paramsBytes = ops.reduce((s, op) => s + 4 * countIntegers(op.params), 0);
  const codeBytes = [...new Set(ops.map((o) => o.targetOp))].reduce((s, k) => s + (profile.ops[k]?.codeBytes ?? 0), 0);
  const totalBytes = weightsBytes + biasBytes + paramsBytes + codeBytes;
  const part = profile.examplePart;
  return {
    arenaBytes: plan.arenaBytes,
    liveLowerBoundBytes: plan.liveLowerBoundBytes,
    flash: { weightsBytes, biasBytes, paramsBytes, codeBytes, totalBytes },
    fits: { part: part.name, ramBytes: part.ramBytes, flashBytes: part.flashBytes, ram: plan.arenaBytes <= part.ramBytes, flash: totalBytes <= part.flashBytes },
  };
}
