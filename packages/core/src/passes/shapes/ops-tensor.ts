import { attrInt, attrInts, attrTensor } from '../../ir/attributes.js';
import type { Dim } from '../../ir/graph.js';
import { constantValue } from '../fold-constants.js';
import { intsArg } from './arguments.js';
import { broadcastShapes, dimProduct, fmt, normAxis, num, unifyDim, unknownOfRank } from './dims.js';
import { knownFromTensor } from './known.js';
import { UNKNOWN, type KnownValue, type OpContext, type OpRule } from './types.js';

function dimSum(dims: readonly Dim[]): Dim {
  let n = 0;
  let sym: Dim | undefined;
  for (const d of dims) {
    if (typeof d === 'number') n += d;
    else if (d === null || sym !== undefined) return null;
    else sym = d;
  }
  if (sym === undefined) return n;
  return n === 0 ? sym : null;
}

function allNumbers(dims: readonly Dim[] | null | undefined): dims is number[] {
  return !!dims && dims.every((d) => typeof d === 'number');
}

export const concat: OpRule = (ctx) => {
  const idx = ctx.node.inputs.map((_, i) => i).filter((i) => ctx.has(i));
  const types = idx.map((i) => ctx.input(i) ?? UNKNOWN);
  const dtype = types.find((t) => t.dtype)?.dtype ?? null;
  const known = types.map((t) => t.shape).filter((s): s is Dim[] => s !== null);
  const rank = known[0]?.length;
  if (rank === undefined) return { outputs: [{ dtype, shape: null }] };
  if (known.some((s) => s.length !== rank)) ctx.fail(`inputs of different ranks: ${known.map(fmt).join(', ')}`, { shapes: known });
  const axis = normAxis(ctx, attrInt(ctx.node, 'axis', 0), rank);
  const out: Dim[] = [];
  for (let d = 0; d < rank; d++) {
    if (d === axis) {
      out.push(known.length === types.length ? dimSum(known.map((s) => s[d]!)) : null);
      continue;
    }
    let dim: Dim = null;
    for (const s of known) {
      const u = unifyDim(dim, s[d]!);
      if (u === 'error') ctx.fail(`inputs differ on axis ${d}: ${known.map(fmt).join(', ')}`, { shapes: known, axis: d });
      dim = u;
    }
    out.push(dim);
  }
  const values = idx.map((i) => ctx.value(i));
  let value: KnownValue | undefined;
  if (rank === 1 && values.every((v) => v !== undefined)) {
    const vs = (values as KnownValue[]).flatMap((v) => v.values);
    value = { dims: [vs.length], values: vs };
  }
  return { outputs: [{ dtype, shape: out }], values: [value] };
};

export const reshape: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const data = xt.shape;
  const target = ctx.value(1)?.values;
  if (!target) {
    const s = ctx.input(1)?.shape;
    const rank = s && s.length === 1 ? num(s[0]) : undefined;
    return { outputs: [{ dtype: xt.dtype, shape: unknownOfRank(rank) }] };
  }
  const allowZero = attrInt(ctx.node, 'allowzero', 0) === 1;
  const out: Dim[] = target.map((t, i) => {
    if (t === 0 && !allowZero) {
      if (data && i >= data.length) ctx.fail(`shape entry ${i} is 0 (copy) but the input has rank ${data.length}`, { shape: target });
      return data ? data[i]! : null;
    }
    return t;
  });
  const inferred = out.flatMap((d, i) => (d === -1 ? [i] : []));
  if (inferred.length > 1) ctx.fail('shape has more than one -1', { shape: target });
  if (out.some((d) => typeof d === 'number' && d < -1)) ctx.fail(`shape has a negative entry: ${fmt(target)}`, { shape: target });
  if (inferred.length === 1) {
    out[inferred[0]!] = inferMinusOne(data, out.filter((_, i) => i !== inferred[0]));
    if (typeof out[inferred[0]!] === 'number' && !Number.isInteger(out[inferred[0]!])) ctx.fail(`cannot reshape ${fmt(data)} to ${fmt(target)}`, { input: data, shape: target });
  } else if (allNumbers(data) && allNumbers(out) && dimProduct(data) !== dimProduct(out)) {
    ctx.fail(`cannot reshape ${fmt(data)} (${String(dimProduct(data))} elements) to ${fmt(out)}`, { input: data, shape: out });
  }
  const v = ctx.value(0);
  const value = v && allNumbers(out) ? { dims: out, values: v.values } : undefined;
  return { outputs: [{ dtype: xt.dtype, shape: out }], values: [value] };
};

/** The -1 entry of a Reshape: total elements over the other entries, cancelling equal symbols on both sides. */
function inferMinusOne(data: Dim[] | null, others: Dim[]): Dim {
  if (!data || data.some((d) => d === null) || others.some((d) => d === null)) return null;
  const symbols = data.filter((d): d is string => typeof d === 'string');
  let inN = 1;
  for (const d of data) if (typeof d === 'number') inN *= d;
  let outN = 1;
  for (const d of others) {
    if (typeof d === 'number') outN *= d;
    else {
      const at = symbols.indexOf(d as string);
      if (at < 0) return null;
      symbols.splice(at, 1);
    }
  }
  if (outN === 0) return null;
  if (symbols.length === 0) return inN / outN;
  return symbols.length === 1 && inN === outN ? symbols[0]! : null;
}

export const flatten: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  if (!x) return { outputs: [{ dtype: xt.dtype, shape: null }] };
  let axis = attrInt(ctx.node, 'axis', 1);
  if (axis < 0) axis += x.length;
  if (axis < 0 || axis > x.length) ctx.fail(`axis ${attrInt(ctx.node, 'axis', 1)} is out of range for rank ${x.length}`);
  return { outputs: [{ dtype: xt.dtype, shape: [dimProduct(x.slice(0, axis)), dimProduct(x.slice(axis))] }] };
};

export const transpose: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  if (!x) return { outputs: [{ dtype: xt.dtype, shape: null }] };
  const perm = attrInts(ctx.node, 'perm', x.map((_, i) => x.length - 1 - i));
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== x.length || sorted.some((p, i) => p !== i)) ctx.fail(`perm ${fmt(perm)} is not a permutation of rank ${x.length}`, { perm });
  return { outputs: [{ dtype: xt.dtype, shape: perm.map((p) => x[p]!) }] };
};

export const squeeze: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  const axes = intsArg(ctx, 'axes', 1, 13);
  if (!x || axes === 'unknown') return { outputs: [{ dtype: xt.dtype, shape: null }] };
  let drop: Set<number>;
  if (axes === undefined || axes.length === 0) {
    // Without axes every size-1 dim goes; a symbolic dim might be 1, so the rank is unknown.
    if (!allNumbers(x)) return { outputs: [{ dtype: xt.dtype, shape: null }] };
    drop = new Set(x.flatMap((d, i) => (d === 1 ? [i] : [])));
  } else {
    drop = new Set(axes.map((a) => normAxis(ctx, a, x.length)));
    for (const a of drop) if (typeof x[a] === 'number' && x[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of size ${String(x[a])}`, { input: x, axes });
  }
  const out = x.filter((_, i) => !drop.has(i));
  const v = ctx.value(0);
  return { outputs: [{ dtype: xt.dtype, shape: out }], values: [v && allNumbers(out) ? { dims: out, values: v.values } : undefined] };
};

export const unsqueeze: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  const axes = intsArg(ctx, 'axes', 1, 13);
  if (axes === undefined) return ctx.fail('Unsqueeze needs axes');
  if (!x || axes === 'unknown') return { outputs: [{ dtype: xt.dtype, shape: null }] };
  const rank = x.length + axes.length;
  const at = new Set(axes.map((a) => normAxis(ctx, a, rank)));
  if (at.size !== axes.length) ctx.fail(`axes ${fmt(axes)} repeat an axis`, { axes });
  const out: Dim[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : x[j++]!);
  const v = ctx.value(0);
  return { outputs: [{ dtype: xt.dtype, shape: out }], values: [v && allNumbers(out) ? { dims: out, values: v.values } : undefined] };
};

/** Start, length and step of a Slice along an axis of size `d`, ONNX clamping rules. */
function sliceRange(d: number, start: number, end: number, step: number): [number, number] {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + d : start;
  let e = end < 0 ? end + d : end;
  if (step > 0) {
    s = clamp(s, 0, d);
    e = clamp(e, 0, d);
  } else {
    s = clamp(s, 0, d - 1);
    e = clamp(e, -1, d - 1);
  }
  return [s, Math.max(0, Math.ceil((e - s) / step))];
}

export const slice: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  if (!x) return { outputs: [{ dtype: xt.dtype, shape: null }] };
  const legacy = ctx.opset < 10 && !ctx.has(1);
  const starts = legacy ? attrInts(ctx.node, 'starts') : ctx.has(1) ? ctx.numbers(1) ?? 'unknown' : undefined;
  const ends = legacy ? attrInts(ctx.node, 'ends') : ctx.has(2) ? ctx.numbers(2) ?? 'unknown' : undefined;
  const axes = legacy ? attrInts(ctx.node, 'axes') : ctx.has(3) ? ctx.numbers(3) ?? 'unknown' : undefined;
  const steps = legacy ? undefined : ctx.has(4) ? ctx.numbers(4) ?? 'unknown' : undefined;
  if (starts === undefined || ends === undefined) return ctx.fail('Slice needs starts and ends');
  if (axes === 'unknown') return { outputs: [{ dtype: xt.dtype, shape: x.map(() => null) }] };
  const count = Array.isArray(starts) ? starts.length : Array.isArray(ends) ? ends.length : undefined;
  const ax = (axes ?? (count === undefined ? undefined : Array.from({ length: count }, (_, i) => i)))?.map((a) => normAxis(ctx, a, x.length));
  if (ax === undefined) return { outputs: [{ dtype: xt.dtype, shape: x.map(() => null) }] };
  const out = [...x];
  const picks: [number, number, number][] = [];
  ax.forEach((a, i) => {
    const st = Array.isArray(starts) ? starts[i] : undefined;
    const en = Array.isArray(ends) ? ends[i] : undefined;
    const sp = steps === undefined ? 1 : Array.isArray(steps) ? steps[i] : undefined;
    if (sp === 0) ctx.fail('Slice step must not be 0', { steps });
    const d = x[a]!;
    if (st === undefined || en === undefined || sp === undefined) {
      out[a] = null;
    } else if (typeof d === 'number') {
      const [s, n] = sliceRange(d, st, en, sp);
      out[a] = n;
      picks[a] = [s, n, sp];
    } else {
      // The whole axis of a symbolic dim keeps the symbol; any other range depends on its size.
      out[a] = st === 0 && sp === 1 && en >= 2 ** 31 - 1 ? d : null;
    }
  });
  const v = ctx.value(0);
  let value: KnownValue | undefined;
  if (v && v.dims.length === 1 && allNumbers(out)) {
    const p = picks[0] ?? [0, v.values.length, 1];
    value = { dims: [p[1]], values: Array.from({ length: p[1] }, (_, i) => v.values[p[0] + i * p[2]]!) };
  }
  return { outputs: [{ dtype: xt.dtype, shape: out }], values: [value] };
};

export const gather: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  const ind = ctx.input(1)?.shape ?? null;
  if (!x || !ind) return { outputs: [{ dtype: xt.dtype, shape: null }] };
  const axis = normAxis(ctx, attrInt(ctx.node, 'axis', 0), x.length);
  const out = [...x.slice(0, axis), ...ind, ...x.slice(axis + 1)];
  const iv = ctx.numbers(1);
  const size = num(x[axis]);
  if (iv && size !== undefined) {
    for (const i of iv) if (i < -size || i >= size) ctx.fail(`index ${i} is out of range for axis ${axis} of size ${size}`, { index: i, size });
  }
  const v = ctx.value(0);
  let value: KnownValue | undefined;
  if (v && v.dims.length === 1 && iv && allNumbers(ind)) {
    const n = v.values.length;
    value = { dims: [...ind], values: iv.map((i) => v.values[i < 0 ? i + n : i] ?? null) };
  }
  return { outputs: [{ dtype: xt.dtype, shape: out }], values: [value] };
};

export const split: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  const n = ctx.node.outputs.length;
  if (!x) return { outputs: ctx.node.outputs.map(() => ({ dtype: xt.dtype, shape: null })) };
  const axis = normAxis(ctx, attrInt(ctx.node, 'axis', 0), x.length);
  const given = intsArg(ctx, 'split', 1, 13);
  const d = num(x[axis]);
  let sizes: Dim[];
  if (Array.isArray(given)) {
    if (given.length !== n) ctx.fail(`split has ${given.length} entries for ${n} outputs`, { split: given });
    if (d !== undefined && given.reduce((a, b) => a + b, 0) !== d) ctx.fail(`split ${fmt(given)} does not add up to ${d}`, { split: given, size: d });
    sizes = given;
  } else if (given === 'unknown' || d === undefined) {
    sizes = new Array<Dim>(n).fill(null);
  } else {
    const parts = ctx.opset >= 18 ? attrInt(ctx.node, 'num_outputs') : undefined;
    if (parts !== undefined) {
      if (parts !== n) ctx.fail(`num_outputs is ${parts} but the node has ${n} outputs`, { numOutputs: parts });
      // Opset 18: chunks of ceil(d / n), the last one smaller.
      const chunk = Math.ceil(d / n);
      sizes = Array.from({ length: n }, (_, i) => (i < n - 1 ? chunk : d - chunk * (n - 1)));
      if (sizes.some((s) => (s as number) < 0)) ctx.fail(`cannot split ${d} into ${n} parts`, { size: d, parts: n });
    } else {
      if (d % n !== 0) ctx.fail(`axis of size ${d} does not split evenly into ${n} outputs`, { size: d, parts: n });
      sizes = new Array<Dim>(n).fill(d / n);
    }
  }
  return { outputs: sizes.map((s) => ({ dtype: xt.dtype, shape: x.map((dim, i) => (i === axis ? s : dim)) })) };
};

export const shape: OpRule = (ctx) => {
  const x = ctx.input(0)?.shape;
  if (!x) return { outputs: [{ dtype: 'int64', shape: [null] }] };
  const r = x.length;
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = clamp(attrInt(ctx.node, 'start', 0));
  const end = clamp(attrInt(ctx.node, 'end', r));
  const values = x.slice(start, Math.max(start, end));
  return { outputs: [{ dtype: 'int64', shape: [values.length] }], values: [{ dims: [values.length], values }] };
};

export const size: OpRule = (ctx) => {
  const x = ctx.input(0)?.shape;
  const n = x ? dimProduct(x) : null;
  return { outputs: [{ dtype: 'int64', shape: [] }], values: [{ dims: [], values: [n] }] };
};

export const constantOfShape: OpRule = (ctx) => {
  const dtype = attrTensor(ctx.node, 'value')?.tensor.dtype ?? 'float32';
  const v = ctx.value(0);
  if (v) return { outputs: [{ dtype, shape: [...v.values] }] };
  const s = ctx.input(0)?.shape;
  const rank = s && s.length === 1 ? num(s[0]) : undefined;
  return { outputs: [{ dtype, shape: unknownOfRank(rank) }] };
};

export const pad: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  if (!x) return { outputs: [{ dtype: xt.dtype, shape: null }] };
  const pads = intsArg(ctx, 'pads', 1, 11);
  const axesArg = ctx.opset >= 18 && ctx.has(3) ? ctx.numbers(3) ?? 'unknown' : undefined;
  if (pads === undefined) return ctx.fail('Pad needs pads');
  if (pads === 'unknown' || axesArg === 'unknown') return { outputs: [{ dtype: xt.dtype, shape: x.map(() => null) }] };
  const axes = (axesArg ?? x.map((_, i) => i)).map((a) => normAxis(ctx, a, x.length));
  if (pads.length !== 2 * axes.length) ctx.fail(`pads has ${pads.length} entries for ${axes.length} axes`, { pads });
  const out = [...x];
  axes.forEach((a, i) => {
    const total = pads[i]! + pads[i + axes.length]!;
    const d = x[a]!;
    out[a] = total === 0 ? d : typeof d === 'number' ? d + total : null;
    if (typeof out[a] === 'number' && (out[a] as number) < 0) ctx.fail(`padding makes axis ${a} negative`, { pads });
  });
  return { outputs: [{ dtype: xt.dtype, shape: out }] };
};

export const expand: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const target = ctx.value(1)?.values;
  if (target) return { outputs: [{ dtype: xt.dtype, shape: broadcastShapes(ctx, [xt.shape, target]) }] };
  const s = ctx.input(1)?.shape;
  const rank = s && s.length === 1 ? num(s[0]) : undefined;
  if (rank === undefined || !xt.shape) return { outputs: [{ dtype: xt.dtype, shape: null }] };
  return { outputs: [{ dtype: xt.dtype, shape: unknownOfRank(Math.max(rank, xt.shape.length)) }] };
};

export const tile: OpRule = (ctx) => {
  const xt = ctx.input(0) ?? UNKNOWN;
  const x = xt.shape;
  const reps = ctx.numbers(1);
  if (!x) return { outputs: [{ dtype: xt.dtype, shape: null }] };
  if (!reps) return { outputs: [{ dtype: xt.dtype, shape: x.map(() => null) }] };
  if (reps.length !== x.length) ctx.fail(`repeats has ${reps.length} entries for rank ${x.length}`, { repeats: reps });
  return { outputs: [{ dtype: xt.dtype, shape: x.map((d, i) => (reps[i] === 1 ? d : typeof d === 'number' ? d * reps[i]! : null)) }] };
};

export const constant: OpRule = (ctx) => {
  const sparse = ctx.node.attributes.find((a) => a.name === 'sparse_value');
  if (sparse?.type === 'sparse_tensor') return { outputs: [{ dtype: sparse.value.values.tensor.dtype, shape: [...sparse.value.dims] }] };
  const v = constantValue(ctx.node);
  if (typeof v === 'string') return ctx.fail('Constant has no value attribute');
  return { outputs: [{ dtype: v.tensor.dtype, shape: [...v.tensor.dims] }], values: [knownFromTensor(v.tensor)] };
};
