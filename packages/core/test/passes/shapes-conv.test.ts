import { describe, expect, it } from 'vitest';
import type { Attribute } from '../../src/ir/graph.js';
import { attr, inferOne, shapesOf } from './helpers.js';

const conv = (x: (number | string | null)[], w: number[], attributes: Attribute[] = []) =>
  shapesOf('Conv', { inputs: [['x', 'float32', x], ['w', 'float32', w]], attributes })[0];

describe('inferShapes: Conv', () => {
  it('uses pads, strides and dilations', () => {
    expect(conv([1, 3, 224, 224], [64, 3, 7, 7], [attr.ints('strides', [2, 2]), attr.ints('pads', [3, 3, 3, 3])])).toEqual([1, 64, 112, 112]);
    expect(conv([1, 3, 10, 11], [8, 3, 3, 3], [attr.ints('dilations', [2, 1])])).toEqual([1, 8, 6, 9]);
    expect(conv([2, 3, 9, 9], [8, 3, 3, 3], [attr.ints('pads', [0, 1, 2, 0]), attr.ints('strides', [3, 1])])).toEqual([2, 8, 3, 8]);
  });

  it('handles 1-D and 3-D convolutions', () => {
    expect(conv([1, 2, 20], [4, 2, 5], [attr.ints('strides', [3])])).toEqual([1, 4, 6]);
    expect(conv([1, 2, 4, 6, 8], [4, 2, 1, 3, 3], [attr.ints('pads', [0, 1, 1, 0, 1, 1])])).toEqual([1, 4, 4, 6, 8]);
  });

  it('implements auto_pad', () => {
    const s2 = attr.ints('strides', [2, 2]);
    expect(conv([1, 3, 7, 8], [4, 3, 3, 3], [attr.string('auto_pad', 'SAME_UPPER'), s2])).toEqual([1, 4, 4, 4]);
    expect(conv([1, 3, 7, 8], [4, 3, 3, 3], [attr.string('auto_pad', 'SAME_LOWER'), s2])).toEqual([1, 4, 4, 4]);
    expect(conv([1, 3, 7, 8], [4, 3, 3, 3], [attr.string('auto_pad', 'VALID'), s2])).toEqual([1, 4, 3, 3]);
  });

  it('keeps symbolic dims where the window preserves size, else unknown', () => {
    expect(conv(['N', 3, 'H', 'W'], [8, 3, 1, 1])).toEqual(['N', 8, 'H', 'W']);
    expect(conv(['N', 3, 'H', 'W'], [8, 3, 3, 3], [attr.ints('pads', [1, 1, 1, 1])])).toEqual(['N', 8, 'H', 'W']);
    expect(conv(['N', 3, 'H', 32], [8, 3, 3, 3], [attr.ints('strides', [2, 2]), attr.ints('pads', [1, 1, 1, 1])])).toEqual(['N', 8, null, 16]);
    expect(conv(['N', 3, 'H', 'W'], [8, 3, 3, 3], [attr.string('auto_pad', 'SAME_UPPER')])).toEqual(['N', 8, 'H', 'W']);
  });

  it('checks channels against group', () => {
    expect(conv([1, 8, 10, 10], [16, 2, 3, 3], [attr.int('group', 4)])).toEqual([1, 16, 8, 8]);
    expect(() => conv([1, 8, 10, 10], [16, 3, 3, 3])).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE', details: expect.objectContaining({ node: 'n0' }) }));
  });

  it('rejects a bias of the wrong length', () => {
    expect(() => shapesOf('Conv', { inputs: [['x', 'float32', [1, 3, 5, 5]], ['w', 'float32', [4, 3, 1, 1]], ['b', 'float32', [5]]] })).toThrow(
      expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }),
    );
  });

  it('ConvTranspose', () => {
    const ct = (attributes: Attribute[]) => shapesOf('ConvTranspose', { inputs: [['x', 'float32', ['b', 16, 8, 8]], ['w', 'float32', [16, 4, 4, 4]]], attributes })[0];
    const base = [attr.int('group', 2), attr.ints('strides', [2, 2]), attr.ints('pads', [1, 1, 1, 1])];
    expect(ct(base)).toEqual(['b', 8, 16, 16]);
    expect(ct([...base, attr.ints('output_padding', [1, 0])])).toEqual(['b', 8, 17, 16]);
    expect(ct([...base, attr.ints('output_shape', [20, 21])])).toEqual(['b', 8, 20, 21]);
    expect(ct([attr.int('group', 2), attr.ints('strides', [2, 2]), attr.string('auto_pad', 'SAME_UPPER')])).toEqual(['b', 8, 16, 16]);
  });

  it('quantized and integer convolutions', () => {
    const q = inferOne('QLinearConv', {
      inputs: [['x', 'uint8', [1, 3, 8, 8]], ['xs', 'float32', []], ['xz', 'uint8', []], ['w', 'int8', [4, 3, 3, 3]], ['ws', 'float32', [4]], ['wz', 'int8', [4]], ['ys', 'float32', []], ['yz', 'int8', []]],
    });
    expect(q).toEqual([{ dtype: 'int8', shape: [1, 4, 6, 6] }]);
    expect(inferOne('ConvInteger', { inputs: [['x', 'uint8', [1, 3, 8, 8]], ['w', 'uint8', [4, 3, 3, 3]]] })).toEqual([{ dtype: 'int32', shape: [1, 4, 6, 6] }]);
  });
});

describe('inferShapes: pooling', () => {
  const pool = (op: string, x: (number | string)[], attributes: Attribute[], outputs = 1) => inferOne(op, { inputs: [['x', 'float32', x]], attributes, outputs });

  it('MaxPool with pads and strides, and its int64 indices', () => {
    const [y, idx] = pool('MaxPool', [1, 64, 112, 112], [attr.ints('kernel_shape', [3, 3]), attr.ints('strides', [2, 2]), attr.ints('pads', [1, 1, 1, 1])], 2);
    expect(y).toEqual({ dtype: 'float32', shape: [1, 64, 56, 56] });
    expect(idx).toEqual({ dtype: 'int64', shape: [1, 64, 56, 56] });
  });

  it('ceil_mode rounds up but drops a window starting in the end padding', () => {
    const k2s2 = [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])];
    expect(pool('MaxPool', [1, 1, 5, 5], k2s2)[0]!.shape).toEqual([1, 1, 2, 2]);
    expect(pool('MaxPool', [1, 1, 5, 5], [...k2s2, attr.int('ceil_mode', 1)])[0]!.shape).toEqual([1, 1, 3, 3]);
    expect(pool('AveragePool', [1, 1, 6, 6], [...k2s2, attr.int('ceil_mode', 1), attr.ints('pads', [0, 0, 1, 1])])[0]!.shape).toEqual([1, 1, 3, 3]);
  });

  it('AveragePool auto_pad and dilations', () => {
    expect(pool('AveragePool', [1, 2, 7, 9], [attr.ints('kernel_shape', [3, 3]), attr.ints('strides', [2, 2]), attr.string('auto_pad', 'SAME_UPPER')])[0]!.shape).toEqual([1, 2, 4, 5]);
    expect(pool('AveragePool', [1, 2, 7, 9], [attr.ints('kernel_shape', [3, 3]), attr.string('auto_pad', 'VALID')])[0]!.shape).toEqual([1, 2, 5, 7]);
    expect(pool('MaxPool', [1, 2, 9, 9], [attr.ints('kernel_shape', [3, 3]), attr.ints('dilations', [2, 2])])[0]!.shape).toEqual([1, 2, 5, 5]);
  });

  it('GlobalAveragePool keeps N and C', () => {
    expect(pool('GlobalAveragePool', ['n', 512, 7, 7], [])[0]).toEqual({ dtype: 'float32', shape: ['n', 512, 1, 1] });
  });

  it('fails when the window does not fit', () => {
    expect(() => pool('MaxPool', [1, 1, 2, 2], [attr.ints('kernel_shape', [3, 3])])).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
  });
});

describe('inferShapes: Gemm and MatMul', () => {
  const mm = (a: (number | string)[], b: (number | string)[]) => shapesOf('MatMul', { inputs: [['a', 'float32', a], ['b', 'float32', b]] })[0];

  it('MatMul follows numpy rules', () => {
    expect(mm([2, 3, 4], [4, 5])).toEqual([2, 3, 5]);
    expect(mm([4], [4, 5])).toEqual([5]);
    expect(mm([2, 3, 4], [4])).toEqual([2, 3]);
    expect(mm([4], [4])).toEqual([]);
    expect(mm([1, 'b', 3, 4], [6, 1, 4, 2])).toEqual([6, 'b', 3, 2]);
    expect(mm(['n', 'seq', 'k'], [7, 8])).toEqual(['n', 'seq', 8]);
  });

  it('MatMul rejects different inner dims', () => {
    expect(() => mm([2, 3], [4, 5])).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE', message: expect.stringContaining('n0') }));
  });

  it('Gemm honours transA/transB and checks K', () => {
    const gemm = (a: number[], b: number[], attributes: Attribute[], c?: number[]) =>
      shapesOf('Gemm', { inputs: [['a', 'float32', a], ['b', 'float32', b], ...(c ? [['c', 'float32', c] as ['c', 'float32', number[]]] : [])], attributes })[0];
    expect(gemm([8, 16], [10, 16], [attr.int('transB', 1)], [10])).toEqual([8, 10]);
    expect(gemm([16, 8], [16, 10], [attr.int('transA', 1)])).toEqual([8, 10]);
    expect(() => gemm([8, 16], [10, 16], [])).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
    expect(() => gemm([8, 16], [10, 16], [attr.int('transB', 1)], [7])).toThrow(expect.objectContaining({ code: 'QF_SHAPE_INFERENCE' }));
  });

  it('integer and quantized matmuls', () => {
    expect(inferOne('MatMulInteger', { inputs: [['a', 'uint8', [2, 3]], ['b', 'int8', [3, 4]]] })).toEqual([{ dtype: 'int32', shape: [2, 4] }]);
    const q = inferOne('QLinearMatMul', {
      inputs: [['a', 'uint8', ['n', 3]], ['as', 'float32', []], ['az', 'uint8', []], ['b', 'uint8', [3, 4]], ['bs', 'float32', []], ['bz', 'uint8', []], ['ys', 'float32', []], ['yz', 'uint8', []]],
    });
    expect(q).toEqual([{ dtype: 'uint8', shape: ['n', 4] }]);
  });
});
