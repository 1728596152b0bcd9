import { tensor, type DType, type Node, type Tensor } from '@quantforge/core';
import { encodeModel } from '@quantforge/onnx';
import { afterAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../src/engine/index.js';
import { createOrtSession, type OrtSession } from '../src/ort/index.js';
import { makeModel, makeNode, randomFloats, randomInts, type AttrSpec } from './linear-helpers.js';

// Every linear kernel against onnxruntime-node ('basic', 1 thread) on random operands. Float results must agree to
// 1e-5 of the output's max abs value; integer results exactly (weights kept to 7 bits where ORT's u8 x s8 path could
// saturate on CPUs without VNNI).

interface Case {
  name: string;
  op: string;
  attrs?: AttrSpec;
  inputs: (Tensor | undefined)[];
  outputs?: string[];
  opset?: number;
}

const F = (dims: number[], seed: number): Tensor => tensor('float32', dims, randomFloats(dims.reduce((a, b) => a * b, 1), seed));
const I = (dtype: 'uint8' | 'int8', dims: number[], lo: number, hi: number, seed: number): Tensor => {
  const v = randomInts(dims.reduce((a, b) => a * b, 1), lo, hi, seed);
  return tensor(dtype, dims, dtype === 'uint8' ? Uint8Array.from(v) : Int8Array.from(v));
};
const S = (v: number): Tensor => tensor('float32', [], Float32Array.of(v));
const Z = (dtype: 'uint8' | 'int8', v: number): Tensor => tensor(dtype, [], dtype === 'uint8' ? Uint8Array.of(v) : Int8Array.of(v));

const conv = (name: string, x: number[], w: number[], attrs: AttrSpec, bias = true): Case => ({
  name, op: 'Conv', attrs, inputs: [F(x, 1), F(w, 2), bias ? F([w[0]!], 3) : undefined],
});

const CASES: Case[] = [
  conv('Conv 3x3 pad 1', [1, 4, 9, 9], [8, 4, 3, 3], { pads: [1, 1, 1, 1] }),
  conv('Conv strided dilated asymmetric pads', [2, 3, 11, 10], [5, 3, 3, 2], { strides: [2, 3], dilations: [2, 1], pads: [2, 0, 1, 1] }),
  conv('Conv depthwise SAME_UPPER stride 2', [1, 6, 10, 9], [6, 1, 3, 3], { group: 6, strides: [2, 2], auto_pad: 'SAME_UPPER' }),
  conv('Conv grouped SAME_LOWER', [1, 8, 7, 7], [6, 4, 2, 2], { group: 2, auto_pad: 'SAME_LOWER' }),
  conv('Conv 1x1 no bias', [2, 16, 5, 6], [12, 16, 1, 1], {}, false),
  conv('Conv VALID 5x5', [1, 2, 12, 12], [3, 2, 5, 5], { auto_pad: 'VALID', strides: [2, 2] }),
  conv('Conv 1-D', [2, 3, 17], [4, 3, 3], { strides: [2], pads: [1, 2], dilations: [2] }),
  conv('Conv 3-D', [1, 2, 5, 6, 4], [3, 2, 3, 2, 2], { pads: [1, 0, 1, 1, 0, 0] }),
  { name: 'ConvTranspose stride 2 pads output_padding', op: 'ConvTranspose', attrs: { strides: [2, 2], pads: [1, 1, 0, 1], output_padding: [1, 0] }, inputs: [F([1, 4, 5, 4], 4), F([4, 3, 3, 3], 5), F([3], 6)] },
  { name: 'ConvTranspose groups dilations', op: 'ConvTranspose', attrs: { group: 2, dilations: [2, 1], strides: [1, 2] }, inputs: [F([2, 4, 3, 4], 7), F([4, 2, 2, 3], 8)] },
  { name: 'ConvTranspose output_shape', op: 'ConvTranspose', attrs: { strides: [3, 2], output_shape: [10, 8] }, inputs: [F([1, 1, 3, 3], 9), F([1, 2, 3, 3], 10)] },
  { name: 'ConvTranspose SAME_UPPER', op: 'ConvTranspose', attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER' }, inputs: [F([1, 2, 3, 3], 11), F([2, 2, 3, 3], 12)] },
  { name: 'ConvTranspose SAME_LOWER', op: 'ConvTranspose', attrs: { strides: [2, 2], auto_pad: 'SAME_LOWER' }, inputs: [F([1, 2, 3, 3], 11), F([2, 2, 3, 3], 12)] },
  { name: 'ConvTranspose 4x4 stride 2 (PaddleOCR det)', op: 'ConvTranspose', attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, inputs: [F([1, 8, 6, 6], 13), F([8, 4, 4, 4], 14), F([4], 15)] },
  { name: 'Gemm transB alpha beta', op: 'Gemm', attrs: { transB: 1, alpha: { float: 0.7 }, beta: { float: 1.3 } }, inputs: [F([3, 64], 16), F([10, 64], 17), F([10], 18)] },
  { name: 'Gemm transA, C [M, 1]', op: 'Gemm', attrs: { transA: 1 }, inputs: [F([33, 17], 19), F([33, 9], 20), F([17, 1], 21)] },
  { name: 'MatMul batched broadcast', op: 'MatMul', inputs: [F([2, 1, 5, 40], 22), F([3, 40, 7], 23)] },
  { name: 'MatMul 1-D x N-D', op: 'MatMul', inputs: [F([40], 24), F([2, 40, 3], 25)] },
  { name: 'MatMul large', op: 'MatMul', inputs: [F([70, 300], 26), F([300, 530], 27)] },
  { name: 'MaxPool 3x3 s2 pad 1 with Indices', op: 'MaxPool', attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, inputs: [F([1, 3, 9, 8], 28)], outputs: ['y', 'idx'] },
  { name: 'MaxPool ceil_mode dilations', op: 'MaxPool', attrs: { kernel_shape: [2, 3], strides: [2, 2], dilations: [2, 1], ceil_mode: 1 }, inputs: [F([2, 2, 9, 10], 29)] },
  { name: 'MaxPool column-major Indices', op: 'MaxPool', attrs: { kernel_shape: [2, 2], storage_order: 1 }, inputs: [F([1, 2, 5, 4], 30)], outputs: ['y', 'idx'] },
  { name: 'AveragePool count_include_pad', op: 'AveragePool', attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2], count_include_pad: 1 }, inputs: [F([1, 3, 7, 8], 31)] },
  { name: 'AveragePool ceil_mode, pads excluded', op: 'AveragePool', attrs: { kernel_shape: [3, 2], pads: [1, 0, 0, 1], strides: [2, 2], ceil_mode: 1 }, inputs: [F([1, 2, 8, 7], 32)] },
  { name: 'AveragePool 1-D SAME_UPPER', op: 'AveragePool', attrs: { kernel_shape: [3], strides: [2], auto_pad: 'SAME_UPPER' }, inputs: [F([2, 3, 11], 33)] },
  { name: 'GlobalAveragePool', op: 'GlobalAveragePool', inputs: [F([2, 5, 7, 3], 34)] },
  {
    name: 'ConvInteger u8 x u8 with zero points and pads', op: 'ConvInteger', attrs: { pads: [1, 1, 1, 1] },
    inputs: [I('uint8', [1, 3, 6, 6], 0, 255, 35), I('uint8', [4, 3, 3, 3], 0, 255, 36), Z('uint8', 117), Z('uint8', 99)],
  },
  {
    name: 'ConvInteger u8 x u8 split into patch row chunks', op: 'ConvInteger', attrs: { pads: [1, 1, 1, 1] },
    inputs: [I('uint8', [2, 16, 40, 300], 0, 255, 49), I('uint8', [3, 16, 3, 3], 0, 255, 50), Z('uint8', 7), Z('uint8', 200)],
  },
  {
    name: 'MatMulInteger u8 x s8 (7-bit weights)', op: 'MatMulInteger',
    inputs: [I('uint8', [2, 5, 32], 0, 255, 37), I('int8', [32, 6], -64, 63, 38), Z('uint8', 128), Z('int8', 3)],
  },
  {
    name: 'MatMulInteger s8 x s8 per-column zero points', op: 'MatMulInteger',
    inputs: [I('int8', [4, 16], -128, 127, 39), I('int8', [16, 5], -128, 127, 40), Z('int8', -2), tensor('int8', [5], Int8Array.from([1, -1, 0, 5, -7]))],
  },
  {
    name: 'QLinearConv u8 x s8 per-channel (7-bit weights)', op: 'QLinearConv', attrs: { pads: [1, 1, 1, 1], strides: [2, 2] },
    inputs: [I('uint8', [1, 4, 7, 7], 0, 255, 41), S(0.02), Z('uint8', 120), I('int8', [5, 4, 3, 3], -64, 63, 42),
      tensor('float32', [5], Float32Array.from([0.01, 0.02, 0.005, 0.03, 0.015])), tensor('int8', [5], new Int8Array(5)), S(0.05), Z('uint8', 128),
      tensor('int32', [5], Int32Array.from([100, -200, 0, 50, 7]))],
  },
  {
    name: 'QLinearConv s8 x s8 depthwise', op: 'QLinearConv', attrs: { group: 3, pads: [1, 1, 1, 1] },
    inputs: [I('int8', [1, 3, 6, 5], -128, 127, 43), S(0.03), Z('int8', -5), I('int8', [3, 1, 3, 3], -128, 127, 44), S(0.01), Z('int8', 0), S(0.04), Z('int8', 2)],
  },
  {
    name: 'QLinearMatMul u8 x u8', op: 'QLinearMatMul',
    inputs: [I('uint8', [3, 20], 0, 255, 45), S(0.05), Z('uint8', 128), I('uint8', [20, 4], 0, 255, 46), S(0.02), Z('uint8', 110), S(0.3), Z('uint8', 125)],
  },
  {
    name: 'QLinearMatMul s8 x s8 batched', op: 'QLinearMatMul',
    inputs: [I('int8', [2, 3, 20], -128, 127, 47), S(0.05), Z('int8', 1), I('int8', [20, 4], -128, 127, 48), S(0.02), Z('int8', -3), S(0.3), Z('int8', -1)],
  },
];

function modelFor(c: Case) {
  const names = c.inputs.map((t, i) => (t ? `in${i}` : ''));
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  const outputs = c.outputs ?? ['y'];
  const node: Node = makeNode(c.op, names, outputs, c.attrs ?? {}, 'op');
  const inputs = c.inputs.flatMap((t, i) => (t ? [{ name: `in${i}`, type: { kind: 'tensor' as const, elemType: t.dtype, shape: [...t.dims] } }] : []));
  const outDtype = (o: number): DType => {
    if (o === 1) return 'int64';
    if (c.op === 'ConvInteger' || c.op === 'MatMulInteger') return 'int32';
    if (c.op.startsWith('QLinear')) return c.inputs[7]!.dtype;
    return 'float32';
  };
  const outs = outputs.map((name, o) => ({ name, type: { kind: 'tensor' as const, elemType: outDtype(o) } }));
  return makeModel([node], inputs, outs, {}, c.opset ?? 13);
}

const sessions: OrtSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.release();
});

describe('linear kernels agree with onnxruntime-node', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const model = modelFor(c);
      const feeds: Record<string, Tensor> = {};
      c.inputs.forEach((t, i) => {
        if (t) feeds[`in${i}`] = t;
      });
      const ours = createExecutor(model).run(feeds);
      const session = await createOrtSession(encodeModel(model), { graphOptimizationLevel: 'basic', intraOpNumThreads: 1 });
      sessions.push(session);
      const theirs = await session.run(feeds);
      for (const name of c.outputs ?? ['y']) {
        const a = ours[name]!, b = theirs[name]!;
        expect(a.dims, name).toEqual(b.dims);
        expect(a.dtype, name).toBe(b.dtype);
        if (a.dtype === 'float32') {
          const x = a.data as Float32Array, y = b.data as Float32Array;
          let max = 0, scale = 0;
          for (let i = 0; i < y.length; i++) {
            max = Math.max(max, Math.abs(x[i]! - y[i]!));
            scale = Math.max(scale, Math.abs(y[i]!));
          }
          expect(max / (scale || 1), name).toBeLessThan(1e-5);
        } else {
          expect(Array.from(a.data as Int32Array, Number), name).toEqual(Array.from(b.data as Int32Array, Number));
        }
      }
    });
  }
});
