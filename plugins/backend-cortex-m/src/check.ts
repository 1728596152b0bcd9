import type { CheckOptions, Model, NodeDiagnostic, QuantPlan, TargetProfile } from '@quantforge/core';
import { classifyNode, fusedOutput } from './classify.js';
import { viewGraph, type GraphView } from './graph-view.js';

const SAME_SCALE_TOLERANCE = 1e-6;

function sameEncoding(plan: QuantPlan, a: string, b: string): boolean {
  const ea = plan.tensors[a];
  const eb = plan.tensors[b];
  if (ea === undefined || eb === undefined) return false;
  if (ea.fixed !== undefined || eb.fixed !== undefined) {
    const fa = ea.fixed;
    const fb = eb.fixed;
    return fa?.kind === 'affine' && fb?.kind === 'affine' && Math.abs(fa.scale[0]! - fb.scale[0]!) <= SAME_SCALE_TOLERANCE && fa.zeroPoint[0] === fb.zeroPoint[0];
  }
  return a === b || (ea.tieGroup !== undefined && ea.tieGroup === eb.tieGroup);
}

/** Plan-level constraints of a mapped op: a fixed softmax output, shared encodings across pooling and reshapes. */
function planProblem(d: NodeDiagnostic, g: GraphView, plan: QuantPlan, profile: TargetProfile): Pick<NodeDiagnostic, 'code' | 'reason' | 'details'> | undefined {
  const constraint = profile.ops[d.targetOp ?? ''];
  const node = g.nodes.find((n) => n.name === d.node)!;
  const out = fusedOutput(node, g).value;
  const fixed = constraint?.fixedOutput;
  if (fixed !== undefined) {
    const f = plan.tensors[out]?.fixed;
    const ok = f?.kind === 'affine' && f.scale[0] === Math.fround(fixed.scale) && f.zeroPoint[0] === fixed.zeroPoint && f.storage === fixed.dtype;
    if (!ok) {
      return {
        code: 'QF_TARGET_CONSTRAINT', reason: `${d.opType} output ${out} must have the fixed encoding scale ${fixed.scale}, zero point ${fixed.zeroPoint}`,
        details: { tensor: out, expected: fixed }, };
    }
  }
  if (constraint?.sameScaleInOut === true && !sameEncoding(plan, node.inputs[0] ?? '', out)) {
    return { code: 'QF_TARGET_CONSTRAINT', reason: `${d.opType} input and output must share one encoding (tie ${node.inputs[0]} and ${out})`, details: { input: node.inputs[0], output: out } };
  }
  return undefined;
}

/**
 * One diagnostic per node of the model: the target op and kernel it maps to, the kernel it fuses into, or a coded
 * reason (`QF_TARGET_OP_UNSUPPORTED`, `QF_TARGET_CONSTRAINT`) — an error by default, a CPU-float `fallback` when
 * `allowFallback` is set. The plan should come from {@link constrainCortexMPlan} (softmax outputs fixed, pooling tied).
 *
 * @example
 * ```ts
 * const diags = checkCortexM(model, plan, CORTEX_M_PROFILES['cortex-m4']);
 * diags.filter((d) => d.status === 'error').map((d) => `${d.node}: ${d.reason}`);
 * ```
 */
export function checkCortexM(model: Model, plan: QuantPlan, profile: TargetProfile, options: CheckOptions = {}): NodeDiagnostic[] {
  const g = viewGraph(model, plan);
  const failed = options.allowFallback === true ? 'fallback' : 'error';
  const out: NodeDiagnostic[] = [];
  const byNode = new Map<string, NodeDiagnostic>();
  for (const node of g.nodes) {
    const m = classifyNode(node, g, plan, profile);
    let d: NodeDiagnostic;
    if (m.kind === 'op') {
      d = { node: node.name, opType: node.opType, status: 'mapped', targetOp: m.targetOp, kernel: m.kernel };
      const p = planProblem(d, g, plan, profile);
      if (p !== undefined) d = { node: node.name, opType: node.opType, status: failed, targetOp: m.targetOp, ...p };
    } else if (m.kind === 'fused') {
      const host = byNode.get(m.into.name);
      d = host?.status === 'mapped'
        ? { node: node.name, opType: node.opType, status: 'fused', fusedInto: m.into.name, kernel: host.kernel!, details: { clamp: m.clamp.name } }
        : { node: node.name, opType: node.opType, status: failed, code: 'QF_TARGET_OP_UNSUPPORTED', reason: `${node.opType} fuses into ${m.into.name}, which does not map to a kernel` };
    } else {
      d = { node: node.name, opType: node.opType, status: failed, code: m.code, reason: m.reason, ...(m.details === undefined ? {} : { details: m.details }) };
    }
    byNode.set(node.name, d);
    out.push(d);
  }
  return out;
}
