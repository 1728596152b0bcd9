import { describe, expect, it } from 'vitest';
import { attr, f32, i64, mismatch, run1, values } from './basic-helpers.js';

describe('NonMaxSuppression', () => {
  // Three corner boxes: 0 and 1 overlap with IoU 0.81 / (1 + 1 - 0.81) = 0.68; box 2 is far away.
  const boxes = f32([1, 3, 4], [0, 0, 1, 1, 0.1, 0.1, 1, 1, 5, 5, 6, 6]);
  const scores = f32([1, 1, 3], [0.9, 0.95, 0.5]);

  it('keeps the best box of an overlapping pair and respects max_output_boxes_per_class', () => {
    const y = run1('NonMaxSuppression', [boxes, scores, i64([], [10]), f32([], [0.5])]);
    expect([y.dims, values(y)]).toEqual([[2, 3], [0, 0, 1, 0, 0, 2]]);
    expect(values(run1('NonMaxSuppression', [boxes, scores, i64([], [1]), f32([], [0.5])]))).toEqual([0, 0, 1]);
    expect(values(run1('NonMaxSuppression', [boxes, scores, i64([], [10]), f32([], [0.9])]))).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 2]);
  });

  it('applies score_threshold and gives an empty result with max_output 0', () => {
    expect(values(run1('NonMaxSuppression', [boxes, scores, i64([], [10]), f32([], [0.5]), f32([], [0.92])]))).toEqual([0, 0, 1]);
    expect(run1('NonMaxSuppression', [boxes, scores]).dims).toEqual([0, 3]);
  });
});

describe('GridSample', () => {
  const x = f32([1, 1, 2, 2], [1, 2, 3, 4]);
  const grid = (pts: number[]) => f32([1, 1, pts.length / 2, 2], pts);

  it('bilinear with align_corners maps -1 and 1 to the corner pixel centres', () => {
    const y = run1('GridSample', [x, grid([-1, -1, 1, 1, 0, 0])], { align_corners: attr.int(1) }, { opset: 16 });
    expect([y.dims, values(y)]).toEqual([[1, 1, 1, 3], [1, 4, 2.5]]);
  });

  it('nearest rounds half to even; zeros and border padding differ outside the image', () => {
    expect(values(run1('GridSample', [x, grid([0, 0])], { mode: attr.str('nearest'), align_corners: attr.int(1) }, { opset: 16 }))).toEqual([1]);
    expect(values(run1('GridSample', [x, grid([1, 1])], {}, { opset: 16 }))).toEqual([1]);
    expect(values(run1('GridSample', [x, grid([1, 1])], { padding_mode: attr.str('border') }, { opset: 16 }))).toEqual([4]);
  });
});

describe('RoiAlign', () => {
  const x = f32([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i));
  const rois = f32([1, 4], [0, 0, 2, 2]);
  const idx = i64([1], [0]);

  it('averages bilinear samples; half_pixel (opset 16) shifts the box by half a pixel', () => {
    expect(values(run1('RoiAlign', [x, rois, idx], { sampling_ratio: attr.int(2) }, { opset: 16 }))).toEqual([2.5]);
    expect(values(run1('RoiAlign', [x, rois, idx], { sampling_ratio: attr.int(2) }, { opset: 10 }))).toEqual([5]);
  });

  it('max mode takes the largest weighted sample', () => {
    expect(values(run1('RoiAlign', [x, rois, idx], { sampling_ratio: attr.int(2), mode: attr.str('max') }, { opset: 16 }))).toEqual([5]);
  });
});

describe('LRN', () => {
  it('normalizes across a window of neighbouring channels', () => {
    const y = values(run1('LRN', [f32([1, 3, 1, 1], [1, 2, 3])], { size: attr.int(3), alpha: attr.float(3), beta: attr.float(1) }));
    expect(mismatch(y, [1 / 6, 2 / 15, 3 / 14])).toBe('');
  });
});
