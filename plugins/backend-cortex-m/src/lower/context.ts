import type { Node, ProgramOp, TargetProfile } from '@quantforge/core';
import type { ClampBounds } from '../activation.js';
import type { GraphView } from '../graph-view.js';
import type { KernelVariant } from '../profiles/op-table.js';
import type { ProgramBuilder } from './builder.js';

/** What every op lowering reads. */
export interface LowerContext {
  g: GraphView;
  b: ProgramBuilder;
  profile: TargetProfile;
  variant: KernelVariant;
}

/** One node to lower, with the activation fused into it and the value its kernel writes. */
export interface LowerNode {
  node: Node;
  targetOp: string;
  kernel: string;
  output: string;
  fused?: Node;
  clamp?: ClampBounds;
}

/** An op without its scratch buffer (added by the caller from `scratchQuery`). */
export type LoweredOp = ProgramOp;

export const dims4 = (d: readonly number[]): [number, number, number, number] => {
  const [n = 1, h = 1, w = 1, c = 1] = d;
  return [n, h, w, c];
};
