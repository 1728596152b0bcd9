import { QuantforgeError, allocate, attrGraph, attrInt, attrInts, cloneTensor, sizeOf, type Graph, type Tensor, type TensorData } from '@quantforge/core';
import type { Kernel, KernelContext, KernelTable } from '../types.js';
import { kernelError, need, normAxis, readInts, splitAt, take } from './util.js';

// Control flow. Branch bodies read outer-scope values by name; the engine resolves those inside runSubgraph.

const ifKernel: Kernel = (inputs, ctx) => {
  const cond = need(inputs, 0, ctx);
  if (cond.data.length !== 1) throw kernelError(ctx, `cond must hold one element, has ${cond.data.length}`);
  const v = (cond.data as ArrayLike<number | bigint>)[0];
  const branchName = v ? 'then_branch' : 'else_branch';
  const branch = attrGraph(ctx.node, branchName);
  if (!branch) throw kernelError(ctx, `attribute ${branchName} is missing`);
  // A branch may hand back an outer-scope value as is; copy so the output owns its buffer.
  return ctx.runSubgraph(branch, new Map()).map(cloneTensor);
};

/** Iterations a Loop without a trip count may run before it is taken for a runaway. */
const MAX_OPEN_ITERATIONS = 1_000_000;

/**
 * Loop(M, cond, v_initial...): the body gets (iteration_num, cond_in, carried...) and returns (cond_out, carried...,
 * scan outputs...). Scan outputs are stacked along a new leading axis. The body's condition only counts when the node
 * has a cond input (the spec ignores it otherwise); a loop with neither M nor cond never ends, so it is refused.
 */
const loop: Kernel = (inputs, ctx) => {
  const body = attrGraph(ctx.node, 'body');
  if (!body) throw kernelError(ctx, 'attribute body is missing');
  if (!inputs[0] && !inputs[1]) throw kernelError(ctx, 'a Loop without trip count and condition never ends');
  const maxTrips = inputs[0] ? readInts(inputs[0])[0]! : Infinity;
  const useCond = inputs[1] !== undefined;
  let cond = inputs[1] ? Boolean((inputs[1].data as ArrayLike<number>)[0]) : true;
  let carried = inputs.slice(2).map((t, i) => {
    if (!t) throw kernelError(ctx, `loop-carried input ${i} is missing`);
    return t;
  });
  const nCarried = carried.length;
  const scans: Tensor[][] = [];
  const names = body.inputs.map((v) => v.name);
  for (let iter = 0; iter < maxTrips && cond; iter++) {
    if (iter >= MAX_OPEN_ITERATIONS && maxTrips === Infinity) throw kernelError(ctx, `loop still running after ${MAX_OPEN_ITERATIONS} iterations`);
    const feeds = new Map<string, Tensor>();
    if (names[0]) feeds.set(names[0], { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(iter)) });
    if (names[1]) feeds.set(names[1], { dtype: 'bool', dims: [], data: Uint8Array.of(cond ? 1 : 0) });
    carried.forEach((t, i) => {
      const n = names[2 + i];
      if (n) feeds.set(n, t);
    });
    const out = ctx.runSubgraph(body, feeds);
    const c = out[0];
    if (!c) throw kernelError(ctx, 'body returned no condition');
    if (useCond) cond = Boolean((c.data as ArrayLike<number>)[0]);
    carried = out.slice(1, 1 + nCarried);
    out.slice(1 + nCarried).forEach((t, k) => (scans[k] ??= []).push(t));
  }
  const scanCount = body.outputs.length - 1 - nCarried;
  const stacked = Array.from({ length: scanCount }, (_, k) => {
    const parts = scans[k] ?? [];
    // Zero iterations leave nothing to take a dtype or shape from.
    return parts.length > 0 ? stackAlong(parts, 0) : ({ dtype: 'float32', dims: [0], data: new Float32Array(0) } as Tensor);
  });
  return [...carried.map(cloneTensor), ...stacked];
};

/** The slice at position t along `axis` (that axis removed). */
function sliceAlong(t: Tensor, axis: number, at: number): Tensor {
  const [outer, len, inner] = splitAt(t.dims, axis);
  const map = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) map[o * inner + i] = (o * len + at) * inner + i;
  return take(t, map, t.dims.filter((_, a) => a !== axis));
}

/** Stacks equal-shaped slices along a new `axis`. */
function stackAlong(parts: Tensor[], axis: number): Tensor {
  const first = parts[0]!;
  const dims = [...first.dims.slice(0, axis), parts.length, ...first.dims.slice(axis)];
  const inner = sizeOf(first.dims.slice(axis));
  const outer = sizeOf(first.dims.slice(0, axis));
  const data = allocate(first.dtype, sizeOf(dims)) as unknown as unknown[];
  parts.forEach((p, t) => {
    const src = p.data as ArrayLike<unknown>;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) data[(o * parts.length + t) * inner + i] = src[o * inner + i];
  });
  return { dtype: first.dtype, dims, data: data as unknown as TensorData };
}

/**
 * Scan (opset 9+ form): N state variables then M scan inputs; each iteration feeds the states and one slice of every
 * scan input to the body and collects its scan-output slices. Opset 8's batched form is accepted only without
 * sequence_lens, by scanning each batch entry on its own.
 */
const scan: Kernel = (inputs, ctx) => {
  const body = attrGraph(ctx.node, 'body');
  if (!body) throw kernelError(ctx, 'attribute body is missing');
  const m = attrInt(ctx.node, 'num_scan_inputs', 0);
  if (ctx.opset < 9) {
    if (inputs[0]) throw new QuantforgeError('QF_OP_UNSUPPORTED', `Scan-8 "${ctx.node.name}" with sequence_lens is not supported`, { details: { node: ctx.node.name, opType: 'Scan' } });
    const rest = inputs.slice(1).map((t, i) => t ?? need(inputs, i + 1, ctx));
    const batch = rest[0]?.dims[0] ?? 0;
    const per: Tensor[][] = [];
    for (let b = 0; b < batch; b++) per.push(scanOnce(rest.map((t) => sliceAlong(t, 0, b)), m, body, ctx, [], [], [], []));
    return (per[0] ?? []).map((_, k) => stackAlong(per.map((r) => r[k]!), 0));
  }
  const all = inputs.map((t, i) => t ?? need(inputs, i, ctx));
  return scanOnce(all, m, body, ctx, attrInts(ctx.node, 'scan_input_axes', []), attrInts(ctx.node, 'scan_input_directions', []),
    attrInts(ctx.node, 'scan_output_axes', []), attrInts(ctx.node, 'scan_output_directions', []));
};

function scanOnce(all: Tensor[], m: number, body: Graph, ctx: KernelContext, inAxes: number[], inDirs: number[], outAxes: number[], outDirs: number[]): Tensor[] {
  const n = all.length - m;
  if (m <= 0 || n < 0) throw kernelError(ctx, `num_scan_inputs ${m} does not fit ${all.length} inputs`);
  let states = all.slice(0, n);
  const scans = all.slice(n);
  const axes = scans.map((t, j) => normAxis(inAxes[j] ?? 0, t.dims.length, ctx));
  const steps = scans[0]!.dims[axes[0]!]!;
  if (scans.some((t, j) => t.dims[axes[j]!] !== steps)) throw kernelError(ctx, 'scan inputs differ in length');
  const names = body.inputs.map((v) => v.name);
  const collected: Tensor[][] = [];
  for (let t = 0; t < steps; t++) {
    const feeds = new Map<string, Tensor>();
    states.forEach((s, i) => feeds.set(names[i]!, s));
    scans.forEach((s, j) => feeds.set(names[n + j]!, sliceAlong(s, axes[j]!, inDirs[j] === 1 ? steps - 1 - t : t)));
    const out = ctx.runSubgraph(body, feeds);
    states = out.slice(0, n);
    out.slice(n).forEach((o, k) => (collected[k] ??= []).push(o));
  }
  const outputs = collected.map((parts, k) => {
    const ordered = outDirs[k] === 1 ? [...parts].reverse() : parts;
    return stackAlong(ordered, normAxis(outAxes[k] ?? 0, ordered[0]!.dims.length + 1, ctx));
  });
  return [...states.map(cloneTensor), ...outputs];
}

export const CONTROL_KERNELS: KernelTable = { If: ifKernel, Loop: loop, Scan: scan };
