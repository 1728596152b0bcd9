// Small hand-built models and data for the pipeline tests.
import type { Model } from '../../src/ir/graph.js';
import type { QuantforgePlugin } from '../../src/plugins/types.js';
import type { Feed } from '../../src/pipeline/services.js';
import { tensor } from '../../src/ir/tensor.js';
import type { SchemeDefinition } from '../../src/quant/scheme.js';
import { attr, f32, graph, i64, model, node, seeded } from '../passes/helpers.js';

/** The affine8 test scheme and its plugins (fixture built on core's dist, shared with the worker). */
export interface AffineFixture {
  affine8: SchemeDefinition<{ symmetricActivations: boolean; narrowRange: boolean }>;
  affine8Plugin: QuantforgePlugin;
  affine8LocalPlugin: QuantforgePlugin;
}

export async function affineFixture(): Promise<AffineFixture> {
  return (await import(new URL('../fixtures/affine8-scheme.mjs', import.meta.url).href)) as AffineFixture;
}

/** x[batch,4] → MatMul W1 → Add b1 → Relu → Gemm(W2ᵀ, c2) → y[batch,3]. */
export function mlp(weights = seeded(32, 7)): Model {
  return model(graph({
    nodes: [
      node('MatMul', ['x', 'w1'], ['h'], [], 'mm'),
      node('Add', ['h', 'b1'], ['a'], [], 'add'),
      node('Relu', ['a'], ['r'], [], 'relu'),
      node('Gemm', ['r', 'w2', 'c2'], ['y'], [attr.int('transB', 1)], 'gemm'),
    ],
    inputs: [['x', 'float32', ['batch', 4]]],
    outputs: [['y', 'float32', ['batch', 3]]],
    initializers: {
      w1: f32([4, 8], weights),
      b1: f32([8], seeded(8, 3).map((v) => v * 0.1)),
      w2: f32([3, 8], seeded(24, 11)),
      c2: f32([3], [0.05, -0.02, 0.01]),
    },
  }), 13);
}

/** `count` feeds of x[2,4] with deterministic values. */
export function feeds(count: number, seed = 100): Feed[] {
  return Array.from({ length: count }, (_, i) => ({ x: tensor('float32', [2, 4], seeded(8, seed + i)) }));
}

/** x[batch,4] → MatMul W1 → Relu (folds) → Reshape [-1, 8] (tied to the Relu output) → Gemm(W2ᵀ, c2) → y. */
export function tiedNet(): Model {
  return model(graph({
    nodes: [
      node('MatMul', ['x', 'w1'], ['h'], [], 'mm'),
      node('Relu', ['h'], ['r'], [], 'relu'),
      node('Reshape', ['r', 'shape'], ['rs'], [], 'reshape'),
      node('Gemm', ['rs', 'w2', 'c2'], ['y'], [attr.int('transB', 1)], 'gemm'),
    ],
    inputs: [['x', 'float32', ['batch', 4]]],
    outputs: [['y', 'float32', ['batch', 3]]],
    initializers: { w1: f32([4, 8], seeded(32, 5)), shape: i64([2], [-1, 8]), w2: f32([3, 8], seeded(24, 9)), c2: f32([3], [0.1, 0, -0.1]) },
  }), 13);
}

