import { attrFloat, attrInt, attrString } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';

/**
 * Which operators the planner quantizes and how, after onnxruntime's QDQ quantizer: compute ops take quantized
 * activations and weights; Relu/Clip directly after them fold into the output range; data-movement ops stay in the
 * quantized domain; Add/Mul quantize inputs and output; the rest stays float.
 */

/** Operators with a weight and an optional bias. */
export const COMPUTE_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

/** Operators that fold into the preceding compute op's output range. */
export const FOLDABLE_ACTIVATIONS = new Set(['Relu', 'Clip']);

/** Data-movement ops; the value is which inputs carry data (`'all'` for Concat). */
export const MOVEMENT_OPS: ReadonlyMap<string, 'first' | 'all'> = new Map([
  ['Reshape', 'first'], ['Transpose', 'first'], ['Flatten', 'first'], ['Squeeze', 'first'], ['Unsqueeze', 'first'],
  ['MaxPool', 'first'], ['GlobalMaxPool', 'first'], ['AveragePool', 'first'], ['GlobalAveragePool', 'first'],
  ['Resize', 'first'], ['Slice', 'first'], ['Split', 'first'], ['Gather', 'first'], ['Pad', 'first'], ['Concat', 'all'],
]);

/** Elementwise ops whose every input and output is quantized. */
export const ARITHMETIC_OPS = new Set(['Add', 'Mul']);

const ALWAYS_TIED = new Set(['Reshape', 'Transpose', 'Flatten', 'Squeeze', 'Unsqueeze', 'MaxPool', 'GlobalMaxPool', 'Slice', 'Split', 'Gather']);

/**
 * True when the op cannot change the value range, so its outputs share the data input's encoding. Pad qualifies
 * with constant value 0 (affine ranges contain 0) or edge/reflect/wrap modes; Resize with nearest mode.
 */
export function rangePreserving(node: Node, constantPadValue: (name: string) => number | undefined): boolean {
  if (ALWAYS_TIED.has(node.opType)) return true;
  if (node.opType === 'Resize') return attrString(node, 'mode', 'nearest') === 'nearest';
  if (node.opType === 'Pad') {
    const mode = attrString(node, 'mode', 'constant');
    if (mode !== 'constant') return true;
    const fromInput = node.inputs[2] === undefined || node.inputs[2] === '' ? 0 : constantPadValue(node.inputs[2]);
    const value = node.inputs.length > 2 ? fromInput : attrFloat(node, 'value', 0);
    return value === 0;
  }
  return false;
}

/** Per-channel axis of a compute op's weight (output channels). */
export function channelAxis(node: Node, rank: number): number {
  switch (node.opType) {
    case 'ConvTranspose': return 1;
    case 'Gemm': return attrInt(node, 'transB', 0) === 1 ? 0 : 1;
    case 'MatMul': return Math.max(rank - 1, 0);
    default: return 0;
  }
}

/** Blocked-quantization axis of a compute op's weight (the reduction axis, as ONNX blocked quantization uses it). */
export function blockAxis(node: Node, rank: number): number {
  switch (node.opType) {
    case 'Conv': return 1;
    case 'ConvTranspose': return 0;
    case 'Gemm': return attrInt(node, 'transB', 0) === 1 ? 1 : 0;
    default: return Math.max(rank - 2, 0);
  }
}

/** Index of the bias input, if the op has one. */
export function biasInput(node: Node): number | undefined {
  return node.opType === 'MatMul' ? undefined : 2;
}
