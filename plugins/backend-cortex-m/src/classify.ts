import { attrFloat, attrInt, attrInts, attrString, toFloat64, type ErrorCode, type Node, type QuantPlan, type TargetProfile } from '@quantforge/core';
import { clampOf, type ClampBounds } from './activation.js';
import type { GraphView } from './graph-view.js';
import { INT16X8_MISSING } from './profiles/op-table.js';
import { activationBits } from './profiles/profiles.js';

/** What one node becomes on the target. */
export type NodeMapping =
  | { kind: 'op'; targetOp: string; kernel: string }
  | { kind: 'fused'; into: Node; clamp: ClampBounds }
  | { kind: 'none'; code: ErrorCode; reason: string; details?: Record<string, unknown> };

const FUSABLE_PRODUCERS = new Set(['Conv', 'Gemm', 'MatMul', 'Add', 'Mul', 'AveragePool', 'MaxPool', 'GlobalAveragePool', 'GlobalMaxPool']);
const RESHAPES = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);
/** Integer ops that can compute a shape from static shapes (the Shape → Cast → Slice → Concat → Reshape idiom). */
const SHAPE_OPS = new Set(['Shape', 'Cast', 'Slice', 'Concat', 'Gather', 'Unsqueeze', 'Squeeze']);
/** Ops with a table kernel: the plan's generic "no quantized form" exclusion does not bind them (a recipe's does). */
const LUT_OPS = new Set(['HardSigmoid', 'Div']);
const RECIPE_EXCLUSION = 'excluded by the recipe';
/** Ops whose int8 kernel has no int16x8 counterpart here: reported as such, not as a planner float exclusion. */
const MISSING_16: Readonly<Record<string, string>> = { Softmax: 'softmax', HardSigmoid: 'lut', Div: 'lut' };

const unsupported = (reason: string, details?: Record<string, unknown>): NodeMapping =>
  ({ kind: 'none', code: 'QF_TARGET_OP_UNSUPPORTED', reason, ...(details === undefined ? {} : { details }) });
const constraint = (reason: string, details?: Record<string, unknown>): NodeMapping =>
  ({ kind: 'none', code: 'QF_TARGET_CONSTRAINT', reason, ...(details === undefined ? {} : { details }) });

function op(profile: TargetProfile, targetOp: string): NodeMapping {
  const c = profile.ops[targetOp];
  const why = activationBits(profile) === 16 ? INT16X8_MISSING[targetOp] : undefined;
  if (c === undefined) return unsupported(why === undefined ? `${profile.name} has no ${targetOp} kernel` : `${profile.name}: ${why}; use the int8 target`, { targetOp });
  return { kind: 'op', targetOp, kernel: c.kernel };
}

/**
 * The value a node's kernel writes: its output, or — when a Relu / constant Clip is its only reader — the
 * activation's output (the two fuse into one kernel whose clamp ends at the activation's encoding).
 */
export function fusedOutput(node: Node, g: GraphView): { value: string; activation?: Node } {
  const y = node.outputs[0] ?? '';
  const readers = g.consumers.get(y) ?? [];
  const r = readers[0];
  if (FUSABLE_PRODUCERS.has(node.opType) && readers.length === 1 && r !== undefined && (r.opType === 'Relu' || r.opType === 'Clip')
    && !g.outputs.includes(y) && clampOf(r, g) !== null) {
    return { value: r.outputs[0] ?? '', activation: r };
  }
  return { value: y };
}

/**
 * Quantization problems of a node's tensors: every activation it reads and writes at the profile's activation width
 * (int8, or int16 in int16x8 mode), weights 8-bit.
 */
function quantProblem(node: Node, g: GraphView, plan: QuantPlan, dataInputs: number[], profile: TargetProfile): NodeMapping | undefined {
  const values = [...dataInputs.map((i) => node.inputs[i]), fusedOutput(node, g).value].filter((v): v is string => v !== undefined && v !== '');
  const bits = activationBits(profile);
  for (const v of values) {
    const e = plan.tensors[v];
    if (e === undefined) return constraint(`${v} is not quantized by the plan; the target runs int${bits} only`, { tensor: v });
    const want = e.role === 'weight' ? 8 : bits;
    if (e.bits !== want) {
      const note = bits === 8 ? ' (the int16x8 path is the -int16x8 variant target)' : ' (int16x8 mode: int16 activations, int8 weights)';
      return constraint(`${v} is planned with ${e.bits} bits; the int${bits} kernels need ${want}${note}`, { tensor: v, bits: e.bits });
    }
  }
  return undefined;
}

function classifyConv(node: Node, g: GraphView, plan: QuantPlan, profile: TargetProfile): NodeMapping {
  const w = node.inputs[1] ?? '';
  const wDims = g.shape(w);
  if (!g.isConstant(w)) return constraint('the Conv weight is not a constant', { weight: w });
  if (wDims?.length !== 4) return unsupported(`only 2-D convolution is supported (weight rank ${wDims?.length ?? 'unknown'})`);
  const xDims = g.shape(node.inputs[0] ?? '');
  if (xDims?.length !== 4) return constraint('the Conv input shape is not known');
  const group = attrInt(node, 'group', 1);
  const cIn = xDims[1]!;
  const [cOut, ck, kh, kw] = wDims as [number, number, number, number];
  const q = quantProblem(node, g, plan, [0, 1], profile);
  if (q !== undefined) return q;
  if (attrString(node, 'auto_pad', 'NOTSET') === 'SAME_LOWER') return unsupported('auto_pad SAME_LOWER has no TFLite padding equivalent');
  if (group > 1 && group === cIn && ck === 1 && cOut % cIn === 0) return op(profile, 'depthwise-conv2d');
  if (group > 1 && cIn % group !== 0) return constraint(`groups ${group} do not divide the ${cIn} input channels`);
  const pads = attrInts(node, 'pads', [0, 0, 0, 0]);
  const strides = attrInts(node, 'strides', [1, 1]);
  const dil = attrInts(node, 'dilations', [1, 1]);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const oneByOne = kh === 1 && kw === 1 && group === 1 && pads.every((p) => p === 0) && strides.every((s) => s === 1) && dil.every((d) => d === 1)
    && (autoPad === 'NOTSET' || autoPad === 'VALID');
  return op(profile, oneByOne ? 'conv2d-1x1' : 'conv2d');
}

function classifyDense(node: Node, g: GraphView, plan: QuantPlan, profile: TargetProfile): NodeMapping {
  const w = node.inputs[1] ?? '';
  if (!g.isConstant(w)) return unsupported(`${node.opType} with a non-constant second operand has no int8 kernel here (batch matmul)`);
  if (g.shape(w)?.length !== 2) return constraint(`the ${node.opType} weight must be 2-D`);
  if (node.opType === 'Gemm') {
    if (attrInt(node, 'transA', 0) !== 0) return constraint('Gemm transA = 1 is not supported');
    if (attrFloat(node, 'alpha', 1) !== 1 || attrFloat(node, 'beta', 1) !== 1) return constraint('Gemm alpha and beta must be 1');
  }
  return quantProblem(node, g, plan, [0, 1], profile) ?? op(profile, 'fully-connected');
}

/** A shape right-aligned to `rank` dims (NumPy broadcasting), then NCHW → NHWC when 4-D. */
function nhwcAligned(d: readonly number[], rank: number): number[] {
  const full = [...new Array<number>(Math.max(0, rank - d.length)).fill(1), ...d];
  return full.length === 4 ? [full[0]!, full[2]!, full[3]!, full[1]!] : full;
}

/**
 * True when operand `small` repeats along the leading axes of `big` in NHWC memory (a scalar, or a per-channel
 * `[1, C, 1, 1]` against `[1, C, H, W]`): element `i` of the result then reads element `i mod size(small)`, the
 * indexing the C kernels and the simulator share.
 */
export function repeatsInNhwc(small: readonly number[], big: readonly number[]): boolean {
  const rank = Math.max(small.length, big.length);
  const s = nhwcAligned(small, rank);
  const b = nhwcAligned(big, rank);
  let first = 0;
  while (first < rank && s[first] === 1) first++;
  for (let i = first; i < rank; i++) if (s[i] !== b[i]) return false;
  return s.every((x, i) => x === 1 || x === b[i]);
}

function classifyElementwise(node: Node, g: GraphView, plan: QuantPlan, profile: TargetProfile): NodeMapping {
  const [a, b] = node.inputs.map((v) => g.shape(v));
  if (a === undefined || b === undefined) return constraint(`${node.opType} operand shapes are not known`);
  const size = (d: number[]) => d.reduce((x, y) => x * y, 1);
  const [small, big] = size(a) <= size(b) ? [a, b] : [b, a];
  if (size(a) !== size(b) && !repeatsInNhwc(small, big)) {
    return constraint(`${node.opType} broadcasting ${JSON.stringify(a)} with ${JSON.stringify(b)} is not a scalar or per-channel operand`, { shapes: [a, b] });
  }
  if (activationBits(profile) === 16 && node.inputs.some((v) => g.isConstant(v))) {
    return constraint(`${node.opType} with a constant operand is not lowered in int16x8 mode (int16 constants are not planned); both operands must be activations`);
  }
  return quantProblem(node, g, plan, [0, 1], profile) ?? op(profile, node.opType === 'Add' ? 'add' : 'mul');
}

/** The scalar constant divisor of a Div, or undefined. */
export function scalarDivisor(node: Node, g: GraphView): number | undefined {
  const d = g.constants.get(node.inputs[1] ?? '')?.tensor;
  if (d === undefined || d.data.length !== 1) return undefined;
  const v = toFloat64(d)[0]!;
  return v !== 0 && Number.isFinite(v) ? v : undefined;
}

function classifyLut(node: Node, g: GraphView, plan: QuantPlan, profile: TargetProfile): NodeMapping {
  if (node.opType === 'Div' && scalarDivisor(node, g) === undefined) return unsupported('Div maps to a lookup table only with a finite non-zero scalar constant divisor');
  return quantProblem(node, g, plan, [0], profile) ?? op(profile, 'lut');
}

/**
 * True for integer shape arithmetic the lowering evaluates from static shapes: a Shape node, or a shape op reading
 * only constants and such values, whose results reach nothing but other shape ops and Reshape's shape input.
 */
export function isShapeComputation(node: Node, g: GraphView, seen = new Set<string>()): boolean {
  if (!SHAPE_OPS.has(node.opType) || node.outputs.some((o) => g.planned(o) || g.outputs.includes(o))) return false;
  if (seen.has(node.name)) return true;
  seen.add(node.name);
  const fromShapes = node.opType === 'Shape' || node.inputs.every((v) => {
    if (v === '' || g.isConstant(v)) return true;
    const p = g.producer.get(v);
    return p !== undefined && isShapeComputation(p, g, seen);
  });
  const readers = node.outputs.flatMap((o) => (g.consumers.get(o) ?? []).map((r) => ({ r, o })));
  return fromShapes && readers.every(({ r, o }) => (r.opType === 'Reshape' && r.inputs[0] !== o) || isShapeComputation(r, g, seen));
}

function classifyPool(node: Node, g: GraphView, plan: QuantPlan, profile: TargetProfile): NodeMapping {
  if (g.shape(node.inputs[0] ?? '')?.length !== 4) return unsupported('only 2-D pooling (4-D input) is supported');
  const isGlobal = node.opType.startsWith('Global');
  if (!isGlobal) {
    if (attrInt(node, 'ceil_mode', 0) !== 0) return constraint('ceil_mode = 1 is not supported');
    if (attrInts(node, 'dilations', [1, 1]).some((d) => d !== 1)) return constraint('dilated pooling is not supported');
    if (node.opType === 'AveragePool' && attrInt(node, 'count_include_pad', 0) !== 0) return constraint('count_include_pad = 1 differs from the kernel (it averages in-bounds taps only)');
    if (attrString(node, 'auto_pad', 'NOTSET') === 'SAME_LOWER') return unsupported('auto_pad SAME_LOWER has no TFLite padding equivalent');
  }
  if (node.outputs.length > 1 && node.outputs[1] !== '') return unsupported('MaxPool with an Indices output');
  return quantProblem(node, g, plan, [0], profile) ?? op(profile, node.opType.includes('Max') ? 'max-pool' : 'avg-pool');
}

function classifySoftmax(node: Node, g: GraphView, plan: QuantPlan, profile: TargetProfile): NodeMapping {
  const rank = g.shape(node.inputs[0] ?? '')?.length;
  if (rank === undefined) return constraint('the Softmax input shape is not known');
  const axis = attrInt(node, 'axis', -1);
  if (axis !== -1 && axis !== rank - 1) return constraint(`Softmax over axis ${axis} (not the last) is not supported`);
  if (rank === 4) return constraint('Softmax over a 4-D NCHW tensor: its last axis is not the NHWC channel axis');
  return quantProblem(node, g, plan, [0], profile) ?? op(profile, 'softmax');
}

/**
 * True when a reshape-like node takes a 4-D NCHW feature map with more than one channel and pixel: in NHWC memory
 * the flattened order differs, which only a fully-connected consumer can absorb (by permuting its weight columns).
 */
export function reordersLayout(node: Node, g: GraphView): boolean {
  const d = g.shape(node.inputs[0] ?? '');
  return d !== undefined && d.length === 4 && d[1]! > 1 && d[2]! * d[3]! > 1 && (g.shape(node.outputs[0] ?? '')?.length ?? 4) !== 4;
}

function classifyReshape(node: Node, g: GraphView, plan: QuantPlan, profile: TargetProfile): NodeMapping {
  const q = quantProblem(node, g, plan, [0], profile);
  if (q !== undefined) return q;
  if (reordersLayout(node, g)) {
    const readers = g.consumers.get(node.outputs[0] ?? '') ?? [];
    const dense = readers.length > 0 && readers.every((r) => (r.opType === 'Gemm' || r.opType === 'MatMul') && r.inputs[0] === node.outputs[0]);
    if (!dense || g.outputs.includes(node.outputs[0] ?? '')) {
      return constraint('flattening an NCHW feature map for a consumer other than a fully-connected op needs a transpose, which is not lowered');
    }
  }
  return op(profile, 'reshape');
}

function classifyActivation(node: Node, g: GraphView, plan: QuantPlan): NodeMapping {
  const clamp = clampOf(node, g);
  if (clamp === null) return unsupported('Clip with non-constant bounds');
  const x = node.inputs[0] ?? '';
  const p = g.producer.get(x);
  const single = (g.consumers.get(x)?.length ?? 0) === 1 && !g.outputs.includes(x);
  if (p === undefined || !FUSABLE_PRODUCERS.has(p.opType) || !single) {
    return unsupported(`a standalone ${node.opType} (not directly after a single-use conv, fully-connected, add, mul or pooling op) has no kernel here`);
  }
  return { kind: 'fused', into: p, clamp };
}

/**
 * Maps one node to a target op and kernel, to a fusion into its producer, or to a coded reason.
 *
 * @example
 * ```ts
 * classifyNode(convNode, g, plan, CORTEX_M_PROFILES['cortex-m4']); // { kind: 'op', targetOp: 'conv2d', kernel: 'arm_convolve_s8' }
 * ```
 */
export function classifyNode(node: Node, g: GraphView, plan: QuantPlan, profile: TargetProfile): NodeMapping {
  const excluded = plan.excluded.find((x) => x.node === node.name);
  const missing = activationBits(profile) === 16 ? MISSING_16[node.opType] : undefined;
  if (missing !== undefined && excluded?.reason !== RECIPE_EXCLUSION) return op(profile, missing);
  const shape = isShapeComputation(node, g);
  // A table reproduces dequantize → float op → quantize exactly, which is what the planner's float exclusion runs; a
  // shape computation reads only static shapes. Neither is bound by the planner's generic exclusion (a recipe's binds).
  if (excluded !== undefined && (excluded.reason === RECIPE_EXCLUSION || !(shape || LUT_OPS.has(node.opType)))) return constraint('the plan keeps this node in float', { excluded: true });
  if (shape) return op(profile, 'shape-constant');
  switch (node.opType) {
    case 'Conv': return classifyConv(node, g, plan, profile);
    case 'Gemm': case 'MatMul': return classifyDense(node, g, plan, profile);
    case 'Add': case 'Mul': return classifyElementwise(node, g, plan, profile);
    case 'AveragePool': case 'MaxPool': case 'GlobalAveragePool': case 'GlobalMaxPool': return classifyPool(node, g, plan, profile);
    case 'Softmax': return classifySoftmax(node, g, plan, profile);
    case 'Relu': case 'Clip': return classifyActivation(node, g, plan);
    case 'HardSigmoid': case 'Div': return classifyLut(node, g, plan, profile);
    default:
      if (RESHAPES.has(node.opType)) return classifyReshape(node, g, plan, profile);
      return unsupported(`${node.opType} has no int8 kernel in the ${profile.name} op table`, { supported: Object.values(profile.ops).flatMap((o) => o.onnx) });
  }
}
