import { attrFloat, attrInt, tensor, type AffineEncoding, type Node, type Tensor } from '@quantforge/core';
import { attr } from './graph-edit.js';
import { OPSET_DYNAMIC } from './opset.js';
import { zeroPointTensor } from './params.js';
import type { ExportState } from './state.js';

/** How a MatMul / Gemm / Conv maps onto an integer op: which weight axis is the output channel, and the layout. */
interface Target {
  index: number;
  node: Node;
  weight: string;
  e: AffineEncoding;
  codes: Tensor;
  /** Gemm with transB: codes are transposed to [K, N] for MatMulInteger. */
  transposeB: boolean;
}

function transpose2d(t: Tensor): Tensor {
  const [r, c] = t.dims as [number, number];
  const out = tensor(t.dtype, [c, r]);
  const src = t.data as Int8Array, dst = out.data as Int8Array;
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) dst[j * r + i] = src[i * c + j]!;
  return out;
}

/**
 * How dynamic mode stores int8 weight codes: `'uint8'` (default) adds 128 to codes and zero points — the same
 * values, since only `q − zp` enters the product — so onnxruntime runs exact u8 × u8 kernels instead of u8 × s8
 * ones, which saturate on AVX2 CPUs without VNNI (measured here: 14 % error on a 64-deep MatMul with full-range
 * int8 weights, 0.6 % after the shift); `'encoding'` keeps the encoding's storage type.
 */
export type DynamicWeights = 'uint8' | 'encoding';

function toStorage(t: Tensor, shift: boolean): Tensor {
  if (!shift) return t;
  return tensor('uint8', t.dims, Uint8Array.from(t.data as Int8Array, (q) => q + 128));
}

function uniform(values: Int32Array): boolean {
  return values.every((v) => v === values[0]);
}

/** The weight of a node if it can run as an integer op: int8/uint8 codes, per-tensor or per output channel. */
function target(state: ExportState, index: number, node: Node): Target | undefined {
  if (!(node.domain === '' || node.domain === 'ai.onnx') || !['MatMul', 'Gemm', 'Conv'].includes(node.opType)) return undefined;
  const weight = node.inputs[1];
  const entry = weight === undefined ? undefined : state.input.plan.tensors[weight];
  if (weight === undefined || entry === undefined || entry.role !== 'weight' || state.floatInitializer(weight) === undefined) return undefined;
  const { e, codes } = state.codes(weight);
  if ((e.storage !== 'int8' && e.storage !== 'uint8') || e.blockSize !== undefined) return undefined;
  const transposeB = node.opType === 'Gemm' && attrInt(node, 'transB', 0) === 1;
  let channelAxis: number;
  if (node.opType === 'Conv') channelAxis = 0;
  else {
    if (codes.dims.length !== 2) return undefined;
    channelAxis = transposeB ? 0 : 1;
  }
  if (e.axis !== undefined && e.axis !== channelAxis) return undefined;
  // onnxruntime's ConvInteger takes a scalar weight zero point only: per-channel zero points stay with DQ + Conv.
  if (node.opType === 'Conv' && !uniform(e.zeroPoint)) return undefined;
  return { index, node, weight, e, codes, transposeB };
}

/**
 * Dynamic quantization, the pattern onnxruntime's dynamic quantizer writes: `DynamicQuantizeLinear` on the
 * activation (uint8, range computed per run), `MatMulInteger` / `ConvInteger` with the weight's codes and zero
 * points, `Cast` to float, multiply by activation scale × weight scale (per channel broadcast along the output
 * channel), then the bias. Gemm's transA/transB, alpha and beta are honoured. Weights that do not fit (other
 * storage, blocked, per-channel on another axis, Conv with per-channel zero points) are left to the weight DQ pass. Returns the converted weights'
 * consumer refs so that pass skips them.
 *
 * int8 weights are written as uint8 by default (see {@link DynamicWeights}).
 */
export function quantizeDynamic(state: ExportState, weights: DynamicWeights = 'uint8'): void {
  const edit = state.edit;
  const activations = new Map<string, { q: string; scale: string; zp: string }>();
  const dql = (x: string, transposeA: boolean): { q: string; scale: string; zp: string } => {
    const key = `${x}\u0000${transposeA}`;
    const hit = activations.get(key);
    if (hit) return hit;
    const nodes: Node[] = [];
    let source = x;
    if (transposeA) {
      source = edit.names.take(`${x}_transposed`);
      nodes.push(edit.node('Transpose', `${x}_Transpose`, [x], [source], [attr.ints('perm', [1, 0])]));
    }
    const out = { q: edit.names.take(`${source}_quantized`), scale: edit.names.take(`${source}_scale`), zp: edit.names.take(`${source}_zero_point`) };
    nodes.push(edit.node('DynamicQuantizeLinear', `${source}_DynamicQuantizeLinear`, [source], [out.q, out.scale, out.zp]));
    edit.insertAfterProducerOf(x, nodes);
    activations.set(key, out);
    return out;
  };

  const targets = edit.base.map((n, i) => target(state, i, n)).filter((t): t is Target => t !== undefined);
  for (const t of targets) {
    const { node, e, weight } = t;
    const base = node.name || `${node.opType}_${t.index}`;
    const isConv = node.opType === 'Conv';
    const x = dql(node.inputs[0]!, node.opType === 'Gemm' && attrInt(node, 'transA', 0) === 1);
    const shift = weights === 'uint8' && e.storage === 'int8';
    const codes = toStorage(t.transposeB ? transpose2d(t.codes) : t.codes, shift);
    const wq = edit.addInitializer(`${weight}_quantized`, codes);
    const channels = e.scale.length;
    // Equal zero points (symmetric weights) are written as one scalar, which every integer kernel accepts.
    const scalarZp = e.axis === undefined || uniform(e.zeroPoint);
    const zpValues = Int32Array.from(scalarZp ? e.zeroPoint.subarray(0, 1) : e.zeroPoint, (z) => (shift ? z + 128 : z));
    const zp = zeroPointTensor(weight, { ...e, storage: shift ? 'uint8' : e.storage, zeroPoint: zpValues }, scalarZp ? [] : [channels])!;
    const wzp = edit.addInitializer(`${weight}_zero_point`, zp);
    // A per-channel scale must broadcast along the output channel: last dim for MatMul, dim 1 of [N, M, ...] for Conv.
    const scaleDims = e.axis === undefined ? [] : isConv ? [channels, ...new Array<number>(codes.dims.length - 2).fill(1)] : [channels];
    const ws = edit.addInitializer(`${weight}_scale`, tensor('float32', scaleDims, Float32Array.from(e.scale)));
    state.replaced.add(weight);

    const nodes: Node[] = [];
    const acc = edit.names.take(`${base}_output_int32`);
    const convAttrs = isConv ? node.attributes : [];
    nodes.push(edit.node(isConv ? 'ConvInteger' : 'MatMulInteger', `${base}_${isConv ? 'ConvInteger' : 'MatMulInteger'}`, [x.q, wq, x.zp, wzp], [acc], convAttrs));
    const accF = edit.names.take(`${base}_output_int32_float`);
    nodes.push(edit.node('Cast', `${base}_Cast`, [acc], [accF], [attr.int('to', 1)]));
    let scale = edit.names.take(`${base}_output_scale`);
    nodes.push(edit.node('Mul', `${base}_scale_Mul`, [x.scale, ws], [scale]));
    const alpha = node.opType === 'Gemm' ? attrFloat(node, 'alpha', 1) : 1;
    if (alpha !== 1) {
      const scaled = edit.names.take(`${base}_output_scale_alpha`);
      nodes.push(edit.node('Mul', `${base}_alpha_Mul`, [scale, edit.addConstant(`${base}_alpha`, 'float32', [], [alpha])], [scaled]));
      scale = scaled;
    }
    const bias = node.opType === 'MatMul' ? '' : node.inputs[2] ?? '';
    const output = node.outputs[0]!;
    const product = bias === '' ? output : edit.names.take(`${base}_output_scaled`);
    nodes.push(edit.node('Mul', `${base}_output_Mul`, [accF, scale], [product]));
    if (bias !== '') {
      let b = biasValue(state, bias, isConv ? codes.dims.length - 1 : 0, nodes, base);
      const beta = node.opType === 'Gemm' ? attrFloat(node, 'beta', 1) : 1;
      if (beta !== 1) {
        const scaled = edit.names.take(`${base}_bias_beta`);
        nodes.push(edit.node('Mul', `${base}_beta_Mul`, [b, edit.addConstant(`${base}_beta`, 'float32', [], [beta])], [scaled]));
        b = scaled;
      }
      nodes.push(edit.node('Add', `${base}_bias_Add`, [product, b], [output]));
    }
    edit.replace(t.index, nodes);
  }
  if (targets.length > 0) state.need(OPSET_DYNAMIC);
}

/**
 * The bias as the integer op's output needs it: dequantized when planned, and for Conv shaped [M, 1, ...] (rank
 * `convRank`) so it broadcasts along the channel dimension.
 */
function biasValue(state: ExportState, bias: string, convRank: number, nodes: Node[], base: string): string {
  const planned = state.input.plan.tensors[bias];
  const quantized = planned !== undefined && (planned.role === 'bias' || planned.role === 'weight') && state.floatInitializer(bias) !== undefined;
  if (convRank === 0) return quantized ? state.dequantizedWeight(bias) : bias;
  const float = state.floatInitializer(bias);
  const channels = float?.dims[0];
  if (channels !== undefined) {
    const dims = [channels, ...new Array<number>(convRank - 1).fill(1)];
    if (quantized) return state.dequantizedWeight(bias, dims);
    // The [M] original is dropped at the end unless something else still reads it.
    state.replaced.add(bias);
    return state.edit.addInitializer(`${bias}_reshaped`, tensor('float32', dims, Float32Array.from(float!.data as Float32Array)));
  }
  // A computed bias: reshape it at run time to [M, 1, ...] (its length is not known here).
  const edit = state.edit;
  const shape = edit.addConstant(`${base}_bias_shape`, 'int64', [convRank], [-1n, ...new Array<bigint>(convRank - 1).fill(1n)]);
  const out = edit.names.take(`${bias}_reshaped`);
  nodes.push(edit.node('Reshape', `${base}_bias_Reshape`, [bias, shape], [out]));
  return out;
}
