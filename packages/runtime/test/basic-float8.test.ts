import { describe, expect, it } from 'vitest';
import { tensor } from '@quantforge/core';
import { float8Decode, float8Encode } from '../src/kernels/basic/float8.js';
import { attr, f32, run1, values } from './basic-helpers.js';

const hex = (t: { data: unknown }): number[] => Array.from(t.data as Uint8Array);

describe('float8 encode/decode', () => {
  it('E4M3FN: bias 7, max 448, NaN 0x7F, no infinity; saturation on overflow', () => {
    expect([1, -2, 448, 2 ** -9].map((v) => float8Encode('float8e4m3fn', v, true))).toEqual([0x38, 0xc0, 0x7e, 0x01]);
    expect(float8Encode('float8e4m3fn', 500, true)).toBe(0x7e);
    expect(float8Encode('float8e4m3fn', 500, false)).toBe(0x7f);
    expect(float8Encode('float8e4m3fn', Infinity, true)).toBe(0x7e);
    expect(Number.isNaN(float8Decode('float8e4m3fn', 0x7f))).toBe(true);
    expect([0x7e, 0x01, 0xc0].map((b) => float8Decode('float8e4m3fn', b))).toEqual([448, 2 ** -9, -2]);
  });

  it('rounds to nearest even on the 3-bit mantissa grid', () => {
    expect(float8Encode('float8e4m3fn', 1.0625, true)).toBe(0x38);
    expect(float8Encode('float8e4m3fn', 1.1875, true)).toBe(0x3a);
  });

  it('E5M2 keeps infinities; the FNUZ formats have one NaN (0x80) and no negative zero', () => {
    expect(float8Encode('float8e5m2', 1, true)).toBe(0x3c);
    expect(float8Encode('float8e5m2', 1e6, false)).toBe(0x7c);
    expect(float8Encode('float8e5m2', 1e6, true)).toBe(0x7b);
    expect(float8Decode('float8e5m2', 0x7c)).toBe(Infinity);
    expect(float8Encode('float8e4m3fnuz', 1, true)).toBe(0x40);
    expect(float8Encode('float8e4m3fnuz', -0, true)).toBe(0x00);
    expect(float8Encode('float8e4m3fnuz', NaN, true)).toBe(0x80);
    expect(float8Decode('float8e4m3fnuz', 0x7f)).toBe(240);
    expect(float8Encode('float8e5m2fnuz', 1, true)).toBe(0x40);
  });
});

describe('float8 through Cast, QuantizeLinear and DequantizeLinear', () => {
  it('Cast honours saturate (opset 19)', () => {
    const x = f32([3], [1, 500, -1.1875]);
    expect(hex(run1('Cast', [x], { to: attr.int(17) }, { opset: 19 }))).toEqual([0x38, 0x7e, 0xba]);
    expect(hex(run1('Cast', [x], { to: attr.int(17), saturate: attr.int(0) }, { opset: 19 }))).toEqual([0x38, 0x7f, 0xba]);
    expect(values(run1('Cast', [tensor('float8e5m2', [2], Uint8Array.of(0x3c, 0x7b))], { to: attr.int(1) }, { opset: 19 }))).toEqual([1, 57344]);
  });

  it('QuantizeLinear to float8 picks the type from the zero point and DequantizeLinear reads it back', () => {
    const zp = tensor('float8e4m3fn', [], Uint8Array.of(0));
    const q = run1('QuantizeLinear', [f32([3], [2, 1000, -3]), f32([], [2]), zp], {}, { opset: 19 });
    expect(q.dtype).toBe('float8e4m3fn');
    expect(hex(q)).toEqual([0x38, 0x7e, 0xbc]);
    expect(values(run1('DequantizeLinear', [q, f32([], [2]), zp], {}, { opset: 19 }))).toEqual([2, 896, -3]);
  });
});
