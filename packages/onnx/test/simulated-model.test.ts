import {
  dequantize, quantizeWith, tensor,
  type AffineEncoding, type CodebookEncoding, type Encoding, type LogEncoding, type Model, type PlanEntry, type QuantizedTensor, type QuantPlan,
} from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { simulatedExporter, validateModel } from '../src/index.js';
import { f32, matmul, maxAbsDiff, model, node, randomFloats, runOrt } from './qdq-helpers.js';

// A Conv→Relu→Flatten→Gemm model with one weight of every kind (codebook, ternary, log, affine), an affine input and a
// log-quantized Relu output, exported as a simulated model and run in onnxruntime ('basic').

function cnn(): Model {
  const W = tensor('float32', [8, 4, 3, 3], randomFloats(288, 71).map((v) => v * 0.4));
  const B = tensor('float32', [8], randomFloats(8, 72).map((v) => v * 0.1));
  const W2 = tensor('float32', [10, 288], randomFloats(2880, 73).map((v) => v * 0.2));
  const B2 = tensor('float32', [10], randomFloats(10, 74).map((v) => v * 0.1));
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

const xAffine: AffineEncoding = { kind: 'affine', bits: 8, signed: true, narrowRange: false, symmetric: true, powerOfTwo: false, scale: new Float32Array([1 / 128]), zeroPoint: new Int32Array([0]), storage: 'int8' };
const reluLog: LogEncoding = { kind: 'log', bits: 3, signed: false, step: 1, fsr: 1, minExponent: -6, zeroCode: true };

function setup() {
  const m = cnn();
  const w = (n: string) => m.graph.initializers.get(n)!.tensor.data as Float32Array;
  const cb: CodebookEncoding = { kind: 'codebook', k: 4, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 36 }, centroids: Float32Array.of(-0.3, -0.1, 0.1, 0.3) };
  const ternary: Encoding = { kind: 'ternary', scale: new Float32Array([0.08]) };
  const log: Encoding = { kind: 'log', bits: 4, signed: true, step: 1, fsr: 0, minExponent: -7, zeroCode: true };
  const affine: Encoding = { kind: 'affine', bits: 8, signed: true, narrowRange: true, symmetric: true, powerOfTwo: false, scale: new Float32Array([0.1 / 127]), zeroPoint: new Int32Array([0]), storage: 'int8' };
  const encodings: Record<string, QuantizedTensor> = {
    W: quantizeWith(cb, w('W'), [8, 4, 3, 3]),
    B: quantizeWith(ternary, w('B'), [8]),
    W2: quantizeWith(log, w('W2'), [10, 288]),
    B2: quantizeWith(affine, w('B2'), [10]),
    x: { encoding: xAffine, dims: [1, 4, 6, 6] },
    relu: { encoding: reluLog, dims: [1, 8, 6, 6] },
  };
  const entry = (tensorName: string, role: PlanEntry['role'], extra: Partial<PlanEntry> = {}): PlanEntry =>
    ({ tensor: tensorName, role, scheme: 'test', options: {}, consumers: [], bits: 8, granularity: 'per-tensor', stats: null, ...extra });
  const plan: QuantPlan = {
    version: 1, excluded: [],
    tensors: {
      W: entry('W', 'weight'), B: entry('B', 'bias'), W2: entry('W2', 'weight'), B2: entry('B2', 'bias'),
      x: entry('x', 'activation', { consumers: [{ node: 'conv1', opType: 'Conv', input: 0 }] }),
      relu: entry('relu', 'activation', { producer: 'relu1', consumers: [{ node: 'flatten1', opType: 'Flatten', input: 0 }] }),
    },
  };
  return { m, encodings, plan };
}

const input = () => tensor('float32', [1, 4, 6, 6], randomFloats(144, 75).map((v) => v * 1.2));

describe('simulated exporter on a model', () => {
  it('static: dequantized weights of every kind, affine Q/DQ and log fake-quant activations equal core', async () => {
    const { m, encodings, plan } = setup();
    const before = m.graph.nodes.length;
    const { model: out, valueMap } = simulatedExporter().export({ model: m, plan, encodings, mode: 'static' });
    validateModel(out);
    expect(m.graph.nodes.length).toBe(before);
    expect(out.graph.initializers.has('W')).toBe(false);
    expect(valueMap.relu).toBe('relu_log_dequantized');
    expect(out.graph.nodes.find((n) => n.name === 'flatten1')!.inputs[0]).toBe(valueMap.relu);
    const x = input();
    const names = ['y', 'relu', valueMap.x!, valueMap.relu!, ...['W', 'B', 'W2', 'B2'].map((n) => valueMap[n]!)];
    const got = await runOrt(out, { x }, names);
    for (const n of ['W', 'B', 'W2', 'B2']) expect(got[valueMap[n]!], n).toEqual(dequantize(encodings[n]!));
    expect(got[valueMap.x!]).toEqual(dequantize(quantizeWith(xAffine, x.data as Float32Array, x.dims)));
    const reluFq = dequantize(quantizeWith(reluLog, got.relu!, [1, 8, 6, 6]));
    expect(got[valueMap.relu!]).toEqual(reluFq);
    expect(new Set(reluFq).size).toBeGreaterThan(3);
    const y = matmul(reluFq, 1, 288, dequantize(encodings.W2!), 10, dequantize(encodings.B2!), true);
    expect(maxAbsDiff(got.y!, y)).toBeLessThan(1e-5);
  });

  it('weight-only: equals the float model with dequantized weights, and writes no activation ops', async () => {
    const { m, encodings, plan } = setup();
    const { model: out, valueMap } = simulatedExporter().export({ model: m, plan, encodings, mode: 'weight-only' });
    expect(valueMap.x).toBeUndefined();
    expect(out.graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'Flatten', 'Gemm']);
    const initializers = new Map(m.graph.initializers);
    for (const n of ['W', 'B', 'W2', 'B2']) initializers.set(n, { name: n, tensor: tensor('float32', encodings[n]!.dims, dequantize(encodings[n]!)) });
    const reference: Model = { ...m, graph: { ...m.graph, initializers } };
    const x = input();
    expect((await runOrt(out, { x }, ['y'])).y).toEqual((await runOrt(reference, { x }, ['y'])).y);
  });

  it('dynamic: activations go through DynamicQuantizeLinear → DequantizeLinear with the batch range', async () => {
    const { m, encodings, plan } = setup();
    delete encodings.x;
    delete encodings.relu;
    const { model: out, valueMap } = simulatedExporter().export({ model: m, plan, encodings, mode: 'dynamic' });
    expect(out.graph.nodes.filter((n) => n.opType === 'DynamicQuantizeLinear')).toHaveLength(2);
    const x = input();
    const got = (await runOrt(out, { x }, [valueMap.x!]))[valueMap.x!]!;
    const xs = x.data as Float32Array;
    const scale = (Math.max(0, ...xs) - Math.min(0, ...xs)) / 255;
    expect(maxAbsDiff(got, xs)).toBeLessThanOrEqual(scale / 2 + 1e-6);
    expect(maxAbsDiff(got, xs)).toBeGreaterThan(0);
  });
});
