import { describe, expect, it } from 'vitest';
import type { Attribute } from '../../src/ir/graph.js';
import { foldConstants, type SkippedConstant } from '../../src/passes/index.js';
import { attr, f32, graph, i64, node } from './helpers.js';

function constantGraph(a: Attribute) {
  return graph({ nodes: [node('Constant', [], ['c'], [a], 'const'), node('Add', ['x', 'c'], ['y'], [], 'add')], inputs: ['x'], outputs: ['y'] });
}

describe('foldConstants', () => {
  it('turns a value tensor into an initializer named after the output', () => {
    const g = constantGraph(attr.tensor('value', f32([2], [1.5, -2]), 'attr_name'));
    expect(foldConstants(g)).toBe(1);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Add']);
    const init = g.initializers.get('c')!;
    expect(init.name).toBe('c');
    expect(init.tensor.dtype).toBe('float32');
    expect(init.tensor.dims).toEqual([2]);
    expect([...(init.tensor.data as Float32Array)]).toEqual([1.5, -2]);
  });

  it.each([
    ['value_float', attr.float('value_float', 0.25), 'float32', [], [0.25]],
    ['value_floats', attr.floats('value_floats', [1, 2, 3]), 'float32', [3], [1, 2, 3]],
    ['value_int', attr.int('value_int', -7), 'int64', [], [-7n]],
    ['value_ints', attr.ints('value_ints', [4, 5]), 'int64', [2], [4n, 5n]],
    ['value_string', attr.string('value_string', 'héllo'), 'string', [], ['héllo']],
    ['value_strings', attr.strings('value_strings', ['a', 'bc']), 'string', [2], ['a', 'bc']],
  ] as const)('folds %s', (_form, a, dtype, dims, values) => {
    const g = constantGraph(a);
    expect(foldConstants(g)).toBe(1);
    const t = g.initializers.get('c')!.tensor;
    expect(t.dtype).toBe(dtype);
    expect(t.dims).toEqual(dims);
    expect(Array.from(t.data as ArrayLike<unknown>)).toEqual(values);
  });

  it('handles bigint value_ints', () => {
    const g = constantGraph({ name: 'value_ints', type: 'ints', value: [9007199254740993n] });
    foldConstants(g);
    expect([...(g.initializers.get('c')!.tensor.data as BigInt64Array)]).toEqual([9007199254740993n]);
  });

  it('leaves sparse_value constants and reports them', () => {
    const sparse: Attribute = {
      name: 'sparse_value',
      type: 'sparse_tensor',
      value: { values: { name: 'v', tensor: f32([1], [3]) }, indices: { name: 'i', tensor: i64([1], [2]) }, dims: [4] },
    };
    const g = constantGraph(sparse);
    const skipped: SkippedConstant[] = [];
    expect(foldConstants(g, { onSkipped: (s) => skipped.push(s) })).toBe(0);
    expect(g.nodes).toHaveLength(2);
    expect(skipped).toEqual([{ node: 'const', graph: 'g', reason: 'sparse_value' }]);
  });

  it('keeps a Constant whose name is already an initializer', () => {
    const g = constantGraph(attr.float('value_float', 1));
    g.initializers.set('c', { name: 'c', tensor: f32([], [2]) });
    const skipped: SkippedConstant[] = [];
    expect(foldConstants(g, { onSkipped: (s) => skipped.push(s) })).toBe(0);
    expect(skipped[0]?.reason).toBe('name_taken');
    expect([...(g.initializers.get('c')!.tensor.data as Float32Array)]).toEqual([2]);
  });

  it('folds constants inside subgraphs into the subgraph', () => {
    const inner = graph({ name: 'then', nodes: [node('Constant', [], ['k'], [attr.ints('value_ints', [1, 2])]), node('Add', ['x', 'k'], ['t'])], outputs: ['t'] });
    const other = graph({ name: 'else', nodes: [node('Constant', [], ['e'], [attr.float('value_float', 3)])], outputs: ['e'] });
    const g = graph({
      nodes: [node('Constant', [], ['outer'], [attr.int('value_int', 1)]), node('If', ['cond'], ['y'], [attr.graph('then_branch', inner), attr.graph('else_branch', other)])],
      inputs: ['cond', 'x'],
      outputs: ['y'],
    });
    expect(foldConstants(g)).toBe(3);
    expect([...g.initializers.keys()]).toEqual(['outer']);
    expect([...inner.initializers.keys()]).toEqual(['k']);
    expect([...other.initializers.keys()]).toEqual(['e']);
    expect(inner.nodes.map((n) => n.opType)).toEqual(['Add']);
    expect(other.nodes).toHaveLength(0);
  });

  it('ignores Constant ops of other domains', () => {
    const g = constantGraph(attr.float('value_float', 1));
    g.nodes[0]!.domain = 'com.example';
    expect(foldConstants(g)).toBe(0);
    expect(g.nodes).toHaveLength(2);
  });
});
