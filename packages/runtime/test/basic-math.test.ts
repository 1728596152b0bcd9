import { describe, expect, it } from 'vitest';
import { attr, f32, i64, mismatch, run, run1, values } from './basic-helpers.js';

describe('Einsum', () => {
  const a = f32([2, 2], [1, 2, 3, 4]);
  const b = f32([2, 2], [5, 6, 7, 8]);

  it('matrix product, explicit and implicit output', () => {
    expect(values(run1('Einsum', [a, b], { equation: attr.str('ij,jk->ik') }))).toEqual([19, 22, 43, 50]);
    expect(values(run1('Einsum', [a, b], { equation: attr.str('ij,jk') }))).toEqual([19, 22, 43, 50]);
  });

  it('transpose, trace (repeated label) and full sum', () => {
    expect(values(run1('Einsum', [a], { equation: attr.str('ij->ji') }))).toEqual([1, 3, 2, 4]);
    expect(values(run1('Einsum', [a], { equation: attr.str('ii->') }))).toEqual([5]);
    expect(values(run1('Einsum', [a], { equation: attr.str('ij->') }))).toEqual([10]);
  });

  it('ellipsis broadcasts batch axes', () => {
    const x = f32([2, 1, 2], [1, 2, 3, 4]);
    const y = run1('Einsum', [x, f32([2, 1], [1, 1])], { equation: attr.str('...ij,jk->...ik') });
    expect([y.dims, values(y)]).toEqual([[2, 1, 1], [3, 7]]);
  });
});

describe('Det and window functions', () => {
  it('Det of single and batched matrices', () => {
    expect(mismatch(values(run1('Det', [f32([2, 2], [1, 2, 3, 4])])), [-2])).toBe('');
    expect(mismatch(values(run1('Det', [f32([3, 3], [2, 0, 1, 1, 3, 2, 1, 1, 2])])), [6])).toBe('');
    const y = run1('Det', [f32([2, 2, 2], [1, 2, 3, 4, 1, 0, 0, 1])]);
    expect(y.dims).toEqual([2]);
    expect(mismatch(values(y), [-2, 1])).toBe('');
  });

  it('HannWindow periodic and symmetric', () => {
    expect(mismatch(values(run1('HannWindow', [f32([], [4])], {}, { opset: 17 })), [0, 0.5, 1, 0.5])).toBe('');
    expect(mismatch(values(run1('HannWindow', [f32([], [4])], { periodic: attr.int(0) }, { opset: 17 })), [0, 0.75, 0.75, 0])).toBe('');
  });
});

describe('losses', () => {
  const logp = f32([2, 2], [-1, -2, -3, -4]);
  const target = i64([2], [0, 1]);

  it('NegativeLogLikelihoodLoss: none, sum, weighted mean and ignore_index', () => {
    expect(values(run1('NegativeLogLikelihoodLoss', [logp, target], { reduction: attr.str('none') }))).toEqual([1, 4]);
    expect(values(run1('NegativeLogLikelihoodLoss', [logp, target], { reduction: attr.str('sum') }))).toEqual([5]);
    expect(values(run1('NegativeLogLikelihoodLoss', [logp, target, f32([2], [1, 3])]))).toEqual([13 / 4]);
    expect(values(run1('NegativeLogLikelihoodLoss', [logp, target], { ignore_index: attr.int(1) }))).toEqual([1]);
  });

  it('SoftmaxCrossEntropyLoss returns the loss and the log-probabilities', () => {
    const [loss, lp] = run('SoftmaxCrossEntropyLoss', [f32([1, 2], [0, Math.log(3)]), i64([1], [1])], {}, { outputs: 2 });
    expect(mismatch(values(loss!), [-Math.log(0.75)])).toBe('');
    expect(mismatch(values(lp!), [Math.log(0.25), Math.log(0.75)])).toBe('');
  });
});

