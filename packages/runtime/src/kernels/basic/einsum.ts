import { attrString, sizeOf, stridesOf, type Tensor } from '@quantforge/core';
import type { Kernel, KernelContext, KernelTable } from '../types.js';
import { fromNumbers, kernelError, need, numbers } from './util.js';

// Einsum by direct summation over every combination of index letters: slow for big contractions, but exact and
// general (repeated letters take diagonals, "..." broadcasts). The reference executor values correctness here.

interface Parsed {
  inputs: string[][];
  output: string[];
}

/** Splits the equation into per-operand label lists, expanding "..." into one private label per broadcast axis. */
function parse(equation: string, operands: Tensor[], ctx: KernelContext): Parsed {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.includes('->') ? (eq.split('->') as [string, string]) : [eq, undefined];
  const terms = lhs.split(',');
  if (terms.length !== operands.length) throw kernelError(ctx, `equation has ${terms.length} operands, node has ${operands.length}`);
  let ellipsisRank = 0;
  const explicit = terms.map((term, i) => {
    const letters = term.replace('...', '');
    const rank = operands[i]!.dims.length;
    if (term.includes('...')) ellipsisRank = Math.max(ellipsisRank, rank - letters.length);
    else if (letters.length !== rank) throw kernelError(ctx, `term ${term} does not match operand rank ${rank}`);
    return term;
  });
  const ell = Array.from({ length: ellipsisRank }, (_, k) => `#${k}`);
  const expand = (term: string, rank: number): string[] => {
    const [before, after] = term.includes('...') ? (term.split('...') as [string, string]) : [term, ''];
    const own = term.includes('...') ? rank - before.length - after.length : 0;
    return [...before, ...ell.slice(ellipsisRank - own), ...after];
  };
  const inputs = explicit.map((t, i) => expand(t, operands[i]!.dims.length));
  let output: string[];
  if (rhs !== undefined) {
    output = expand(rhs, rhs.replace('...', '').length + (rhs.includes('...') ? ellipsisRank : 0));
  } else {
    const counts = new Map<string, number>();
    for (const l of inputs.flat()) if (!l.startsWith('#')) counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [...ell, ...[...counts].filter(([, c]) => c === 1).map(([l]) => l).sort()];
  }
  return { inputs, output };
}

const einsum: Kernel = (inputs, ctx) => {
  const operands = inputs.map((t, i) => (t ? t : need(inputs, i, ctx)));
  const { inputs: labels, output } = parse(attrString(ctx.node, 'equation', ''), operands, ctx);
  const size = new Map<string, number>();
  labels.forEach((ls, i) => ls.forEach((l, a) => {
    const d = operands[i]!.dims[a]!;
    const prev = size.get(l);
    if (prev === undefined || prev === 1) size.set(l, d);
    else if (d !== 1 && d !== prev) throw kernelError(ctx, `label ${l} has sizes ${prev} and ${d}`);
  }));
  const all = [...new Set([...output, ...labels.flat()])];
  const dims = all.map((l) => size.get(l) ?? 1);
  // Per operand and per label: how far the flat position moves when that label's counter steps.
  const steps = operands.map((t, i) => {
    const st = stridesOf(t.dims);
    return all.map((l) => labels[i]!.reduce((acc, x, a) => (x === l && t.dims[a] !== 1 ? acc + st[a]! : acc), 0));
  });
  const outDims = output.map((l) => size.get(l) ?? 1);
  const outStrides = stridesOf(outDims);
  const outStep = all.map((l) => { const a = output.indexOf(l); return a < 0 ? 0 : outStrides[a]!; });
  const vals = operands.map((t) => numbers(t, ctx));
  const out = new Float64Array(sizeOf(outDims));
  const total = sizeOf(dims);
  const counter = new Array<number>(all.length).fill(0);
  const pos = new Array<number>(operands.length).fill(0);
  let op = 0;
  for (let n = 0; n < total; n++) {
    let prod = 1;
    for (let i = 0; i < vals.length; i++) prod *= vals[i]![pos[i]!]!;
    out[op]! += prod;
    for (let a = all.length - 1; a >= 0; a--) {
      if (++counter[a]! < dims[a]!) {
        for (let i = 0; i < pos.length; i++) pos[i]! += steps[i]![a]!;
        op += outStep[a]!;
        break;
      }
      counter[a] = 0;
      const back = dims[a]! - 1;
      for (let i = 0; i < pos.length; i++) pos[i]! -= steps[i]![a]! * back;
      op -= outStep[a]! * back;
    }
  }
  return [fromNumbers(operands[0]!.dtype, outDims, out, ctx)];
};

export const EINSUM_KERNELS: KernelTable = { Einsum: einsum };
