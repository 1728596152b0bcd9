import { attrInts } from '../../ir/attributes.js';
import type { OpContext } from './types.js';

/**
 * An integer list that moved from an attribute to an input at some opset (axes, split, pads, starts ...).
 * `undefined`: not given at all; `'unknown'`: given as an input whose contents are not known.
 */
export function intsArg(ctx: OpContext, attr: string, input: number, since: number): number[] | 'unknown' | undefined {
  const hasAttr = ctx.node.attributes.some((a) => a.name === attr);
  // The form the opset prescribes wins when a node has both; either is accepted alone (lenient to odd exporters).
  if (ctx.has(input) && (!hasAttr || ctx.opset >= since)) return ctx.numbers(input) ?? 'unknown';
  return hasAttr ? attrInts(ctx.node, attr) : undefined;
}
