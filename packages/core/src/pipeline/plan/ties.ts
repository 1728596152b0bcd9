import { statRequestKey, type PlanEntry } from '../../quant/plan.js';

function compatible(a: PlanEntry, b: PlanEntry): boolean {
  // One shared encoding is only meaningful when both tensors would be encoded the same way.
  return a.scheme === b.scheme && a.bits === b.bits && a.stats !== null && b.stats !== null && statRequestKey(a.stats) === statRequestKey(b.stats)
    && JSON.stringify(a.options) === JSON.stringify(b.options);
}

/**
 * Tie groups from output→input pairs (union-find over planned, compatibly encoded tensors). Each group is named
 * after its first member in plan order; tensors in no group of two or more are not returned.
 */
export function tieGroups(entries: Readonly<Record<string, PlanEntry>>, ties: readonly (readonly [string, string])[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const order = new Map(Object.keys(entries).map((k, i) => [k, i]));
  for (const [a, b] of ties) {
    const ea = entries[a];
    const eb = entries[b];
    if (ea === undefined || eb === undefined || !compatible(ea, eb)) continue;
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) continue;
    // The earlier root wins so the group name is its first tensor in plan order.
    if (order.get(ra)! < order.get(rb)!) parent.set(rb, ra);
    else parent.set(ra, rb);
  }
  const size = new Map<string, number>();
  for (const t of parent.keys()) size.set(find(t), (size.get(find(t)) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const t of Object.keys(entries)) {
    if (!parent.has(t)) continue;
    const r = find(t);
    if ((size.get(r) ?? 0) >= 2) out.set(t, r);
  }
  return out;
}
