import { describe, expect, it } from 'vitest';
import type { Graph, Model } from '@quantforge/core';
import { modelStats, validateModel } from '../src/index.js';

function graph(partial: Partial<Graph>): Graph {
  return { name: 'g', nodes: [], inputs: [], outputs: [], valueInfo: [], initializers: new Map(), sparseInitializers: [], ...partial };
}

const f32 = (n: number) => ({ dtype: 'float32' as const, dims: [n], data: new Float32Array(n) });

describe('modelStats', () => {
  it('counts initializers, sparse initializers and Constant tensors, also in subgraphs and functions', () => {
    const body = graph({
      name: 'body',
      nodes: [{ name: 'c2', opType: 'Constant', domain: '', inputs: [], outputs: ['k2'], attributes: [{ name: 'value', type: 'tensor', value: { name: '', tensor: f32(5) } }] }],
      initializers: new Map([['b', { name: 'b', tensor: { dtype: 'int4', dims: [3], data: new Int8Array(3) } }]]),
    });
    const model: Model = {
      irVersion: 10,
      opsetImports: [{ domain: '', version: 21 }],
      graph: graph({
        initializers: new Map([['w', { name: 'w', tensor: f32(10) }]]),
        sparseInitializers: [{ values: { name: 's', tensor: f32(2) }, indices: { name: 'si', tensor: { dtype: 'int64', dims: [2], data: new BigInt64Array(2) } }, dims: [100] }],
        nodes: [
          { name: 'c', opType: 'Constant', domain: 'ai.onnx', inputs: [], outputs: ['k'], attributes: [{ name: 'value_ints', type: 'ints', value: [1, 2, 3] }] },
          { name: 'loop', opType: 'Loop', domain: '', inputs: [], outputs: [], attributes: [{ name: 'body', type: 'graph', value: body }] },
          { name: 'not_constant', opType: 'Custom', domain: 'x', inputs: [], outputs: [], attributes: [{ name: 'value', type: 'tensor', value: { name: '', tensor: f32(1000) } }] },
        ],
      }),
      functions: [{
        name: 'F', domain: 'local', inputs: [], outputs: ['o'], attributes: [], attributeDefaults: [], opsetImports: [], valueInfo: [],
        nodes: [{ name: '', opType: 'Constant', domain: '', inputs: [], outputs: ['o'], attributes: [{ name: 'value_float', type: 'float', value: 1 }] }],
      }],
    };
    // 10 (w) + 2 (sparse values) + 3 (value_ints) + 5 (subgraph Constant) + 3 (int4 in subgraph) + 1 (function value_float)
    expect(modelStats(model)).toEqual({ parameterCount: 24, parameterBytes: 40 + 8 + 16 + 24 + 20 + 2 + 4 });
  });
});

describe('validateModel', () => {
  const node = (inputs: string[], outputs: string[], attributes: Graph['nodes'][number]['attributes'] = []) => ({ name: 'n', opType: 'Op', domain: '', inputs, outputs, attributes });
  const model = (g: Graph, extra: Partial<Model> = {}): Model => ({ irVersion: 8, opsetImports: [], graph: g, ...extra });

  it('accepts nodes in any order, omitted optional inputs and outer-scope reads', () => {
    const sub = graph({ name: 'sub', nodes: [node(['a', 'x'], ['s'])], outputs: [{ name: 's' }] });
    const g = graph({
      inputs: [{ name: 'x' }],
      nodes: [node(['a', ''], ['y'], [{ name: 'then_branch', type: 'graph', value: sub }]), node(['x'], ['a'])],
      outputs: [{ name: 'y' }],
    });
    expect(() => validateModel(model(g))).not.toThrow();
  });

  it('reports the dangling name with its graph and node', () => {
    const g = graph({ name: 'main', nodes: [node(['ghost'], ['y'])], outputs: [{ name: 'y' }] });
    expect(() => validateModel(model(g))).toThrow(expect.objectContaining({ code: 'QF_GRAPH_DANGLING_VALUE', details: expect.objectContaining({ value: 'ghost', graph: 'main', node: 'n' }) }));
    const sub = graph({ name: 'sub', nodes: [node(['inner_only'], ['s'])], outputs: [{ name: 's' }] });
    const g2 = graph({ nodes: [node([], ['y'], [{ name: 'body', type: 'graph', value: sub }]), node(['s'], ['z'])], outputs: [{ name: 'z' }] });
    expect(() => validateModel(model(g2))).toThrow(expect.objectContaining({ details: expect.objectContaining({ value: 'inner_only' }) }));
    const g3 = graph({ nodes: [node([], ['y'], [{ name: 'body', type: 'graph', value: graph({ nodes: [node([], ['s'])], outputs: [{ name: 's' }] }) }]), node(['s'], ['z'])], outputs: [{ name: 'z' }] });
    expect(() => validateModel(model(g3))).toThrow(expect.objectContaining({ details: expect.objectContaining({ value: 's' }) })); // subgraph values do not leak out
  });

  it('checks function bodies against their own inputs', () => {
    const fn = { name: 'F', domain: 'd', inputs: ['a'], outputs: ['b'], attributes: [], attributeDefaults: [], opsetImports: [], valueInfo: [], nodes: [node(['a', 'x'], ['b'])] };
    const g = graph({ inputs: [{ name: 'x' }], nodes: [node(['x'], ['y'])], outputs: [{ name: 'y' }] });
    expect(() => validateModel(model(g, { functions: [fn] }))).toThrow(expect.objectContaining({ code: 'QF_GRAPH_DANGLING_VALUE', details: expect.objectContaining({ value: 'x', function: 'd:F' }) }));
  });

  it('a model without a graph is QF_ONNX_INVALID_MODEL', () => {
    expect(() => validateModel({ irVersion: 8, opsetImports: [] } as unknown as Model)).toThrow(expect.objectContaining({ code: 'QF_ONNX_INVALID_MODEL' }));
  });
});
