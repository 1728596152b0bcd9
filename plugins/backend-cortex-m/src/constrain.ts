import {
  applyAffineFormat, attrInt, fixedAffine, statRequestKey, validatePlan,
  type Model, type PlanEntry, type QuantPlan, type TargetFormat, type TargetProfile,
} from '@quantforge/core';
import { viewGraph } from './graph-view.js';
import { activationBits } from './profiles/profiles.js';

/** The reason core's placement gives nodes a recipe excludes (the only exclusions a target must respect). */
const RECIPE_EXCLUSION = 'excluded by the recipe';

/** int8 activations: signed, full range, zero point free (TFLite int8 spec). */
const ACTIVATION: TargetFormat = { bits: 8, signed: true, narrowRange: false };
/** Elementwise constant operands are per-tensor int8 like activations. */
const ELEMENTWISE_CONSTANT: TargetFormat = { bits: 8, signed: true, narrowRange: false, granularity: 'per-tensor' };
/** int16x8 activations: TFLite makes them symmetric (zero point 0) over the full int16 range. */
const ACTIVATION16: TargetFormat = { bits: 16, signed: true, symmetric: true, narrowRange: false };

function weightFormat(profile: TargetProfile, targetOp: string, axis: number): TargetFormat {
  const w = profile.ops[targetOp]?.weights;
  const granularity = w?.granularity[0] ?? 'per-channel';
  return { bits: 8, signed: true, symmetric: true, narrowRange: true, granularity, ...(granularity === 'per-channel' ? { axis } : {}) };
}

/** The per-channel axis of a dense op's ONNX weight: output features. */
function denseAxis(opType: string, transB: number): number {
  return opType === 'Gemm' && transB === 1 ? 0 : 1;
}

function tie(tensors: Record<string, PlanEntry>, a: string, b: string): void {
  const ea = tensors[a];
  const eb = tensors[b];
  if (ea === undefined || eb === undefined || ea.fixed !== undefined || eb.fixed !== undefined) return;
  if (ea.scheme !== eb.scheme || ea.stats === null || eb.stats === null || statRequestKey(ea.stats) !== statRequestKey(eb.stats)) return;
  const order = Object.keys(tensors);
  const ga = ea.tieGroup ?? a;
  const gb = eb.tieGroup ?? b;
  if (ga === gb) return;
  // Core names a group after its first member in plan order; keep that rule when merging.
  const [keep, drop] = order.indexOf(ga) <= order.indexOf(gb) ? [ga, gb] : [gb, ga];
  for (const e of Object.values(tensors)) if ((e.tieGroup ?? e.tensor) === drop || e.tensor === drop) e.tieGroup = keep;
  tensors[keep]!.tieGroup = keep;
}

/**
 * Shapes a plan for a Cortex-M target (TFLite int8 spec, CMSIS-NN kernels): int8 signed activations; conv, depthwise
 * and fully-connected weights int8 symmetric narrow-range (codes in [−127, 127], zero point 0) per output channel;
 * biases int32 with the weights' granularity; elementwise constants per-tensor int8; softmax outputs fixed at
 * scale 1/256, zero point −128 (a Softmax the planner left in float joins the int8 domain); average pooling tied to its input. Returns a new, validated plan.
 *
 * @example
 * ```ts
 * const constrained = constrainCortexMPlan(plan, model, CORTEX_M_PROFILES['cortex-m4']);
 * constrained.tensors['softmax_out']?.fixed; // { kind: 'affine', scale: [0.00390625], zeroPoint: [-128], ... }
 * ```
 */
export function constrainCortexMPlan(plan: QuantPlan, model: Model, profile: TargetProfile): QuantPlan {
  const g = viewGraph(model, plan);
  const excluded = structuredClone(plan.excluded);
  const tensors: Record<string, PlanEntry> = {};
  const wide = activationBits(profile) === 16;
  const activation = wide ? ACTIVATION16 : ACTIVATION;
  for (const [name, e] of Object.entries(plan.tensors)) tensors[name] = e.role === 'activation' ? applyAffineFormat(e, activation) : structuredClone(e);
  const format = (name: string | undefined, f: TargetFormat): void => {
    const e = name === undefined ? undefined : tensors[name];
    if (e !== undefined) tensors[e.tensor] = applyAffineFormat(e, f);
  };
  for (const n of g.nodes) {
    const [x, w, b] = n.inputs;
    if (n.opType === 'Conv' || n.opType === 'Gemm' || n.opType === 'MatMul') {
      const rank = g.shape(x ?? '')?.length ?? 0;
      const group = attrInt(n, 'group', 1);
      const targetOp = n.opType !== 'Conv' ? 'fully-connected' : group > 1 && rank === 4 && group === g.shape(x ?? '')?.[1] ? 'depthwise-conv2d' : 'conv2d';
      const axis = n.opType === 'Conv' ? 0 : denseAxis(n.opType, attrInt(n, 'transB', 0));
      if (tensors[w ?? '']?.role === 'weight') format(w, weightFormat(profile, targetOp, axis));
      const we = tensors[w ?? ''];
      const be = tensors[b ?? ''];
      if (be?.role === 'bias' && we !== undefined) {
        tensors[be.tensor] = applyAffineFormat(be, { bits: 32, signed: true, granularity: we.granularity === 'per-channel' ? 'per-channel' : 'per-tensor', axis: 0 });
      }
    } else if ((n.opType === 'Add' || n.opType === 'Mul') && !wide) {
      for (const v of n.inputs) if (tensors[v]?.role === 'weight') format(v, ELEMENTWISE_CONSTANT);
    } else if (n.opType === 'Softmax' && !wide) {
      const fixed = profile.ops.softmax?.fixedOutput;
      const out = n.outputs[0] ?? '';
      if (fixed === undefined || out === '') continue;
      // Core's planner leaves Softmax in float (it has no generic quantized form); this target has a kernel, so it
      // takes the node into the int8 domain unless the recipe excluded it.
      const xi = excluded.findIndex((e) => e.node === n.name);
      const input = tensors[x ?? ''];
      if (tensors[out] === undefined && xi >= 0 && excluded[xi]!.reason !== RECIPE_EXCLUSION && input !== undefined) {
        excluded.splice(xi, 1);
        const e: PlanEntry = { tensor: out, role: 'activation', scheme: input.scheme, options: structuredClone(input.options), consumers: [], producer: n.name,
          bits: 8, granularity: 'per-tensor', stats: null };
        const dims = g.shape(out);
        if (dims !== undefined) e.dims = dims;
        e.dtype = 'float32';
        for (const r of g.consumers.get(out) ?? []) r.inputs.forEach((v, i) => { if (v === out) e.consumers.push({ node: r.name, opType: r.opType, input: i }); });
        tensors[out] = e;
      }
      const y = tensors[out];
      if (y !== undefined) {
        y.fixed = fixedAffine(fixed.scale, fixed.zeroPoint, 8);
        delete y.tieGroup;
      }
    } else if (n.opType === 'AveragePool' || n.opType === 'GlobalAveragePool' || n.opType === 'GlobalMaxPool' || n.opType === 'MaxPool') {
      tie(tensors, n.outputs[0] ?? '', x ?? '');
    }
  }
  return validatePlan({ ...plan, target: profile.name, tensors, excluded });
}
