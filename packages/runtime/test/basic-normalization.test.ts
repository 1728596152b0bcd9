import { describe, expect, it } from 'vitest';
import { isQuantforgeError } from '@quantforge/core';
import { attr, f32, mismatch, run, run1, values } from './basic-helpers.js';

describe('BatchNormalization', () => {
  const x = f32([1, 2, 1, 2], [1, 2, 3, 4]);
  const params = [f32([2], [1, 2]), f32([2], [0, 1]), f32([2], [1, 3]), f32([2], [4, 1])];

  it('normalizes per channel with the running statistics', () => {
    const y = run1('BatchNormalization', [x, ...params], { epsilon: attr.float(0) }, { opset: 15 });
    expect(y.dims).toEqual([1, 2, 1, 2]);
    expect(values(y)).toEqual([0, 0.5, 1, 3]);
  });

  it('applies the default epsilon 1e-5', () => {
    const y = values(run1('BatchNormalization', [x, ...params], {}, { opset: 9 }));
    expect(mismatch(y, [0, 1 / Math.sqrt(4.00001), 1, 2 * (1 / Math.sqrt(1.00001)) + 1], 1e-6)).toBe('');
  });

  it('refuses training mode with a coded error (opset 14+ attribute, or extra outputs before 14)', () => {
    for (const [attrs, opset, outputs] of [[{ training_mode: attr.int(1) }, 15, 3], [{}, 9, 5]] as const) {
      try {
        run('BatchNormalization', [x, ...params], attrs, { opset, outputs });
        expect.unreachable();
      } catch (e) {
        expect(isQuantforgeError(e)).toBe(true);
        expect((e as { code: string }).code).toBe('QF_OP_UNSUPPORTED');
      }
    }
  });
});

describe('InstanceNormalization and LayerNormalization', () => {
  it('InstanceNormalization uses per-(n, c) statistics', () => {
    const y = values(run1('InstanceNormalization', [f32([1, 1, 4], [1, 2, 3, 4]), f32([1], [2]), f32([1], [1])], { epsilon: attr.float(0) }));
    const s = 2 / Math.sqrt(1.25);
    expect(mismatch(y, [-1.5 * s + 1, -0.5 * s + 1, 0.5 * s + 1, 1.5 * s + 1])).toBe('');
  });

  it('LayerNormalization returns Y, Mean and InvStdDev with 1s on the normalized axes', () => {
    const x = f32([2, 2], [1, 3, 2, 6]);
    const [y, mean, inv] = run('LayerNormalization', [x, f32([2], [2, 3]), f32([2], [0, 1])], { epsilon: attr.float(0) }, { opset: 17, outputs: 3 });
    expect(values(y!)).toEqual([-2, 4, -2, 4]);
    expect(mean!.dims).toEqual([2, 1]);
    expect(values(mean!)).toEqual([2, 4]);
    expect(values(inv!)).toEqual([1, 0.5]);
  });

  it('LayerNormalization over the last two axes with a negative axis and no bias', () => {
    const x = f32([1, 2, 2], [0, 2, 4, 6]);
    const [y, mean] = run('LayerNormalization', [x, f32([], [1])], { axis: attr.int(-2), epsilon: attr.float(0) }, { opset: 17, outputs: 2 });
    const r = 1 / Math.sqrt(5);
    expect(mismatch(values(y!), [-3 * r, -r, r, 3 * r])).toBe('');
    expect(mean!.dims).toEqual([1, 1, 1]);
    expect(values(mean!)).toEqual([3]);
  });
});
