import { tensor } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { averagePool, globalAveragePool, maxPool } from '../src/kernels/linear/pool.js';
import { ctxFor, makeNode, randomFloats } from './linear-helpers.js';

const x4 = tensor('float32', [1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i + 1));

describe('MaxPool', () => {
  it('2x2 stride 2 with Indices (row- and column-major)', () => {
    const node = makeNode('MaxPool', ['x'], ['y', 'i'], { kernel_shape: [2, 2], strides: [2, 2] });
    const [y, i] = maxPool([x4], ctxFor(node));
    expect(Array.from(y!.data as Float32Array)).toEqual([6, 8, 14, 16]);
    expect(Array.from(i!.data as BigInt64Array, Number)).toEqual([5, 7, 13, 15]);
    const col = makeNode('MaxPool', ['x'], ['y', 'i'], { kernel_shape: [2, 2], strides: [2, 2], storage_order: 1 });
    const [, ic] = maxPool([x4], ctxFor(col));
    // element (h, w) has column-major index h + w * H
    expect(Array.from(ic!.data as BigInt64Array, Number)).toEqual([1 + 1 * 4, 1 + 3 * 4, 3 + 1 * 4, 3 + 3 * 4]);
  });

  it('ceil_mode adds the partial window; dilations spread the taps', () => {
    const ceil = makeNode('MaxPool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 });
    const [y] = maxPool([x4], ctxFor(ceil));
    expect(y!.dims).toEqual([1, 1, 2, 2]);
    expect(Array.from(y!.data as Float32Array)).toEqual([11, 12, 15, 16]);
    const dil = makeNode('MaxPool', ['x'], ['y'], { kernel_shape: [2, 2], dilations: [2, 2] });
    const [z] = maxPool([x4], ctxFor(dil));
    expect(Array.from(z!.data as Float32Array)).toEqual([11, 12, 15, 16]);
  });

  it('pads with -inf and keeps uint8', () => {
    const neg = tensor('float32', [1, 1, 1, 3], new Float32Array([-5, -2, -9]));
    const [y] = maxPool([neg], ctxFor(makeNode('MaxPool', ['x'], ['y'], { kernel_shape: [1, 2], pads: [0, 1, 0, 1] })));
    expect(Array.from(y!.data as Float32Array)).toEqual([-5, -2, -2, -9]);
    const u8 = tensor('uint8', [1, 1, 1, 4], new Uint8Array([3, 200, 7, 9]));
    const [z] = maxPool([u8], ctxFor(makeNode('MaxPool', ['x'], ['y'], { kernel_shape: [1, 2], strides: [1, 2] })));
    expect(z!.dtype).toBe('uint8');
    expect(Array.from(z!.data as Uint8Array)).toEqual([200, 9]);
  });
});

describe('AveragePool', () => {
  it('count_include_pad switches the divisor at the borders', () => {
    const ex = makeNode('AveragePool', ['x'], ['y'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [3, 3] });
    const [y] = averagePool([x4], ctxFor(ex));
    // top-left window covers 1,2,5,6 (4 real taps)
    expect((y!.data as Float32Array)[0]).toBeCloseTo((1 + 2 + 5 + 6) / 4, 6);
    const inc = makeNode('AveragePool', ['x'], ['y'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [3, 3], count_include_pad: 1 });
    const [z] = averagePool([x4], ctxFor(inc));
    expect((z!.data as Float32Array)[0]).toBeCloseTo((1 + 2 + 5 + 6) / 9, 6);
  });

  it('1-D and 3-D windows', () => {
    const x = tensor('float32', [1, 2, 5], new Float32Array([1, 2, 3, 4, 5, 10, 20, 30, 40, 50]));
    const [y] = averagePool([x], ctxFor(makeNode('AveragePool', ['x'], ['y'], { kernel_shape: [2], strides: [2] })));
    expect(Array.from(y!.data as Float32Array)).toEqual([1.5, 3.5, 15, 35]);
    const x3 = tensor('float32', [1, 1, 2, 2, 2], Float32Array.from({ length: 8 }, (_, i) => i));
    const [z] = averagePool([x3], ctxFor(makeNode('AveragePool', ['x'], ['y'], { kernel_shape: [2, 2, 2] })));
    expect(Array.from(z!.data as Float32Array)).toEqual([3.5]);
  });
});

describe('GlobalAveragePool', () => {
  it('averages every spatial position per channel', () => {
    const d = randomFloats(2 * 3 * 5 * 4, 9);
    const [y] = globalAveragePool([tensor('float32', [2, 3, 5, 4], d)], ctxFor(makeNode('GlobalAveragePool', ['x'], ['y'])));
    expect(y!.dims).toEqual([2, 3, 1, 1]);
    let s = 0;
    for (let i = 20; i < 40; i++) s += d[i]!;
    expect((y!.data as Float32Array)[1]).toBeCloseTo(s / 20, 6);
  });
});
