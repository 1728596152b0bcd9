// The graphs the check / constrain / lower tests share.
import type { Model } from '@quantforge/core';
import { attr, f32, model, node, seeded } from './helpers.js';

/**
 * x[1,2,6,6] → Conv 3×3 pad 1 (4 out) → Relu → depthwise 3×3 (group 4) → Conv 1×1 (4 out) → Add (residual with the
 * Relu output) → AveragePool 2×2 → Flatten → Gemm (transB, 3 out) → Softmax → y[1,3].
 */
export function smallNet(): Model {
  return model({
    nodes: [
      node('Conv', ['x', 'w1', 'b1'], ['c1'], [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1])], 'conv1'),
      node('Relu', ['c1'], ['r1'], [], 'relu1'),
      node('Conv', ['r1', 'wd', 'bd'], ['d1'], [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1]), attr.int('group', 4)], 'dw'),
      node('Conv', ['d1', 'wp', 'bp'], ['p1'], [attr.ints('kernel_shape', [1, 1])], 'pw'),
      node('Add', ['p1', 'r1'], ['s1'], [], 'add'),
      node('AveragePool', ['s1'], ['a1'], [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])], 'pool'),
      node('Flatten', ['a1'], ['f1'], [attr.int('axis', 1)], 'flatten'),
      node('Gemm', ['f1', 'wf', 'bf'], ['g1'], [attr.int('transB', 1)], 'fc'),
      node('Softmax', ['g1'], ['y'], [attr.int('axis', -1)], 'softmax'),
    ],
    inputs: [['x', 'float32', [1, 2, 6, 6]]],
    outputs: [['y', 'float32', [1, 3]]],
    initializers: {
      w1: f32([4, 2, 3, 3], seeded(72, 1)), b1: f32([4], seeded(4, 2)),
      wd: f32([4, 1, 3, 3], seeded(36, 3)), bd: f32([4], seeded(4, 4)),
      wp: f32([4, 4, 1, 1], seeded(16, 5)), bp: f32([4], seeded(4, 6)),
      wf: f32([3, 36], seeded(108, 7)), bf: f32([3], seeded(3, 8)),
    },
  });
}

/** x[1,4] → Transpose → y: Transpose has no kernel in the op table. */
export function transposeNet(): Model {
  return model({
    nodes: [
      node('Gemm', ['x', 'w', 'b'], ['h'], [attr.int('transB', 1)], 'fc'),
      node('Transpose', ['h'], ['y'], [attr.ints('perm', [1, 0])], 'transpose'),
    ],
    inputs: [['x', 'float32', [1, 4]]],
    outputs: [['y', 'float32', [2, 1]]],
    initializers: { w: f32([2, 4], seeded(8, 9)), b: f32([2], [0.1, -0.1]) },
  });
}

