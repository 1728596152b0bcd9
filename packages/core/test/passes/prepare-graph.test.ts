import { describe, expect, it } from 'vitest';
import { foldConstants, prepareGraph } from '../../src/passes/index.js';
import { attr, f32, graph, model, node, seeded } from './helpers.js';

/** A PaddleOCR-style export: every weight arrives as a Constant node. */
function exported() {
  const c = (name: string, dims: number[], seed: number, shift = 0) =>
    node('Constant', [], [name], [attr.tensor('value', f32(dims, seeded(dims.reduce((a, b) => a * b, 1), seed).map((v) => v + shift)))], `const_${name}`);
  return model(
    graph({
      nodes: [
        c('W', [4, 3, 3, 3], 1),
        c('B', [4], 2),
        c('gamma', [4], 3, 1),
        c('beta', [4], 4),
        c('mean', [4], 5),
        c('var', [4], 6, 2),
        node('Conv', ['x', 'W', 'B'], ['conv'], [attr.ints('pads', [1, 1, 1, 1])], 'conv'),
        node('BatchNormalization', ['conv', 'gamma', 'beta', 'mean', 'var'], ['bn'], [], 'bn'),
        node('Relu', ['bn'], ['y'], [], 'relu'),
        node('Sigmoid', ['x'], ['unused'], [], 'dead'),
      ],
      inputs: [['x', 'float32', ['batch', 3, 16, 16]]],
      outputs: ['y'],
    }),
    13,
  );
}

describe('prepareGraph', () => {
  it('folds constants and BN, removes dead nodes and infers shapes, in place', () => {
    const m = exported();
    const summary = prepareGraph(m);
    expect(summary).toMatchObject({ initializerInputsRemoved: 0, constantsFolded: 6, constantsSkipped: [], batchNormsFolded: 1, nodesRemoved: 1, initializersRemoved: 4, unsupportedOps: [] });
    expect(m.graph.nodes.map((n) => n.name)).toEqual(['conv', 'relu']);
    expect([...m.graph.initializers.keys()].sort()).toEqual(['B', 'W']);
    expect(summary.values.get('y')).toEqual({ dtype: 'float32', shape: ['batch', 4, 16, 16] });
    expect(m.graph.valueInfo).toEqual([{ name: 'bn', type: { kind: 'tensor', elemType: 'float32', shape: ['batch', 4, 16, 16] } }]);
  });

  it('can keep BatchNormalization and skip writing valueInfo', () => {
    const m = exported();
    const summary = prepareGraph(m, { foldBatchNorm: false, writeValueInfo: false });
    expect(summary.batchNormsFolded).toBe(0);
    expect(m.graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'BatchNormalization', 'Relu']);
    expect(m.graph.initializers.size).toBe(6);
    expect(m.graph.valueInfo).toEqual([]);
  });

  it('drops initializer-only inputs of IR 3 models so their weights fold, and raises the IR version', () => {
    const old = () => {
      const m = exported();
      m.irVersion = 3;
      foldConstants(m.graph);
      for (const name of m.graph.initializers.keys()) m.graph.inputs.push({ name });
      return m;
    };
    const m = old();
    const summary = prepareGraph(m);
    expect(summary).toMatchObject({ initializerInputsRemoved: 6, batchNormsFolded: 1 });
    expect(m.graph.inputs.map((v) => v.name)).toEqual(['x']);
    expect(m.irVersion).toBe(4);

    const kept = old();
    const keptSummary = prepareGraph(kept, { initializerInputs: 'keep' });
    expect(keptSummary).toMatchObject({ initializerInputsRemoved: 0, batchNormsFolded: 0 });
    expect(kept.graph.inputs).toHaveLength(7);
    expect(kept.irVersion).toBe(3);
  });

  it('keeps values that training graphs read and does not fold BN under training info', () => {
    const m = exported();
    m.graph.nodes.push(node('Constant', [], ['lr'], [attr.float('value_float', 0.1)]));
    const algorithm = graph({ name: 'algo', nodes: [node('Mul', ['W', 'lr'], ['W_new'])], outputs: ['W_new'] });
    m.trainingInfo = [{ algorithm, initializationBinding: [], updateBinding: [{ key: 'W', value: 'W_new' }] }];
    const summary = prepareGraph(m);
    expect(summary.batchNormsFolded).toBe(0);
    expect(m.graph.initializers.has('lr')).toBe(true);
    expect(m.graph.initializers.has('W')).toBe(true);
  });
});
