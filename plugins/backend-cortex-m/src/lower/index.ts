import { QuantforgeError, type LowerInput, type Program, type ProgramOp } from '@quantforge/core';
import { classifyNode, fusedOutput } from '../classify.js';
import { checkCortexM } from '../check.js';
import { viewGraph } from '../graph-view.js';
import { activationBits, kernelVariant } from '../profiles/profiles.js';
import { ProgramBuilder } from './builder.js';
import type { LowerContext, LowerNode } from './context.js';
import { planMemory } from './memory.js';
import { lowerConv, lowerDense } from './ops-conv.js';
import { lowerAdd, lowerLut, lowerMul, lowerPool, lowerSoftmax } from './ops-other.js';

const LOWER: Record<string, (n: LowerNode, ctx: LowerContext) => ProgramOp> = {
  conv2d: lowerConv, 'conv2d-1x1': lowerConv, 'depthwise-conv2d': lowerConv, 'fully-connected': lowerDense,
  add: lowerAdd, mul: lowerMul, 'avg-pool': lowerPool, 'max-pool': lowerPool, softmax: lowerSoftmax, lut: lowerLut,
};

/**
 * Lowers a checked, quantized model to a CMSIS-NN {@link Program}: NHWC activations, converted weight layouts,
 * per-op integer parameters (per-channel multipliers and shifts, offsets, clamps, softmax parameters), scratch
 * buffers, the tensor-arena placement and the flash budget. Every node must map or fuse; `QF_TARGET_OP_UNSUPPORTED`
 * (or the node's own code) otherwise — a float fallback partition is not lowered.
 *
 * @example
 * ```ts
 * const program = lowerCortexM({ model, plan, encodings: result.encodings, profile, diagnostics });
 * program.memory.arenaBytes; // peak RAM of the activations and scratch buffers
 * ```
 */
export function lowerCortexM(input: LowerInput): Program {
  const { model, plan, encodings, profile } = input;
  const diagnostics = input.diagnostics.length > 0 ? input.diagnostics : checkCortexM(model, plan, profile);
  const bad = diagnostics.filter((d) => d.status === 'error' || d.status === 'fallback');
  if (bad.length > 0) {
    const first = bad[0]!;
    throw new QuantforgeError(first.code ?? 'QF_TARGET_OP_UNSUPPORTED', `${bad.length} node(s) do not run on ${profile.name}: ${bad.slice(0, 3).map((d) => `${d.node} (${d.opType}): ${d.reason}`).join('; ')}`, {
      details: { target: profile.name, nodes: bad.map((d) => ({ node: d.node, opType: d.opType, code: d.code, reason: d.reason })) },
      hint: 'Run check to see every node; float fallback partitions are not lowered by this backend.',
    });
  }
  for (const i of model.graph.inputs) {
    const t = i.type;
    const dims = t?.kind === 'tensor' ? t.shape ?? [] : [];
    // The graph view reads a symbolic dim as 1: right for the batch, silently wrong for a spatial or channel dim.
    if (dims.slice(1).some((d) => typeof d !== 'number')) {
      throw new QuantforgeError('QF_TARGET_CONSTRAINT', `input ${i.name} has symbolic dims ${JSON.stringify(dims)}; a Cortex-M program needs static shapes (only the batch may be symbolic, read as 1)`, {
        details: { input: i.name, shape: dims }, hint: 'Fix the input shape in the model (e.g. [1, 3, 48, 192]) before quantizing for the target.',
      });
    }
  }
  const g = viewGraph(model, plan);
  const b = new ProgramBuilder(g, encodings, activationBits(profile));
  const ctx: LowerContext = { g, b, profile, variant: kernelVariant(profile) };
  const inputs = g.inputs.map((name) => b.activation(name, 'input'));
  const ops: ProgramOp[] = [];
  for (const node of g.nodes) {
    const m = classifyNode(node, g, plan, profile);
    if (m.kind !== 'op' || m.targetOp === 'shape-constant') continue;
    if (m.targetOp === 'reshape') {
      b.alias(node.outputs[0]!, node.inputs[0]!);
      continue;
    }
    const f = fusedOutput(node, g);
    const n: LowerNode = { node, targetOp: m.targetOp, kernel: m.kernel, output: f.value };
    if (f.activation !== undefined) {
      n.fused = f.activation;
      const fm = classifyNode(f.activation, g, plan, profile);
      if (fm.kind === 'fused') n.clamp = fm.clamp;
    }
    ops.push(LOWER[m.targetOp]!(n, ctx));
  }
  const outputs = g.outputs.map((name) => b.activation(name));
  for (const id of outputs) if (b.tensors[id]!.kind === 'activation') b.tensors[id]!.kind = 'output';
  const memory = planMemory(b.tensors, ops, inputs, outputs, profile);
  return { version: 1, target: profile.name, layout: 'NHWC', rounding: profile.rounding, tensors: b.tensors, ops, inputs, outputs, memory };
}
