import { describe, expect, it } from 'vitest';
import { isQuantforgeError } from '@quantforge/core';
import { attr, f32, i64, mismatch, run1, values } from './basic-helpers.js';

const row = f32([1, 1, 1, 2], [0, 4]);

describe('Resize', () => {
  it('opset 10 form: only scales, nearest by asymmetric floor', () => {
    const y = run1('Resize', [f32([1, 1, 2, 2], [1, 2, 3, 4]), f32([4], [1, 1, 2, 2])], {}, { opset: 10 });
    expect(y.dims).toEqual([1, 1, 4, 4]);
    expect(values(y)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('linear with half_pixel (default) clamps at the borders', () => {
    const y = run1('Resize', [row, undefined, f32([4], [1, 1, 1, 2])], { mode: attr.str('linear') }, { opset: 13 });
    expect([y.dims, values(y)]).toEqual([[1, 1, 1, 4], [0, 1, 3, 4]]);
  });

  it('linear with align_corners from sizes', () => {
    const y = run1('Resize', [row, undefined, undefined, i64([4], [1, 1, 1, 3])], { mode: attr.str('linear'), coordinate_transformation_mode: attr.str('align_corners') }, { opset: 13 });
    expect(values(y)).toEqual([0, 2, 4]);
  });

  it('nearest_mode round_prefer_ceil vs floor with asymmetric coordinates', () => {
    const sizes = i64([4], [1, 1, 1, 3]);
    const base = { coordinate_transformation_mode: attr.str('asymmetric') };
    expect(values(run1('Resize', [row, undefined, undefined, sizes], { ...base, nearest_mode: attr.str('round_prefer_ceil') }, { opset: 13 }))).toEqual([0, 4, 4]);
    expect(values(run1('Resize', [row, undefined, undefined, sizes], { ...base, nearest_mode: attr.str('floor') }, { opset: 13 }))).toEqual([0, 0, 4]);
  });

  it('opset 11 form with an empty scales input next to sizes, and the axes attribute (18)', () => {
    const y = run1('Resize', [row, f32([0], []), f32([0], []), i64([4], [1, 1, 1, 4])], { mode: attr.str('linear') }, { opset: 11 });
    expect(values(y)).toEqual([0, 1, 3, 4]);
    const z = run1('Resize', [row, undefined, f32([1], [2])], { mode: attr.str('linear'), axes: attr.ints([-1]) }, { opset: 18 });
    expect(values(z)).toEqual([0, 1, 3, 4]);
  });

  it('tf_crop_and_resize on a 1-D tensor, with extrapolation outside the input', () => {
    const x = f32([4], [0, 1, 2, 3]);
    const opts = { mode: attr.str('linear'), coordinate_transformation_mode: attr.str('tf_crop_and_resize'), extrapolation_value: attr.float(10) };
    expect(values(run1('Resize', [x, f32([2], [0.5, 1]), undefined, i64([1], [3])], opts, { opset: 13 }))).toEqual([1.5, 2.25, 3]);
    expect(values(run1('Resize', [x, f32([2], [0, 1.5]), undefined, i64([1], [3])], opts, { opset: 13 }))).toEqual([0, 2.25, 10]);
  });

  it('cubic (A = -0.75) with and without exclude_outside', () => {
    const x = f32([4], [1, 2, 4, 8]);
    const opts = { mode: attr.str('cubic'), coordinate_transformation_mode: attr.str('asymmetric') };
    const y = values(run1('Resize', [x, undefined, f32([1], [2])], opts, { opset: 13 }));
    expect(mismatch(y.slice(0, 4), [1, 1.3125, 2, 2.71875])).toBe('');
    const z = values(run1('Resize', [x, undefined, f32([1], [2])], { ...opts, exclude_outside: attr.int(1) }, { opset: 13 }));
    expect(mismatch([z[1]!], [1.40625 / 1.09375])).toBe('');
  });

  it('refuses antialias with a coded error', () => {
    try {
      run1('Resize', [row, undefined, f32([4], [1, 1, 1, 2])], { antialias: attr.int(1) }, { opset: 18 });
      expect.unreachable();
    } catch (e) {
      expect(isQuantforgeError(e) && (e as { code: string }).code).toBe('QF_OP_UNSUPPORTED');
    }
  });
});
