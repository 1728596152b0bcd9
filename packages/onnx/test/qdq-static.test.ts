import { biasEncoding, dequantize, tensor, type AffineEncoding, type QuantizedTensor, type QuantPlan } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, qdqExporter, validateModel } from '../src/index.js';
import {
  conv2d, entry, f32, fakeQuant, fit, matmul, maxAbs, maxAbsDiff, maxPool2, model, node, quantized, randomFloats, relu, runOrt,
} from './qdq-helpers.js';

// Conv → Relu → MaxPool → Flatten → Gemm with per-channel int8 conv weights, int32 biases, uint8 activations (the
// pooling chain tied to one scale), exported as QDQ and run in onnxruntime ('basic'), against a direct TypeScript
// computation of the same fake-quantized float graph.

const U8 = { bits: 8, signed: false, symmetric: false };
const S8 = { bits: 8, signed: true, symmetric: true, narrowRange: true };

function cnn() {
  const W = tensor('float32', [4, 2, 3, 3], randomFloats(72, 11).map((v) => v * 0.5));
  const B = tensor('float32', [4], randomFloats(4, 12).map((v) => v * 0.1));
  const W2 = tensor('float32', [3, 36], randomFloats(108, 13).map((v) => v * 0.3));
  const B2 = tensor('float32', [3], randomFloats(3, 14).map((v) => v * 0.1));
  const m = model(
    [
      node('Conv', ['x', 'W', 'B'], ['conv'], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }, 'conv1'),
      node('Relu', ['conv'], ['relu'], {}, 'relu1'),
      node('MaxPool', ['relu'], ['pool'], { kernel_shape: [2, 2], strides: [2, 2] }, 'pool1'),
      node('Flatten', ['pool'], ['flat'], {}, 'flatten1'),
      node('Gemm', ['flat', 'W2', 'B2'], ['y'], { transB: 1 }, 'fc'),
    ],
    [f32('x', [1, 2, 6, 6])], [f32('y', [1, 3])], { W, B, W2, B2 },
  );
  return { m, W, B, W2, B2 };
}

/** Direct fake-quantized computation; returns every intermediate. */
function reference(x: Float32Array, t: ReturnType<typeof cnn>, enc: Record<string, QuantizedTensor>) {
  const a = (n: string) => enc[n]!.encoding as AffineEncoding;
  const xq = fakeQuant(a('x'), x, [1, 2, 6, 6]);
  const conv = conv2d(xq, [1, 2, 6, 6], dequantize(enc.W!), t.W.dims, dequantize(enc.B!), 1);
  const r = relu(conv.y);
  const rq = fakeQuant(a('relu'), r, conv.dims);
  const p = maxPool2(rq, conv.dims);
  const pq = fakeQuant(a('pool'), p.y, p.dims);
  const fq = fakeQuant(a('flat'), pq, [1, 36]);
  const y = matmul(fq, 1, 36, dequantize(enc.W2!), 3, dequantize(enc.B2!), true);
  return { xq, rq, pq, y };
}

function calibrate(t: ReturnType<typeof cnn>, x: Float32Array) {
  // Float pass for activation ranges.
  const conv = conv2d(x, [1, 2, 6, 6], t.W.data as Float32Array, t.W.dims, t.B.data as Float32Array, 1);
  const r = relu(conv.y);
  const p = maxPool2(r, conv.dims);
  const y = matmul(p.y, 1, 36, t.W2.data as Float32Array, 3, t.B2.data as Float32Array, true);
  const ex = fit(x, [1, 2, 6, 6], U8);
  const eact = fit(r, conv.dims, U8);
  const eW = fit(t.W.data as Float32Array, t.W.dims, S8, 0);
  const eW2 = fit(t.W2.data as Float32Array, t.W2.dims, S8);
  const encodings: Record<string, QuantizedTensor> = {
    x: { encoding: ex, dims: [1, 2, 6, 6] },
    relu: { encoding: eact, dims: conv.dims },
    pool: { encoding: eact, dims: [1, 4, 3, 3] },
    flat: { encoding: eact, dims: [1, 36] },
    y: { encoding: fit(y, [1, 3], U8), dims: [1, 3] },
    W: quantized(eW, t.W),
    B: quantized(biasEncoding(ex, eW), t.B),
    W2: quantized(eW2, t.W2),
    B2: quantized(biasEncoding(eact, eW2), t.B2),
  };
  const e = (n: string) => encodings[n]!.encoding as AffineEncoding;
  const plan: QuantPlan = {
    version: 1, excluded: [],
    tensors: {
      x: entry('x', 'activation', e('x'), { consumers: [{ node: 'conv1', opType: 'Conv', input: 0 }] }),
      relu: entry('relu', 'activation', e('relu'), { tieGroup: 'pool', producer: 'relu1', consumers: [{ node: 'pool1', opType: 'MaxPool', input: 0 }] }),
      pool: entry('pool', 'activation', e('pool'), { tieGroup: 'pool', producer: 'pool1' }),
      flat: entry('flat', 'activation', e('flat'), { tieGroup: 'pool', producer: 'flatten1' }),
      y: entry('y', 'activation', e('y'), { producer: 'fc' }),
      W: entry('W', 'weight', e('W')),
      B: entry('B', 'bias', e('B'), { dependsOn: { input: 'x', weight: 'W' } }),
      W2: entry('W2', 'weight', e('W2')),
      B2: entry('B2', 'bias', e('B2'), { dependsOn: { input: 'flat', weight: 'W2' } }),
    },
  };
  return { plan, encodings };
}

describe('QDQ export of Conv → Relu → MaxPool → Flatten → Gemm (static)', () => {
  const t = cnn();
  const x = randomFloats(72, 5);
  const { plan, encodings } = calibrate(t, x);
  const before = encodeModel(t.m);
  const result = qdqExporter().export({ model: t.m, plan, encodings, mode: 'static' });

  it('writes integer initializers, shared tied parameters and unique conventional names', () => {
    const g = result.model.graph;
    expect(g.initializers.has('W')).toBe(false);
    expect(g.initializers.get('W_quantized')!.tensor.dtype).toBe('int8');
    expect(g.initializers.get('W_scale')!.tensor.dims).toEqual([4]);
    expect(g.initializers.get('B_quantized')!.tensor.dtype).toBe('int32');
    expect(g.initializers.has('B_zero_point')).toBe(false);
    expect(g.initializers.get('x_zero_point')!.tensor.dtype).toBe('uint8');
    expect(g.initializers.get('x_scale')!.tensor.dims).toEqual([]);
    // One scale for the tie group, named after its first member in name order.
    expect(g.initializers.has('flat_scale')).toBe(true);
    expect(g.initializers.has('pool_scale')).toBe(false);
    expect(g.initializers.has('relu_scale')).toBe(false);
    const poolQ = g.nodes.find((n) => n.name === 'pool_QuantizeLinear')!;
    expect(poolQ.inputs).toEqual(['pool', 'flat_scale', 'flat_zero_point']);
    expect(result.valueMap).toEqual({
      x: 'x_dequantized', relu: 'relu_dequantized', pool: 'pool_dequantized', flat: 'flat_dequantized', y: 'y_dequantized',
      W: 'W_dequantized', B: 'B_dequantized', W2: 'W2_dequantized', B2: 'B2_dequantized',
    });
    const names = g.nodes.map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
    expect(g.nodes.find((n) => n.name === 'W_DequantizeLinear')!.attributes).toEqual([{ name: 'axis', type: 'int', value: 0 }]);
    expect(g.nodes.find((n) => n.name === 'conv1')!.inputs).toEqual(['x_dequantized', 'W_dequantized', 'B_dequantized']);
    expect(g.outputs.map((o) => o.name)).toEqual(['y']);
  });

  it('chooses opset 13 (per-axis DQ) and leaves the input model untouched', () => {
    expect(result.model.opsetImports).toEqual([{ domain: '', version: 13 }]);
    expect(result.model.irVersion).toBe(7);
    expect(encodeModel(t.m)).toEqual(before);
  });

  it('validates, round-trips the codec, and is deterministic', () => {
    validateModel(result.model);
    const bytes = encodeModel(result.model);
    expect(encodeModel(decodeModel(bytes))).toEqual(bytes);
    const again = qdqExporter().export({ model: t.m, plan, encodings, mode: 'static' });
    expect(encodeModel(again.model)).toEqual(bytes);
  });

  it('runs in onnxruntime and matches the direct fake-quantized computation', async () => {
    const ref = reference(x, t, encodings);
    const outs = ['y', 'x_dequantized', 'relu_dequantized', 'pool_dequantized'];
    const got = await runOrt(result.model, { x: tensor('float32', [1, 2, 6, 6], x) }, outs);
    expect(maxAbsDiff(got.x_dequantized!, ref.xq)).toBe(0);
    const step = (encodings.relu!.encoding as AffineEncoding).scale[0]!;
    // Float summation order may move a value across a rounding boundary: at most one step, rarely.
    expect(maxAbsDiff(got.relu_dequantized!, ref.rq)).toBeLessThanOrEqual(step * 1.0001);
    expect(maxAbsDiff(got.pool_dequantized!, ref.pq)).toBeLessThanOrEqual(step * 1.0001);
    const err = maxAbsDiff(got.y!, ref.y) / maxAbs(ref.y);
    console.log(`cnn static: activation max diff ${maxAbsDiff(got.relu_dequantized!, ref.rq).toExponential(2)} (step ${step.toExponential(2)}), y rel err ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-3);
  });
});

describe('QDQ export of MatMul + Add (static, per-channel along the output axis)', () => {
  const W = tensor('float32', [8, 5], randomFloats(40, 21));
  const b = tensor('float32', [5], randomFloats(5, 22).map((v) => v * 0.2));
  const m = model([node('MatMul', ['x', 'W'], ['h'], {}, 'mm'), node('Add', ['h', 'b'], ['y'], {}, 'add')], [f32('x', ['batch', 8])], [f32('y', ['batch', 5])], { W, b });
  const x = randomFloats(16, 23);
  const h = matmul(x, 2, 8, W.data as Float32Array, 5);
  const ex = fit(x, [2, 8], { bits: 8, signed: true, symmetric: false });
  const eh = fit(h, [2, 5], { bits: 8, signed: true, symmetric: false });
  const eW = fit(W.data as Float32Array, [8, 5], S8, 1);
  const encodings: Record<string, QuantizedTensor> = {
    x: { encoding: ex, dims: [2, 8] }, h: { encoding: eh, dims: [2, 5] }, W: quantized(eW, W),
    b: quantized(fit(b.data as Float32Array, [5], S8), b),
  };
  const plan: QuantPlan = {
    version: 1, excluded: [],
    tensors: {
      x: entry('x', 'activation', ex), h: entry('h', 'activation', eh, { producer: 'mm' }), W: entry('W', 'weight', eW), b: entry('b', 'weight', encodings.b!.encoding as AffineEncoding),
    },
  };

  it('runs in onnxruntime and matches the direct computation', async () => {
    const r = qdqExporter().export({ model: m, plan, encodings, mode: 'static' });
    validateModel(r.model);
    expect(r.model.graph.nodes.map((n) => n.opType)).toEqual(['DequantizeLinear', 'DequantizeLinear', 'QuantizeLinear', 'DequantizeLinear', 'MatMul', 'QuantizeLinear', 'DequantizeLinear', 'Add']);
    const got = await runOrt(r.model, { x: tensor('float32', [2, 8], x) }, ['y', 'h_dequantized']);
    const hq = fakeQuant(eh, matmul(fakeQuant(ex, x, [2, 8]), 2, 8, dequantize(encodings.W!), 5), [2, 5]);
    const bq = dequantize(encodings.b!);
    const want = hq.map((v, i) => v + bq[i % 5]!);
    expect(maxAbsDiff(got.h_dequantized!, hq)).toBeLessThanOrEqual(eh.scale[0]! * 1.0001);
    expect(maxAbsDiff(got.y!, want)).toBeLessThanOrEqual(eh.scale[0]! * 1.0001);
  });

  it('weight-only mode writes only the weight DQ and keeps activations float', async () => {
    const r = qdqExporter().export({ model: m, plan, encodings, mode: 'weight-only' });
    expect(r.model.graph.nodes.map((n) => n.opType)).toEqual(['DequantizeLinear', 'DequantizeLinear', 'MatMul', 'Add']);
    expect(Object.keys(r.valueMap).sort()).toEqual(['W', 'b']);
    const got = await runOrt(r.model, { x: tensor('float32', [2, 8], x) }, ['y']);
    const bq = dequantize(encodings.b!);
    const want = matmul(x, 2, 8, dequantize(encodings.W!), 5).map((v, i) => v + bq[i % 5]!);
    expect(maxAbsDiff(got.y!, want)).toBeLessThan(1e-5);
  });
});
