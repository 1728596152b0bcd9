import { describe, expect, it } from 'vitest';
import { erf } from '../src/kernels/basic/unary.js';
import { attr, f32, i32, mismatch, run1, values } from './basic-helpers.js';

describe('pointwise activations', () => {
  it('Relu, LeakyRelu (alpha 0.01 default), HardSigmoid (0.2, 0.5), HardSwish', () => {
    const x = f32([5], [-6, -1, 0, 1, 6]);
    expect(values(run1('Relu', [x]))).toEqual([0, 0, 0, 1, 6]);
    expect(mismatch(values(run1('LeakyRelu', [x])), [-0.06, -0.01, 0, 1, 6])).toBe('');
    expect(mismatch(values(run1('LeakyRelu', [x], { alpha: attr.float(0.5) })), [-3, -0.5, 0, 1, 6])).toBe('');
    expect(mismatch(values(run1('HardSigmoid', [x])), [0, 0.3, 0.5, 0.7, 1])).toBe('');
    expect(mismatch(values(run1('HardSwish', [x])), [-0, -1 / 3, 0, 2 / 3, 6])).toBe('');
  });

  it('Sigmoid and Tanh are stable for large magnitudes', () => {
    const y = values(run1('Sigmoid', [f32([3], [-1000, 0, 1000])]));
    expect(y).toEqual([0, 0.5, 1]);
    expect(values(run1('Tanh', [f32([2], [-50, 50])]))).toEqual([-1, 1]);
  });

  it('Erf matches reference values to 1e-7 (absolute, double precision)', () => {
    const ref: [number, number][] = [
      [0, 0], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
      [1.5, 0.9661051464753108], [2, 0.9953222650189527], [2.49, 0.9995707121322661], [2.5, 0.999593047982555],
      [3, 0.9999779095030014], [4, 0.9999999845827421], [-0.7, -0.6778011938374184], [-3.5, -0.9999992569016276],
    ];
    for (const [x, e] of ref) expect(Math.abs(erf(x) - e)).toBeLessThan(1e-12);
    expect(mismatch(values(run1('Erf', [f32([2], [0.5, -2])])), [0.5204998778130465, -0.9953222650189527], 1e-7)).toBe('');
  });

  it('PRelu broadcasts the slope onto X unidirectionally', () => {
    const x = f32([2, 2, 1], [-1, -2, 3, -4]);
    const slope = f32([2, 1], [0.5, 0.25]);
    expect(values(run1('PRelu', [x, slope]))).toEqual([-0.5, -0.5, 3, -1]);
    expect(() => run1('PRelu', [f32([2], [1, 2]), f32([2, 2], [1, 1, 1, 1])])).toThrow(/does not broadcast/);
  });

  it('Clip reads min/max attributes before opset 11 and optional inputs from 11', () => {
    const x = f32([4], [-5, -1, 1, 5]);
    expect(values(run1('Clip', [x], { min: attr.float(-2), max: attr.float(2) }, { opset: 6 }))).toEqual([-2, -1, 1, 2]);
    expect(values(run1('Clip', [x, f32([], [-2]), f32([], [3])], {}, { opset: 13 }))).toEqual([-2, -1, 1, 3]);
    expect(values(run1('Clip', [x, undefined, f32([], [0])], {}, { opset: 13 }))).toEqual([-5, -1, 0, 0]);
    expect(values(run1('Clip', [x], {}, { opset: 13 }))).toEqual([-5, -1, 1, 5]);
    // at opset 13 attributes are not part of the op; a stray one must not change the result
    expect(values(run1('Clip', [x], { min: attr.float(0) }, { opset: 13 }))).toEqual([-5, -1, 1, 5]);
    expect(values(run1('Clip', [i32([3], [-9, 0, 9]), i32([], [-1]), i32([], [1])], {}, { opset: 13 }))).toEqual([-1, 0, 1]);
  });
});

describe('Softmax', () => {
  const x = f32([2, 2, 2], [0, 1, 2, 3, 0, 0, 0, 0]);

  it('from opset 13 normalizes along axis -1 by default', () => {
    const y = values(run1('Softmax', [x], {}, { opset: 13 }));
    const a = 1 / (1 + Math.E);
    expect(mismatch(y, [a, 1 - a, a, 1 - a, 0.5, 0.5, 0.5, 0.5])).toBe('');
  });

  it('before opset 13 coerces to 2-D at axis 1 (default), normalizing 4 values together', () => {
    const y = values(run1('Softmax', [x], {}, { opset: 11 }));
    const s = 1 + Math.E + Math.E ** 2 + Math.E ** 3;
    expect(mismatch(y, [1 / s, Math.E / s, Math.E ** 2 / s, Math.E ** 3 / s, 0.25, 0.25, 0.25, 0.25])).toBe('');
  });

  it('from opset 13 a middle axis normalizes only along that axis', () => {
    const y = values(run1('Softmax', [x], { axis: attr.int(1) }, { opset: 13 }));
    const a = 1 / (1 + Math.E ** 2);
    expect(mismatch(y, [a, a, 1 - a, 1 - a, 0.5, 0.5, 0.5, 0.5])).toBe('');
  });

  it('is numerically stable with huge inputs', () => {
    const y = values(run1('Softmax', [f32([3], [10000, 10001, 10002])], {}, { opset: 13 }));
    const s = 1 + Math.E + Math.E ** 2;
    expect(mismatch(y, [1 / s, Math.E / s, Math.E ** 2 / s])).toBe('');
  });
});

describe('more pointwise ops', () => {
  it('Gelu exact and tanh-approximated (opset 20), Mish, Celu, Shrink', () => {
    const x = f32([3], [-1, 0, 2]);
    const gelu = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
    expect(mismatch(values(run1('Gelu', [x], {}, { opset: 20 })), [-1, 0, 2].map(gelu))).toBe('');
    const k = Math.sqrt(2 / Math.PI);
    const tanhGelu = (v: number) => 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v ** 3)));
    expect(mismatch(values(run1('Gelu', [x], { approximate: attr.str('tanh') }, { opset: 20 })), [-1, 0, 2].map(tanhGelu))).toBe('');
    expect(mismatch(values(run1('Mish', [x])), [-1, 0, 2].map((v) => v * Math.tanh(Math.log1p(Math.exp(v)))))).toBe('');
    expect(mismatch(values(run1('Celu', [x], { alpha: attr.float(2) })), [2 * Math.expm1(-0.5), 0, 2])).toBe('');
    expect(values(run1('Shrink', [f32([3], [-2, 0.3, 2])], { lambd: attr.float(0.5), bias: attr.float(1) }))).toEqual([-1, 0, 1]);
  });

  it('LogSoftmax and Hardmax share the Softmax axis rules', () => {
    const x = f32([2], [0, Math.LN2]);
    expect(mismatch(values(run1('LogSoftmax', [x], {}, { opset: 13 })), [Math.log(1 / 3), Math.log(2 / 3)])).toBe('');
    expect(values(run1('Hardmax', [f32([2, 2], [1, 3, 3, 3])], {}, { opset: 13 }))).toEqual([0, 1, 1, 0]);
  });
});

