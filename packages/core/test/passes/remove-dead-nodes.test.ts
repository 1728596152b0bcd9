import { describe, expect, it } from 'vitest';
import { removeDeadNodes } from '../../src/passes/index.js';
import { attr, f32, graph, node } from './helpers.js';

describe('removeDeadNodes', () => {
  it('drops nodes that reach no output, and their now unused initializers', () => {
    const g = graph({
      nodes: [
        node('Add', ['x', 'w1'], ['a'], [], 'live'),
        node('Mul', ['x', 'w2'], ['d1'], [], 'dead1'),
        node('Relu', ['d1'], ['d2'], [], 'dead2'),
        node('Relu', ['a'], ['y'], [], 'out'),
      ],
      inputs: ['x'],
      outputs: ['y'],
      initializers: { w1: f32([1], [1]), w2: f32([1], [2]), unused: f32([1], [3]) },
    });
    g.valueInfo.push({ name: 'd1' }, { name: 'a' });
    expect(removeDeadNodes(g)).toEqual({ nodes: 2, initializers: 2 });
    expect(g.nodes.map((n) => n.name)).toEqual(['live', 'out']);
    expect([...g.initializers.keys()]).toEqual(['w1']);
    expect(g.valueInfo.map((v) => v.name)).toEqual(['a']);
  });

  it('keeps a node whose output is read by an If branch, drops the branch-dead inner nodes', () => {
    const thenBranch = graph({
      name: 'then',
      nodes: [node('Relu', ['outerVal'], ['t'], [], 'innerLive'), node('Neg', ['onlyDeadReads'], ['junk'], [], 'innerDead')],
      outputs: ['t'],
    });
    const elseBranch = graph({ name: 'else', nodes: [], outputs: ['x'] });
    const g = graph({
      nodes: [
        node('Neg', ['x'], ['outerVal'], [], 'producer'),
        node('Neg', ['x'], ['onlyDeadReads'], [], 'feedsDeadInner'),
        node('If', ['cond'], ['y'], [attr.graph('then_branch', thenBranch), attr.graph('else_branch', elseBranch)], 'if'),
      ],
      inputs: ['cond', 'x'],
      outputs: ['y'],
    });
    expect(removeDeadNodes(g)).toEqual({ nodes: 2, initializers: 0 });
    expect(g.nodes.map((n) => n.name)).toEqual(['producer', 'if']);
    expect(thenBranch.nodes.map((n) => n.name)).toEqual(['innerLive']);
  });

  it('keeps initializers that are graph inputs, read by subgraphs, or graph outputs', () => {
    const branch = graph({ name: 'b', nodes: [node('Add', ['x', 'fromSub'], ['s'])], outputs: ['s'] });
    const g = graph({
      nodes: [node('If', ['cond'], ['y'], [attr.graph('then_branch', branch), attr.graph('else_branch', branch)])],
      inputs: ['cond', 'x', 'overridable'],
      outputs: ['y', 'direct'],
      initializers: { fromSub: f32([1]), overridable: f32([1]), direct: f32([1]), gone: f32([1]) },
    });
    expect(removeDeadNodes(g)).toEqual({ nodes: 0, initializers: 1 });
    expect([...g.initializers.keys()]).toEqual(['fromSub', 'overridable', 'direct']);
  });

  it('removes unused initializers of subgraphs', () => {
    const branch = graph({ name: 'b', nodes: [], outputs: ['x'], initializers: { stale: f32([2]) } });
    const g = graph({
      nodes: [node('If', ['cond'], ['y'], [attr.graph('then_branch', branch), attr.graph('else_branch', branch)])],
      inputs: ['cond', 'x'],
      outputs: ['y'],
    });
    expect(removeDeadNodes(g).initializers).toBe(1);
    expect(branch.initializers.size).toBe(0);
  });

  it('keeps a node with one live output among several', () => {
    const g = graph({ nodes: [node('Split', ['x'], ['a', 'b'], [], 'split')], inputs: ['x'], outputs: ['b'] });
    expect(removeDeadNodes(g).nodes).toBe(0);
  });

  it('terminates on a dead cycle and removes it', () => {
    const g = graph({
      nodes: [node('Relu', ['x'], ['y'], [], 'live'), node('Add', ['x', 'q'], ['p'], [], 'c1'), node('Relu', ['p'], ['q'], [], 'c2')],
      inputs: ['x'],
      outputs: ['y'],
    });
    expect(removeDeadNodes(g).nodes).toBe(2);
  });
});
