import { tensor, type AffineEncoding, type AffineFormat, type QuantizedTensor, type QuantPlan, type Tensor } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { encodeModel, qdqExporter, validateModel } from '../src/index.js';
import { conv2d, entry, f32, fit, matmul, maxAbs, maxAbsDiff, model, node, quantized, randomFloats, runOrt } from './qdq-helpers.js';

// Dynamic mode: DynamicQuantizeLinear + MatMulInteger / ConvInteger + Cast + scale Mul + bias, run in onnxruntime,
// against the float model. onnxruntime's u8 × s8 kernels saturate int16 pair sums on AVX2 CPUs without VNNI (such as
// this one), so int8 weights are written as uint8 (codes and zero points + 128) by default; the deep full-range test
// below is the one that shows it.

const U8: AffineFormat = { bits: 8, signed: false, symmetric: false };
const S7: AffineFormat = { bits: 7, signed: true, symmetric: true };

function planFor(weights: Record<string, { t: Tensor; e: AffineEncoding }>): { plan: QuantPlan; encodings: Record<string, QuantizedTensor> } {
  const plan: QuantPlan = { version: 1, excluded: [], tensors: {} };
  const encodings: Record<string, QuantizedTensor> = {};
  for (const [name, { t, e }] of Object.entries(weights)) {
    plan.tensors[name] = entry(name, 'weight', e);
    encodings[name] = quantized(e, t);
  }
  return { plan, encodings };
}

/** Relative error of `got` against the float result, with the bound 8-bit activations and weights allow. */
function relErr(got: Float32Array, want: Float32Array): number {
  return maxAbsDiff(got, want) / maxAbs(want);
}

describe('dynamic MatMul + Add and Gemm', () => {
  const W = tensor('float32', [8, 5], randomFloats(40, 41));
  const b = tensor('float32', [5], randomFloats(5, 42));
  const x = randomFloats(24, 43);
  const want = matmul(x, 3, 8, W.data as Float32Array, 5, b.data as Float32Array);

  for (const [label, format, axis] of [['uint8 per-tensor', U8, undefined], ['7-bit int8 per-channel', S7, 1]] as const) {
    it(`MatMul with ${label} weights`, async () => {
      const m = model([node('MatMul', ['x', 'W'], ['h'], {}, 'mm'), node('Add', ['h', 'b'], ['y'], {}, 'add')], [f32('x', [3, 8])], [f32('y', [3, 5])], { W, b });
      const { plan, encodings } = planFor({ W: { t: W, e: fit(W.data as Float32Array, W.dims, format, axis) } });
      const r = qdqExporter().export({ model: m, plan, encodings, mode: 'dynamic' });
      validateModel(r.model);
      expect(r.model.graph.nodes.map((n) => n.opType)).toEqual(['DynamicQuantizeLinear', 'MatMulInteger', 'Cast', 'Mul', 'Mul', 'Add']);
      expect(r.model.graph.initializers.has('W')).toBe(false);
      expect(r.model.graph.initializers.get('W_scale')!.tensor.dims).toEqual(axis === undefined ? [] : [5]);
      expect(r.valueMap).toEqual({});
      const got = await runOrt(r.model, { x: tensor('float32', [3, 8], x) }, ['y']);
      const err = relErr(got.y!, want);
      console.log(`dynamic MatMul ${label}: rel err vs float ${err.toExponential(2)}`);
      expect(err).toBeLessThan(0.03);
    });
  }

  it('writes full-range int8 weights as uint8 (+128) so a deep MatMul stays exact on any CPU', async () => {
    const K = 64;
    const Wd = tensor('float32', [K, 16], randomFloats(K * 16, 46));
    const xd = randomFloats(8 * K, 47).map((v) => Math.abs(v) * 4);
    const m = model([node('MatMul', ['x', 'Wd'], ['y'], {}, 'mm')], [f32('x', [8, K])], [f32('y', [8, 16])], { Wd });
    const { plan, encodings } = planFor({ Wd: { t: Wd, e: fit(Wd.data as Float32Array, Wd.dims, { bits: 8, signed: true, symmetric: true }) } });
    const r = qdqExporter().export({ model: m, plan, encodings, mode: 'dynamic' });
    const g = r.model.graph;
    expect(g.initializers.get('Wd_quantized')!.tensor.dtype).toBe('uint8');
    expect(Array.from(g.initializers.get('Wd_zero_point')!.tensor.data as Uint8Array)).toEqual([128]);
    const codes = encodings.Wd!.codes!.data as Int8Array;
    expect(Array.from(g.initializers.get('Wd_quantized')!.tensor.data as Uint8Array)).toEqual(Array.from(codes, (q) => q + 128));
    const got = await runOrt(r.model, { x: tensor('float32', [8, K], xd) }, ['y']);
    const err = relErr(got.y!, matmul(xd, 8, K, Wd.data as Float32Array, 16));
    console.log(`dynamic MatMul, full-range int8 weights written as uint8: rel err vs float ${err.toExponential(2)}`);
    expect(err).toBeLessThan(0.03);
    const asIs = qdqExporter({ dynamicWeights: 'encoding' }).export({ model: m, plan, encodings, mode: 'dynamic' });
    expect(asIs.model.graph.initializers.get('Wd_quantized')!.tensor.dtype).toBe('int8');
    expect(() => qdqExporter({ dynamicWeights: 'int8' as never })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });

  it('Gemm with transA, transB, alpha and beta', async () => {
    const Wt = tensor('float32', [5, 8], randomFloats(40, 44));
    const xt = randomFloats(24, 45);
    const m = model([node('Gemm', ['xt', 'Wt', 'b'], ['y'], { transA: 1, transB: 1, alpha: 0.5, beta: 2.5 }, 'fc')], [f32('xt', [8, 3])], [f32('y', [3, 5])], { Wt, b });
    const { plan, encodings } = planFor({ Wt: { t: Wt, e: fit(Wt.data as Float32Array, Wt.dims, S7, 0) } });
    const r = qdqExporter().export({ model: m, plan, encodings, mode: 'dynamic' });
    validateModel(r.model);
    expect(r.model.graph.initializers.get('Wt_quantized')!.tensor.dims).toEqual([8, 5]);
    const got = await runOrt(r.model, { xt: tensor('float32', [8, 3], xt) }, ['y']);
    const a = new Float32Array(24);
    for (let i = 0; i < 3; i++) for (let k = 0; k < 8; k++) a[i * 8 + k] = xt[k * 3 + i]!;
    const f = matmul(a, 3, 8, Wt.data as Float32Array, 5, undefined, true).map((v, i) => 0.5 * v + 2.5 * (b.data as Float32Array)[i % 5]!);
    const err = relErr(got.y!, f);
    console.log(`dynamic Gemm: rel err vs float ${err.toExponential(2)}`);
    expect(err).toBeLessThan(0.03);
  });
});

describe('dynamic Conv', () => {
  const W = tensor('float32', [4, 2, 3, 3], randomFloats(72, 51));
  const B = tensor('float32', [4], randomFloats(4, 52));
  const x = randomFloats(72, 53);

  for (const [label, format, axis] of [['uint8 per-tensor', U8, undefined], ['7-bit int8 per-channel', S7, 0]] as const) {
    it(`ConvInteger with ${label} weights and a float bias`, async () => {
      const m = model([node('Conv', ['x', 'W', 'B'], ['y'], { pads: [1, 1, 1, 1] }, 'conv')], [f32('x', [1, 2, 6, 6])], [f32('y', [1, 4, 6, 6])], { W, B });
      const { plan, encodings } = planFor({ W: { t: W, e: fit(W.data as Float32Array, W.dims, format, axis) } });
      const bytes = encodeModel(m);
      const r = qdqExporter().export({ model: m, plan, encodings, mode: 'dynamic' });
      expect(encodeModel(m)).toEqual(bytes);
      validateModel(r.model);
      const g = r.model.graph;
      expect(g.nodes.map((n) => n.opType)).toEqual(['DynamicQuantizeLinear', 'ConvInteger', 'Cast', 'Mul', 'Mul', 'Add']);
      expect(g.initializers.get('W_scale')!.tensor.dims).toEqual(axis === undefined ? [] : [4, 1, 1]);
      expect(g.initializers.get('W_zero_point')!.tensor.dims).toEqual([]);
      expect(g.initializers.get('B_reshaped')!.tensor.dims).toEqual([4, 1, 1]);
      expect(g.initializers.has('B')).toBe(false);
      const got = await runOrt(r.model, { x: tensor('float32', [1, 2, 6, 6], x) }, ['y']);
      const want = conv2d(x, [1, 2, 6, 6], W.data as Float32Array, W.dims, B.data as Float32Array, 1).y;
      const err = relErr(got.y!, want);
      console.log(`dynamic Conv ${label}: rel err vs float ${err.toExponential(2)}`);
      expect(err).toBeLessThan(0.03);
    });
  }

  it('keeps per-channel zero points of MatMul weights, sends Conv weights with them to DQ, dequantizes a planned bias', async () => {
    const W3 = tensor('float32', [8, 5], randomFloats(40, 56));
    const asym: AffineFormat = { bits: 8, signed: false, symmetric: false };
    const mm = model([node('MatMul', ['x', 'W3'], ['y'], {}, 'mm')], [f32('x', [3, 8])], [f32('y', [3, 5])], { W3 });
    const p1 = planFor({ W3: { t: W3, e: fit(W3.data as Float32Array, W3.dims, asym, 1) } });
    const r1 = qdqExporter().export({ model: mm, plan: p1.plan, encodings: p1.encodings, mode: 'dynamic' });
    expect(r1.model.graph.initializers.get('W3_zero_point')!.tensor.dims).toEqual([5]);
    const x3 = randomFloats(24, 57);
    const got1 = await runOrt(r1.model, { x: tensor('float32', [3, 8], x3) }, ['y']);
    expect(relErr(got1.y!, matmul(x3, 3, 8, W3.data as Float32Array, 5))).toBeLessThan(0.03);

    const conv = model([node('Conv', ['x', 'W', 'B'], ['y'], { pads: [1, 1, 1, 1] }, 'conv')], [f32('x', [1, 2, 6, 6])], [f32('y', [1, 4, 6, 6])], { W, B });
    const p2 = planFor({ W: { t: W, e: fit(W.data as Float32Array, W.dims, asym, 0) } });
    const r2 = qdqExporter().export({ model: conv, plan: p2.plan, encodings: p2.encodings, mode: 'dynamic' });
    expect(r2.model.graph.nodes.map((n) => n.opType)).toEqual(['DequantizeLinear', 'Conv']);

    const p3 = planFor({ W: { t: W, e: fit(W.data as Float32Array, W.dims, S7, 0) }, B: { t: B, e: fit(B.data as Float32Array, B.dims, S7) } });
    p3.plan.tensors.B!.role = 'bias';
    const r3 = qdqExporter().export({ model: conv, plan: p3.plan, encodings: p3.encodings, mode: 'dynamic' });
    validateModel(r3.model);
    expect(r3.model.graph.initializers.get('B_quantized')!.tensor.dims).toEqual([4, 1, 1]);
    expect(r3.model.graph.initializers.has('B')).toBe(false);
    const got3 = await runOrt(r3.model, { x: tensor('float32', [1, 2, 6, 6], x) }, ['y']);
    expect(relErr(got3.y!, conv2d(x, [1, 2, 6, 6], W.data as Float32Array, W.dims, B.data as Float32Array, 1).y)).toBeLessThan(0.03);
  });

  it('leaves weights that cannot run as integer ops to DequantizeLinear (per-group int4)', async () => {
    const W2 = tensor('float32', [8, 4], randomFloats(32, 54));
    const m = model([node('MatMul', ['x', 'W2'], ['y'], {}, 'mm')], [f32('x', [2, 8])], [f32('y', [2, 4])], { W2 });
    const { plan, encodings } = planFor({ W2: { t: W2, e: fit(W2.data as Float32Array, W2.dims, { bits: 4, signed: true, symmetric: true }, 0, 4) } });
    const r = qdqExporter().export({ model: m, plan, encodings, mode: 'dynamic' });
    expect(r.model.graph.nodes.map((n) => n.opType)).toEqual(['DequantizeLinear', 'MatMul']);
    expect(r.valueMap).toEqual({ W2: 'W2_dequantized' });
    await runOrt(r.model, { x: tensor('float32', [2, 8], randomFloats(16, 55)) }, ['y']);
  });
});
