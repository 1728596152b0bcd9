import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { tensor } from '../../src/ir/tensor.js';
import { foldBatchNorm, removeDeadNodes } from '../../src/passes/index.js';
import { attr, f32, graph, node, seeded } from './helpers.js';

interface ConvSpec {
  n: number; c: number; h: number; w: number; m: number; k: number; group: number; stride: number; pad: number;
}

/** Naive NCHW convolution in float64, the oracle for the folded weights. */
function conv2d(x: Float32Array, w: Float32Array, b: Float32Array | undefined, s: ConvSpec): Float64Array {
  const oh = Math.floor((s.h + 2 * s.pad - s.k) / s.stride) + 1;
  const ow = Math.floor((s.w + 2 * s.pad - s.k) / s.stride) + 1;
  const cg = s.c / s.group;
  const mg = s.m / s.group;
  const out = new Float64Array(s.n * s.m * oh * ow);
  for (let n = 0; n < s.n; n++)
    for (let m = 0; m < s.m; m++) {
      const g = Math.floor(m / mg);
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let acc = b ? b[m]! : 0;
          for (let ci = 0; ci < cg; ci++)
            for (let ky = 0; ky < s.k; ky++)
              for (let kx = 0; kx < s.k; kx++) {
                const iy = oy * s.stride + ky - s.pad;
                const ix = ox * s.stride + kx - s.pad;
                if (iy < 0 || ix < 0 || iy >= s.h || ix >= s.w) continue;
                const c = g * cg + ci;
                acc += x[((n * s.c + c) * s.h + iy) * s.w + ix]! * w[((m * cg + ci) * s.k + ky) * s.k + kx]!;
              }
          out[((n * s.m + m) * oh + oy) * ow + ox] = acc;
        }
    }
  return out;
}

function bnGraph(s: ConvSpec, withBias: boolean): Graph {
  const inits: Record<string, ReturnType<typeof f32>> = {
    W: f32([s.m, s.c / s.group, s.k, s.k], seeded(s.m * (s.c / s.group) * s.k * s.k, 3)),
    gamma: f32([s.m], seeded(s.m, 5).map((v) => 0.5 + v)),
    beta: f32([s.m], seeded(s.m, 7)),
    mean: f32([s.m], seeded(s.m, 11)),
    var: f32([s.m], seeded(s.m, 13).map((v) => 0.2 + Math.abs(v))),
  };
  if (withBias) inits.B = f32([s.m], seeded(s.m, 17));
  return graph({
    nodes: [
      node('Conv', ['x', 'W', ...(withBias ? ['B'] : [])], ['conv_out'], [attr.int('group', s.group), attr.ints('pads', [s.pad, s.pad, s.pad, s.pad]), attr.ints('strides', [s.stride, s.stride])], 'conv'),
      node('BatchNormalization', ['conv_out', 'gamma', 'beta', 'mean', 'var'], ['y'], [attr.float('epsilon', 1e-3)], 'bn'),
    ],
    inputs: [['x', 'float32', [s.n, s.c, s.h, s.w]]],
    outputs: ['y'],
    initializers: inits,
  });
}

function reference(g: Graph, x: Float32Array, s: ConvSpec): Float64Array {
  const get = (n: string) => g.initializers.get(n)!.tensor.data as Float32Array;
  const y = conv2d(x, get('W'), g.initializers.has('B') ? get('B') : undefined, s);
  const per = y.length / (s.n * s.m);
  for (let i = 0; i < y.length; i++) {
    const m = Math.floor(i / per) % s.m;
    y[i] = (get('gamma')[m]! * (y[i]! - get('mean')[m]!)) / Math.sqrt(get('var')[m]! + 1e-3) + get('beta')[m]!;
  }
  return y;
}

describe('foldBatchNorm', () => {
  it.each([
    ['with bias, grouped, strided and padded', { n: 2, c: 4, h: 5, w: 6, m: 6, k: 3, group: 2, stride: 2, pad: 1 }, true],
    ['without bias', { n: 1, c: 3, h: 4, w: 4, m: 2, k: 3, group: 1, stride: 1, pad: 0 }, false],
  ] as const)('matches Conv+BN numerically (%s)', (_label, s, withBias) => {
    const g = bnGraph(s, withBias);
    const x = seeded(s.n * s.c * s.h * s.w, 23);
    const expected = reference(g, x, s);
    expect(foldBatchNorm(g)).toBe(1);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Conv']);
    const conv = g.nodes[0]!;
    expect(conv.outputs).toEqual(['y']);
    expect(conv.inputs).toHaveLength(3);
    const w = g.initializers.get(conv.inputs[1]!)!.tensor.data as Float32Array;
    const b = g.initializers.get(conv.inputs[2]!)!.tensor.data as Float32Array;
    const actual = conv2d(x, w, b, s);
    expect(actual.length).toBe(expected.length);
    let worst = 0;
    for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
    expect(worst).toBeLessThan(1e-5);
    expect(removeDeadNodes(g).initializers).toBe(4);
  });

  it('copies a weight shared with another Conv instead of changing it', () => {
    const s = { n: 1, c: 2, h: 3, w: 3, m: 2, k: 1, group: 1, stride: 1, pad: 0 };
    const g = bnGraph(s, true);
    g.nodes.push(node('Conv', ['x', 'W'], ['other'], [], 'conv2'));
    g.outputs.push({ name: 'other' });
    const before = Float32Array.from(g.initializers.get('W')!.tensor.data as Float32Array);
    expect(foldBatchNorm(g)).toBe(1);
    expect([...(g.initializers.get('W')!.tensor.data as Float32Array)]).toEqual([...before]);
    const folded = g.nodes.find((n) => n.name === 'conv')!;
    expect(folded.inputs[1]).not.toBe('W');
    expect(g.initializers.has(folded.inputs[1]!)).toBe(true);
  });

  it('leaves a BN whose Conv output has another consumer', () => {
    const g = bnGraph({ n: 1, c: 2, h: 3, w: 3, m: 2, k: 1, group: 1, stride: 1, pad: 0 }, true);
    g.nodes.push(node('Relu', ['conv_out'], ['r']));
    g.outputs.push({ name: 'r' });
    expect(foldBatchNorm(g)).toBe(0);
    expect(g.nodes).toHaveLength(3);
  });

  it('leaves non-float32, training-mode and non-initializer cases alone', () => {
    const s = { n: 1, c: 2, h: 3, w: 3, m: 2, k: 1, group: 1, stride: 1, pad: 0 };
    const f64 = bnGraph(s, true);
    f64.initializers.set('mean', { name: 'mean', tensor: tensor('float64', [2], new Float64Array(2)) });
    expect(foldBatchNorm(f64)).toBe(0);

    const training = bnGraph(s, true);
    training.nodes[1]!.attributes.push(attr.int('training_mode', 1));
    expect(foldBatchNorm(training)).toBe(0);

    const dynamic = bnGraph(s, true);
    dynamic.initializers.delete('var');
    dynamic.inputs.push({ name: 'var' });
    expect(foldBatchNorm(dynamic)).toBe(0);

    const overridable = bnGraph(s, true);
    overridable.inputs.push({ name: 'W' });
    expect(foldBatchNorm(overridable)).toBe(0);
  });

  it('folds inside subgraphs', () => {
    const body = bnGraph({ n: 1, c: 2, h: 3, w: 3, m: 2, k: 1, group: 1, stride: 1, pad: 0 }, false);
    body.inputs = [];
    const g = graph({
      nodes: [node('If', ['cond'], ['out'], [attr.graph('then_branch', body), attr.graph('else_branch', graph({ nodes: [], outputs: ['x'] }))])],
      inputs: ['cond', ['x', 'float32', [1, 2, 3, 3]]],
      outputs: ['out'],
    });
    expect(foldBatchNorm(g)).toBe(1);
    expect(body.nodes.map((n) => n.opType)).toEqual(['Conv']);
  });
});
