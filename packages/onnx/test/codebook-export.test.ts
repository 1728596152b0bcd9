import {
  codebookGroupOf, codebookShape, dequantize, logChannelMinExponents, permute, quantizeWith, tensor,
  type CodebookEncoding, type Encoding, type Model, type PlanEntry, type QuantizedTensor, type QuantPlan, type Tensor,
} from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { codebookExporter, encodeModel, simulatedExporter, validateModel } from '../src/index.js';
import { f32, model, node, randomFloats, runOrt } from './qdq-helpers.js';

// Codebook exports (scalar, per-channel, product and residual VQ, log weights as signed powers of two) run in
// onnxruntime ('basic') against the float model whose weights are replaced by core's dequantize results.

/** Centroids for `e` sampled from the weight itself: k evenly spaced sub-vectors of each group's share. */
function centroidsFrom(w: Float32Array, dims: number[], e: Omit<CodebookEncoding, 'centroids'>): Float32Array {
  const rowsData = permute(w, dims, e.layout.perm);
  const { rows, perRow } = codebookShape(e as CodebookEncoding, w.length);
  const d = e.subvectorLength;
  const out = new Float32Array(e.groups * e.k * d);
  for (let g = 0; g < e.groups; g++) {
    const members: number[] = [];
    for (let r = 0; r < rows; r++) for (let t = 0; t < perRow; t++) if (codebookGroupOf(e as CodebookEncoding, rows, r, t) === g) members.push(r * perRow + t);
    for (let c = 0; c < e.k; c++) {
      const s = members[Math.floor((c * members.length) / e.k)]!;
      out.set(rowsData.subarray(s * d, (s + 1) * d), (g * e.k + c) * d);
    }
  }
  return out;
}

function codebook(w: Tensor, spec: Omit<CodebookEncoding, 'centroids' | 'kind'>): QuantizedTensor {
  const base = { kind: 'codebook' as const, ...spec };
  const e: CodebookEncoding = { ...base, centroids: centroidsFrom(w.data as Float32Array, w.dims, base) };
  return quantizeWith(e, w.data as Float32Array, w.dims);
}

function weightEntry(name: string, q: QuantizedTensor, role: PlanEntry['role'] = 'weight'): PlanEntry {
  return { tensor: name, role, scheme: 'test', options: {}, consumers: [], bits: 8, granularity: 'per-tensor', stats: null };
}

function plan(entries: PlanEntry[]): QuantPlan {
  return { version: 1, excluded: [], tensors: Object.fromEntries(entries.map((e) => [e.tensor, e])) };
}

/** The float model with each quantized initializer replaced by core's dequantized values. */
function dequantizedModel(m: Model, enc: Record<string, QuantizedTensor>): Model {
  const initializers = new Map(m.graph.initializers);
  for (const [name, q] of Object.entries(enc)) {
    if (q.codes !== undefined) initializers.set(name, { name, tensor: tensor('float32', q.dims, dequantize(q)) });
  }
  return { ...m, graph: { ...m.graph, initializers } };
}

function cnn(): Model {
  const W = tensor('float32', [8, 4, 3, 3], randomFloats(288, 21).map((v) => v * 0.4));
  const B = tensor('float32', [8], randomFloats(8, 22).map((v) => v * 0.1));
  const W2 = tensor('float32', [10, 288], randomFloats(2880, 23).map((v) => v * 0.2));
  const B2 = tensor('float32', [10], randomFloats(10, 24).map((v) => v * 0.1));
  return model(
    [
      node('Conv', ['x', 'W', 'B'], ['conv'], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }, 'conv1'),
      node('Relu', ['conv'], ['relu'], {}, 'relu1'),
      node('Flatten', ['relu'], ['flat'], {}, 'flatten1'),
      node('Gemm', ['flat', 'W2', 'B2'], ['y'], { transB: 1 }, 'fc'),
    ],
    [f32('x', [1, 4, 6, 6])], [f32('y', [1, 10])], { W, B, W2, B2 },
  );
}

function matmulModel(k: number, n: number, seed: number, opset = 13): Model {
  const W = tensor('float32', [k, n], randomFloats(k * n, seed).map((v) => v * 0.3));
  return model([node('MatMul', ['x', 'W'], ['y'], {}, 'mm')], [f32('x', [2, k])], [f32('y', [2, n])], { W }, opset, opset >= 21 ? 10 : 7);
}

const init = (m: Model, name: string) => m.graph.initializers.get(name)!.tensor;

async function compare(m: Model, enc: Record<string, QuantizedTensor>, xDims: number[], exporter = codebookExporter()) {
  const p = plan(Object.entries(enc).map(([name, q]) => weightEntry(name, q, name.startsWith('B') ? 'bias' : 'weight')));
  const { model: out, valueMap } = exporter.export({ model: m, plan: p, encodings: enc, mode: 'weight-only' });
  validateModel(out);
  const x = tensor('float32', xDims, randomFloats(xDims.reduce((a, b) => a * b, 1), 99));
  const names = Object.keys(enc).map((n) => valueMap[n]!);
  const got = await runOrt(out, { x }, ['y', ...names]);
  const want = await runOrt(dequantizedModel(m, enc), { x }, ['y']);
  return { out, valueMap, got, want };
}

describe('codebook exporter', () => {
  it('expands per-channel scalar, product-quantized and tensor codebooks of a Conv→Relu→Gemm model exactly', async () => {
    const m = cnn();
    const enc: Record<string, QuantizedTensor> = {
      // Product quantization over input channels at each tap: OIHW → OHWI rows of I = 4, two 2-long sub-vectors.
      W: codebook(init(m, 'W'), { k: 16, groups: 2, subvectorLength: 2, grouping: 'subspace', layout: { perm: [0, 2, 3, 1], rowLength: 4 } }),
      B: codebook(init(m, 'B'), { k: 4, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 8 } }),
      // One scalar codebook per output row.
      W2: codebook(init(m, 'W2'), { k: 8, groups: 10, subvectorLength: 1, grouping: 'channel', axis: 0, layout: { rowLength: 288 } }),
      B2: codebook(init(m, 'B2'), { k: 4, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 10 } }),
    };
    const { out, valueMap, got, want } = await compare(m, enc, [1, 4, 6, 6]);
    for (const [name, q] of Object.entries(enc)) expect(got[valueMap[name]!], name).toEqual(dequantize(q));
    expect(got.y).toEqual(want.y);
    expect(out.graph.initializers.has('W')).toBe(false);
    // 144 indices: too few for sub-byte packing to pay (codebook-pack.test.ts covers packing).
    expect(out.graph.initializers.get('W_indices')!.tensor.dtype).toBe('uint8');
    expect(out.graph.nodes.find((n) => n.name === 'conv1')!.inputs[1]).toBe(valueMap.W);
    const again = codebookExporter().export({ model: m, plan: plan(Object.keys(enc).map((n) => weightEntry(n, enc[n]!, n.startsWith('B') ? 'bias' : 'weight'))), encodings: enc, mode: 'weight-only' });
    expect(encodeModel(again.model)).toEqual(encodeModel(out));
  });

  it('adds the residual stage and inverts a transposed layout (MatMul weight read column-wise)', async () => {
    const m = matmulModel(64, 32, 31);
    const w = init(m, 'W');
    const base = { kind: 'codebook' as const, k: 16, groups: 1, subvectorLength: 4, grouping: 'tensor' as const, layout: { perm: [1, 0], rowLength: 64 } };
    const e: CodebookEncoding = { ...base, centroids: centroidsFrom(w.data as Float32Array, w.dims, base), residual: { k: 8, centroids: randomFloats(32, 5).map((v) => v * 0.05) } };
    const enc = { W: quantizeWith(e, w.data as Float32Array, w.dims) };
    expect(enc.W.codes!.dims).toEqual([2, 32, 16]);
    const { valueMap, got, want } = await compare(m, enc, [2, 64]);
    expect(got[valueMap.W!]).toEqual(dequantize(enc.W));
    expect(got.y).toEqual(want.y);
  });

  it('gives each output column of a MatMul weight its own vector codebook (channel grouping through a transpose)', async () => {
    const m = matmulModel(64, 32, 35);
    const enc = { W: codebook(init(m, 'W'), { k: 4, groups: 32, subvectorLength: 2, grouping: 'channel', axis: 1, layout: { perm: [1, 0], rowLength: 64 } }) };
    const { valueMap, got, want } = await compare(m, enc, [2, 64]);
    expect(got[valueMap.W!]).toEqual(dequantize(enc.W));
    expect(got.y).toEqual(want.y);
  });

  it('stores uint16 indices for k > 256', async () => {
    const m = matmulModel(32, 16, 41);
    const enc = { W: codebook(init(m, 'W'), { k: 300, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 16 } }) };
    const { out, got, want } = await compare(m, enc, [2, 32]);
    expect(out.graph.initializers.get('W_indices')!.tensor.dtype).toBe('uint16');
    expect(got.y).toEqual(want.y);
  });

  it('writes log weights as a codebook of signed powers of two (per-tensor and per-channel)', async () => {
    const m = cnn();
    const perTensor: Encoding = { kind: 'log', bits: 4, signed: true, step: 1, fsr: 0, minExponent: -7, zeroCode: true };
    const perChannel: Encoding = { kind: 'log', bits: 5, signed: true, step: 0.5, fsr: 0, minExponent: -7, zeroCode: false, axis: 0, channelFsr: Float32Array.from({ length: 10 }, (_, c) => -c / 2) };
    const enc = {
      W: quantizeWith(perTensor, init(m, 'W').data as Float32Array, [8, 4, 3, 3]),
      W2: quantizeWith(perChannel, init(m, 'W2').data as Float32Array, [10, 288]),
    };
    expect(logChannelMinExponents(perChannel as never)[3]).toBe(-8.5);
    const { out, valueMap, got, want } = await compare(m, enc, [1, 4, 6, 6]);
    expect(got[valueMap.W!]).toEqual(dequantize(enc.W));
    expect(got[valueMap.W2!]).toEqual(dequantize(enc.W2));
    expect(got.y).toEqual(want.y);
    expect(out.graph.initializers.get('W_codes')!.tensor.dtype).toBe('int8');
    expect(out.graph.initializers.get('W2_codes')!.tensor.dtype).toBe('int8');
  });

  it('delegates affine weights to the QDQ writer in the same export', async () => {
    const m = matmulModel(16, 8, 51);
    const w = init(m, 'W');
    const affine: Encoding = { kind: 'affine', bits: 8, signed: true, narrowRange: true, symmetric: true, powerOfTwo: false, scale: new Float32Array([0.3 / 127]), zeroPoint: new Int32Array([0]), storage: 'int8' };
    const enc = { W: quantizeWith(affine, w.data as Float32Array, w.dims) };
    const { out, got, want } = await compare(m, enc, [2, 16]);
    expect(out.graph.nodes.some((n) => n.opType === 'DequantizeLinear')).toBe(true);
    expect(got.y).toEqual(want.y);
  });

  it('packs 16-entry codebooks and short log ladders into 4 bits at opset 21', async () => {
    const m = matmulModel(256, 1024, 61, 21);
    const w = init(m, 'W');
    const scalar = { W: codebook(w, { k: 16, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 1024 } }) };
    const packed = await compare(m, scalar, [2, 256]);
    expect(packed.out.graph.initializers.get('W_indices')!.tensor.dtype).toBe('uint4');
    expect(packed.got.y).toEqual(packed.want.y);
    const bytes = encodeModel(packed.out).byteLength;
    const unpacked = encodeModel((await compare(m, scalar, [2, 256], codebookExporter({ packIndices: 'never' }))).out).byteLength;
    console.log(`256×1024 MatMul at opset 21, k=16: uint4 indices ${bytes} B, uint8 indices ${unpacked} B`);
    expect(bytes).toBeLessThan(unpacked * 0.51);
    const log: Encoding = { kind: 'log', bits: 4, signed: true, step: 1, fsr: 0, minExponent: -7, zeroCode: true };
    const logEnc = { W: quantizeWith(log, w.data as Float32Array, w.dims) };
    const logOut = await compare(m, logEnc, [2, 256]);
    expect(logOut.out.graph.initializers.get('W_codes')!.tensor.dtype).toBe('int4');
    expect(logOut.got[logOut.valueMap.W!]).toEqual(dequantize(logEnc.W));
  });

  it('fake-quantizes log and affine activations of a compressed model in static mode', async () => {
    const m = cnn();
    const enc: Record<string, QuantizedTensor> = {
      W: codebook(init(m, 'W'), { k: 16, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 36 } }),
      W2: codebook(init(m, 'W2'), { k: 16, groups: 1, subvectorLength: 4, grouping: 'tensor', layout: { rowLength: 288 } }),
    };
    const xEnc: Encoding = { kind: 'affine', bits: 8, signed: false, narrowRange: false, symmetric: false, powerOfTwo: false, scale: new Float32Array([2 / 255]), zeroPoint: new Int32Array([128]), storage: 'uint8' };
    const reluEnc: Encoding = { kind: 'log', bits: 4, signed: false, step: 0.5, fsr: 1, minExponent: -6.5, zeroCode: true };
    const activation = (t: string, consumer: string, opType: string): PlanEntry => ({ ...weightEntry(t, enc.W!, 'activation'), consumers: [{ node: consumer, opType, input: 0 }] });
    const p = plan([weightEntry('W', enc.W!), weightEntry('W2', enc.W2!), activation('x', 'conv1', 'Conv'), activation('relu', 'flatten1', 'Flatten')]);
    const encodings = { ...enc, x: { encoding: xEnc, dims: [1, 4, 6, 6] }, relu: { encoding: reluEnc, dims: [1, 8, 6, 6] } };
    const { model: out, valueMap } = codebookExporter().export({ model: m, plan: p, encodings, mode: 'static' });
    validateModel(out);
    const x = tensor('float32', [1, 4, 6, 6], randomFloats(144, 98));
    const got = await runOrt(out, { x }, ['relu', valueMap.x!, valueMap.relu!]);
    expect(got[valueMap.x!]).toEqual(dequantize(quantizeWith(xEnc, x.data as Float32Array, x.dims)));
    expect(got[valueMap.relu!]).toEqual(dequantize(quantizeWith(reluEnc, got.relu!, [1, 8, 6, 6])));
    expect(out.graph.nodes.filter((n) => n.opType === 'QuantizeLinear')).toHaveLength(1);
  });

  it('is smaller on disk than the float model for a 256×1024 layer', async () => {
    const m = matmulModel(256, 1024, 61);
    const w = init(m, 'W');
    const floatBytes = encodeModel(m).byteLength;
    const scalar = { W: codebook(w, { k: 16, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 1024 } }) };
    const vq = { W: codebook(w, { k: 256, groups: 1, subvectorLength: 4, grouping: 'tensor', layout: { rowLength: 1024 } }) };
    const size = (enc: Record<string, QuantizedTensor>) =>
      encodeModel(codebookExporter().export({ model: m, plan: plan([weightEntry('W', enc.W!)]), encodings: enc, mode: 'weight-only' }).model).byteLength;
    const scalarBytes = size(scalar);
    const vqBytes = size(vq);
    const simulatedBytes = encodeModel(simulatedExporter().export({ model: m, plan: plan([weightEntry('W', scalar.W)]), encodings: scalar, mode: 'weight-only' }).model).byteLength;
    console.log(`256×1024 MatMul: float ${floatBytes} B, simulated ${simulatedBytes} B, scalar k=16 ${scalarBytes} B, VQ d=4 k=256 ${vqBytes} B`);
    // Below opset 21 the 262 144 4-bit indices are packed two to a byte.
    expect(scalarBytes).toBeLessThan(floatBytes * 0.135);
    expect(vqBytes).toBeLessThan(floatBytes * 0.07);
    expect(simulatedBytes).toBeGreaterThan(floatBytes * 0.99);
  });
});
