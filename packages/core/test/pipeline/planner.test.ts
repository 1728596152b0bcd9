import { beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../src/ir/graph.js';
import { planQuantization, type PlannerSchemes } from '../../src/pipeline/plan/index.js';
import type { Recipe } from '../../src/pipeline/recipe.js';
import { validatePlan, type QuantPlan } from '../../src/quant/plan.js';
import { defineScheme } from '../../src/quant/scheme.js';
import { Type } from '@sinclair/typebox';
import { attr, f32, graph, i64, model, node, seeded } from '../passes/helpers.js';
import { affineFixture, type AffineFixture } from './models.js';

let fx: AffineFixture;
let schemes: PlannerSchemes;
beforeAll(async () => {
  fx = await affineFixture();
  schemes = { affine8: { definition: fx.affine8 as never, options: { symmetricActivations: false, narrowRange: true } } };
});

const plan = (m: Model, recipe: Partial<Recipe> = {}): QuantPlan => planQuantization(m, { scheme: 'affine8', mode: 'static', ...recipe }, schemes);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

/** x[1,3,8,8] → Conv(w[4,3,3,3], b[4]) → Relu → MaxPool 2x2 → Reshape [1,36] → Gemm(W[5,36]ᵀ, c[5]) → y. */
function convNet(transB = 1): Model {
  return model(graph({
    nodes: [
      node('Conv', ['x', 'cw', 'cb'], ['c'], [attr.ints('kernel_shape', [3, 3])], 'conv'),
      node('Relu', ['c'], ['r'], [], 'relu'),
      node('MaxPool', ['r'], ['p'], [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])], 'pool'),
      node('Reshape', ['p', 'shape'], ['f'], [], 'reshape'),
      node('Gemm', ['f', 'gw', 'gb'], ['y'], [attr.int('transB', transB)], 'gemm'),
    ],
    inputs: [['x', 'float32', [1, 3, 8, 8]]],
    outputs: [['y', 'float32', [1, 5]]],
    initializers: {
      cw: f32([4, 3, 3, 3], seeded(108)), cb: f32([4], seeded(4)), shape: i64([2], [1, 36]),
      gw: f32(transB === 1 ? [5, 36] : [36, 5], seeded(180)), gb: f32([5], seeded(5)),
    },
  }));
}

describe('planQuantization: placement', () => {
  it('plans Conv→Relu→MaxPool→Reshape→Gemm like the QDQ quantizer', () => {
    const p = plan(convNet());
    expect(Object.keys(p.tensors).sort()).toEqual(['cb', 'cw', 'f', 'gb', 'gw', 'p', 'r', 'x', 'y']);
    expect(p.tensors.c).toBeUndefined(); // Conv output folds into the Relu output
    expect(p.tensors.cw).toMatchObject({ role: 'weight', granularity: 'per-channel', axis: 0, bits: 8, stats: null });
    expect(p.tensors.cb).toMatchObject({ role: 'bias', bits: 32, granularity: 'per-channel', axis: 0, dependsOn: { input: 'x', weight: 'cw' } });
    expect(p.tensors.gw).toMatchObject({ role: 'weight', axis: 0 });
    expect(p.tensors.gb).toMatchObject({ role: 'bias', dependsOn: { input: 'f', weight: 'gw' } });
    expect(p.tensors.x).toMatchObject({ role: 'activation', stats: { observer: 'minmax' }, consumers: [{ node: 'conv', opType: 'Conv', input: 0 }] });
    expect(p.tensors.r).toMatchObject({ producer: 'relu', tieGroup: 'r' });
    expect(p.tensors.p!.tieGroup).toBe('r');
    expect(p.tensors.f!.tieGroup).toBe('r');
    expect(p.tensors.y!.tieGroup).toBeUndefined();
    expect(p.tensors.shape).toBeUndefined();
    expect(p.excluded).toEqual([]);
    expect(validatePlan(JSON.parse(JSON.stringify(p)))).toEqual(p);
  });

  it('uses axis 1 for a Gemm weight without transB and the last axis for a MatMul weight', () => {
    expect(plan(convNet(0)).tensors.gw).toMatchObject({ axis: 1, dims: [36, 5] });
    const m = model(graph({
      nodes: [node('MatMul', ['x', 'w'], ['y'], [], 'mm')],
      inputs: [['x', 'float32', ['n', 4]]], outputs: ['y'], initializers: { w: f32([4, 6], seeded(24)) },
    }));
    expect(plan(m).tensors.w).toMatchObject({ granularity: 'per-channel', axis: 1 });
  });

  it('uses axis 1 for a ConvTranspose weight', () => {
    const m = model(graph({
      nodes: [node('ConvTranspose', ['x', 'w'], ['y'], [attr.ints('kernel_shape', [2, 2])], 'deconv')],
      inputs: [['x', 'float32', [1, 2, 4, 4]]], outputs: ['y'], initializers: { w: f32([2, 3, 2, 2], seeded(24)) },
    }));
    expect(plan(m).tensors.w).toMatchObject({ axis: 1 });
  });

  it('quantizes both inputs of a MatMul of two activations', () => {
    const m = model(graph({
      nodes: [node('MatMul', ['a', 'b'], ['y'], [], 'mm')],
      inputs: [['a', 'float32', [2, 3]], ['b', 'float32', [3, 4]]], outputs: ['y'],
    }));
    const p = plan(m);
    expect(p.tensors.a?.role).toBe('activation');
    expect(p.tensors.b).toMatchObject({ role: 'activation', consumers: [{ node: 'mm', input: 1 }] });
    expect(p.tensors.y?.role).toBe('activation');
  });

  it('quantizes Concat inputs and output without a tie and keeps Softmax in float', () => {
    const m = model(graph({
      nodes: [node('Concat', ['a', 'b'], ['c'], [attr.int('axis', 1)], 'cat'), node('Softmax', ['c'], ['s'], [], 'softmax')],
      inputs: [['a', 'float32', [1, 2]], ['b', 'float32', [1, 3]]], outputs: ['s'],
    }));
    const p = plan(m);
    expect(Object.keys(p.tensors).sort()).toEqual(['a', 'b', 'c']);
    expect(Object.values(p.tensors).every((e) => e.tieGroup === undefined)).toBe(true);
    expect(p.excluded).toEqual([{ node: 'softmax', opType: 'Softmax', reason: expect.stringContaining('runs in float') }]);
  });

  it('quantizes Add inputs and output; a constant operand becomes a per-tensor weight', () => {
    const m = model(graph({
      nodes: [node('Add', ['a', 'b'], ['s'], [], 'add'), node('Add', ['s', 'k'], ['t'], [], 'addk')],
      inputs: [['a', 'float32', [2, 4]], ['b', 'float32', [2, 4]]], outputs: ['t'], initializers: { k: f32([4], seeded(4)) },
    }));
    const p = plan(m, { weights: { granularity: 'per-channel' } });
    expect(Object.keys(p.tensors).sort()).toEqual(['a', 'b', 'k', 's', 't']);
    expect(p.tensors.k).toMatchObject({ role: 'weight', granularity: 'per-tensor' });
    expect(p.tensors.k!.axis).toBeUndefined();
  });

  it('folds a Relu6-style Clip with constant bounds and keeps a Clip with a computed bound in float', () => {
    const mk = (hi: string, inits: Record<string, ReturnType<typeof f32>>) => model(graph({
      nodes: [node('MatMul', ['x', 'w'], ['m'], [], 'mm'), node('Clip', ['m', 'lo', hi], ['y'], [], 'clip')],
      inputs: [['x', 'float32', [2, 4]], ['h', 'float32', []]], outputs: ['y'], initializers: { w: f32([4, 4], seeded(16)), lo: f32([], [0]), ...inits },
    }));
    const folded = plan(mk('six', { six: f32([], [6]) }));
    expect(folded.tensors.m).toBeUndefined();
    expect(folded.tensors.y).toMatchObject({ producer: 'clip', role: 'activation' });
    const dynamicBound = plan(mk('h', {}));
    expect(dynamicBound.excluded.map((e) => e.node)).toEqual(['clip']);
    expect(dynamicBound.tensors.m?.role).toBe('activation');
  });

  it('ties only range-preserving data movement', () => {
    const m = model(graph({
      nodes: [
        node('Pad', ['x', 'pads', 'one'], ['p1'], [], 'pad1'),
        node('Pad', ['x', 'pads'], ['p0'], [], 'pad0'),
        node('AveragePool', ['x'], ['ap'], [attr.ints('kernel_shape', [2, 2])], 'avg'),
        node('Resize', ['x', '', 'scales'], ['rz'], [attr.string('mode', 'linear')], 'resize'),
        node('Gather', ['x', 'idx'], ['g'], [attr.int('axis', 1)], 'gather'),
      ],
      inputs: [['x', 'float32', [1, 2, 4, 4]]], outputs: ['p1', 'p0', 'ap', 'rz', 'g'],
      initializers: { pads: i64([8], [0, 0, 1, 1, 0, 0, 1, 1]), one: f32([], [1]), scales: f32([4], [1, 1, 2, 2]), idx: i64([1], [0]) },
    }));
    const p = plan(m);
    const ties = Object.fromEntries(Object.values(p.tensors).map((e) => [e.tensor, e.tieGroup ?? null]));
    expect(ties).toEqual({ x: 'x', p1: null, p0: 'x', ap: null, rz: null, g: 'x' });
    expect(p.tensors.idx).toBeUndefined();
  });

  it('does not fold when the compute output has another reader', () => {
    const m = model(graph({
      nodes: [node('MatMul', ['x', 'w'], ['m'], [], 'mm'), node('Relu', ['m'], ['r'], [], 'relu'), node('Add', ['m', 'r'], ['y'], [], 'add')],
      inputs: [['x', 'float32', [2, 4]]], outputs: ['y'], initializers: { w: f32([4, 4], seeded(16)) },
    }));
    const p = plan(m);
    expect(p.tensors.m?.consumers.map((c) => c.node)).toEqual(['relu', 'add']);
  });
});

describe('planQuantization: recipe', () => {
  it('keeps excluded nodes (by name or op type) in float', () => {
    const byType = plan(convNet(), { exclude: ['Gemm'] });
    expect(byType.tensors.gw).toBeUndefined();
    expect(byType.tensors.gb).toBeUndefined();
    expect(byType.tensors.y).toBeUndefined();
    expect(byType.excluded).toEqual([{ node: 'gemm', opType: 'Gemm', reason: 'excluded by the recipe' }]);
    const byName = plan(convNet(), { exclude: ['relu'] });
    expect(byName.tensors.c?.role).toBe('activation'); // the Relu no longer folds
    expect(byName.tensors.r?.consumers.map((c) => c.node)).toEqual(['pool']); // still read by the quantized MaxPool
    expect(byName.excluded.map((e) => e.node)).toEqual(['relu']);
  });

  it('applies overrides by node, op type and tensor, later ones winning', () => {
    const p = plan(convNet(), {
      weights: { bits: 6 },
      activations: { bits: 7 },
      overrides: [
        { match: { opType: 'Gemm' }, weights: { bits: 4, granularity: 'per-tensor' } },
        { match: { node: 'gemm' }, options: { narrowRange: false } },
        { match: { tensor: 'x' }, activations: { bits: 5 }, options: { symmetricActivations: true } },
      ],
    });
    expect(p.tensors.cw).toMatchObject({ bits: 6, granularity: 'per-channel' });
    expect(p.tensors.gw).toMatchObject({ bits: 4, granularity: 'per-tensor', options: { narrowRange: false } });
    expect(p.tensors.gb).toMatchObject({ granularity: 'per-tensor', bits: 32 });
    expect(p.tensors.x).toMatchObject({ bits: 5, options: { symmetricActivations: true }, stats: { finalize: { bits: 5, symmetric: true } } });
    expect(p.tensors.r).toMatchObject({ bits: 7 });
  });

  it('rejects override options the scheme schema refuses', () => {
    expect(codeOf(() => plan(convNet(), { overrides: [{ match: { node: 'conv' }, options: { narrowRange: 'yes' } }] }))).toBe('QF_OPTIONS_INVALID');
  });

  it('replaces the observer with the recipe calibrator', () => {
    const p = plan(convNet(), { calibration: { calibrator: 'percentile', options: { percentile: 99.9 } } });
    expect(p.tensors.x?.stats).toEqual({ observer: 'percentile', options: { percentile: 99.9 }, finalize: { bits: 8, signed: false, symmetric: false } });
  });

  it('plans per-group weights along the reduction axis', () => {
    const p = plan(convNet(0), { weights: { granularity: 'per-group', blockSize: 4 } });
    expect(p.tensors.gw).toMatchObject({ granularity: 'per-group', axis: 0, blockSize: 4 });
    expect(p.tensors.gb).toBeUndefined(); // a per-group weight scale does not give a bias scale
  });

  it('fails on an unknown scheme and on a static plan with a weight-only scheme', () => {
    expect(codeOf(() => planQuantization(convNet(), { scheme: 'nope', mode: 'static' }, schemes))).toBe('QF_PIPELINE_INVALID');
    const weightsOnly = defineScheme({
      name: 'w', optionsSchema: Type.Object({}), defaults: {}, supports: { roles: ['weight'], encodings: ['affine'] },
      statsFor: () => null, quantizeWeight: () => { throw new Error('not called'); },
    });
    const s: PlannerSchemes = { w: { definition: weightsOnly as never, options: {} } };
    expect(codeOf(() => planQuantization(convNet(), { scheme: 'w', mode: 'static' }, s))).toBe('QF_PIPELINE_INVALID');
    expect(Object.keys(planQuantization(convNet(), { scheme: 'w', mode: 'weight-only' }, s).tensors).sort()).toEqual(['cw', 'gw']);
  });
});

describe('planQuantization: modes', () => {
  it('dynamic: weights plus run-time activation inputs of compute ops, no statistics, no biases', () => {
    const p = plan(convNet(), { mode: 'dynamic' });
    expect(Object.keys(p.tensors).sort()).toEqual(['cw', 'f', 'gw', 'x']);
    expect(p.tensors.x).toMatchObject({ role: 'activation', stats: null, bits: 8, granularity: 'per-tensor' });
    expect(p.tensors.f!.stats).toBeNull();
    expect(p.tensors.f!.tieGroup).toBeUndefined();
  });

  it('weight-only: only the weights of compute ops', () => {
    const p = plan(convNet(), { mode: 'weight-only' });
    expect(Object.keys(p.tensors).sort()).toEqual(['cw', 'gw']);
    expect(p.excluded).toEqual([]);
  });
});
