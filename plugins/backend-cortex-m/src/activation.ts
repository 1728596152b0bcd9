import { attrFloat, toFloat64, type Node } from '@quantforge/core';
import type { GraphView } from './graph-view.js';

/** A fused activation as the float interval it clamps to. */
export interface ClampBounds {
  name: 'relu' | 'relu6' | 'relu_n1_to_1' | 'clip';
  lo: number;
  hi: number;
}

function constantScalar(g: GraphView, name: string | undefined): number | undefined | null {
  if (name === undefined || name === '') return undefined;
  const c = g.constants.get(name);
  if (c === undefined || c.tensor.data.length !== 1) return null;
  return toFloat64(c.tensor)[0]!;
}

/**
 * The clamp interval of a Relu or Clip node, or null when its bounds are not constants. Clip reads its bounds from
 * inputs 1–2 (opset ≥ 11) or the `min`/`max` attributes (older opsets).
 *
 * @example
 * ```ts
 * clampOf(reluNode, g); // { name: 'relu', lo: 0, hi: Infinity }
 * ```
 */
export function clampOf(node: Node, g: GraphView): ClampBounds | null {
  if (node.opType === 'Relu') return { name: 'relu', lo: 0, hi: Infinity };
  if (node.opType !== 'Clip') return null;
  let lo: number | undefined | null = constantScalar(g, node.inputs[1]);
  let hi: number | undefined | null = constantScalar(g, node.inputs[2]);
  if (lo === null || hi === null) return null;
  lo ??= attrFloat(node, 'min') ?? -Infinity;
  hi ??= attrFloat(node, 'max') ?? Infinity;
  const name = lo === 0 && hi === 6 ? 'relu6' : lo === 0 && hi === Infinity ? 'relu' : lo === -1 && hi === 1 ? 'relu_n1_to_1' : 'clip';
  return { name, lo, hi };
}
