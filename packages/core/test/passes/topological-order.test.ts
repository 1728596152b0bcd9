import { describe, expect, it } from 'vitest';
import { QuantforgeError } from '../../src/errors/error.js';
import { sortGraph, topologicalOrder } from '../../src/passes/index.js';
import { attr, graph, node } from './helpers.js';

const names = (ns: { name: string }[]): string[] => ns.map((n) => n.name);

describe('topologicalOrder', () => {
  it('keeps a sorted graph in file order', () => {
    const g = graph({
      nodes: [node('Relu', ['x'], ['a'], [], 'a'), node('Relu', ['x'], ['b'], [], 'b'), node('Add', ['a', 'b'], ['y'], [], 'c')],
      inputs: ['x'],
      outputs: ['y'],
    });
    expect(names(topologicalOrder(g))).toEqual(['a', 'b', 'c']);
  });

  it('moves producers before consumers and keeps file order among ready nodes', () => {
    const g = graph({
      nodes: [
        node('Add', ['a', 'b'], ['y'], [], 'add'),
        node('Relu', ['x'], ['b'], [], 'rb'),
        node('Relu', ['x'], ['a'], [], 'ra'),
        node('Neg', ['x'], ['n'], [], 'neg'),
      ],
      inputs: ['x'],
      outputs: ['y', 'n'],
    });
    expect(names(topologicalOrder(g))).toEqual(['rb', 'ra', 'add', 'neg']);
  });

  it('treats outer values read inside an If branch as inputs of the If', () => {
    const thenBranch = graph({ name: 'then', nodes: [node('Relu', ['late'], ['t'], [], 'inner')], outputs: ['t'] });
    const elseBranch = graph({ name: 'else', nodes: [], outputs: ['x'] });
    const g = graph({
      nodes: [
        node('If', ['cond'], ['y'], [attr.graph('then_branch', thenBranch), attr.graph('else_branch', elseBranch)], 'if'),
        node('Neg', ['x'], ['late'], [], 'producer'),
      ],
      inputs: ['cond', 'x'],
      outputs: ['y'],
    });
    expect(names(topologicalOrder(g))).toEqual(['producer', 'if']);
  });

  it('sees reads in nested subgraphs', () => {
    const inner = graph({ name: 'inner', nodes: [node('Relu', ['deep'], ['r'], [], 'r')], outputs: ['r'] });
    const mid = graph({ name: 'mid', nodes: [node('If', ['c'], ['m'], [attr.graph('then_branch', inner), attr.graph('else_branch', inner)], 'innerIf')], outputs: ['m'] });
    const g = graph({
      nodes: [node('If', ['c'], ['y'], [attr.graph('then_branch', mid), attr.graph('else_branch', mid)], 'outerIf'), node('Neg', ['x'], ['deep'], [], 'p')],
      inputs: ['c', 'x'],
      outputs: ['y'],
    });
    expect(names(topologicalOrder(g))).toEqual(['p', 'outerIf']);
  });

  it('throws QF_GRAPH_CYCLE naming the nodes on the cycle', () => {
    const g = graph({
      nodes: [
        node('Relu', ['x'], ['pre'], [], 'pre'),
        node('Add', ['pre', 'c'], ['a'], [], 'A'),
        node('Relu', ['a'], ['b'], [], 'B'),
        node('Relu', ['b'], ['c'], [], 'C'),
        node('Relu', ['c'], ['y'], [], 'after'),
      ],
      inputs: ['x'],
      outputs: ['y'],
    });
    let error: unknown;
    try {
      topologicalOrder(g);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QuantforgeError);
    const qe = error as QuantforgeError;
    expect(qe.code).toBe('QF_GRAPH_CYCLE');
    expect([...(qe.details.cycle as string[])].sort()).toEqual(['A', 'B', 'C']);
    expect(qe.message).toContain('"B"');
  });

  it('detects a cycle that goes through a subgraph read', () => {
    const branch = graph({ name: 'b', nodes: [], outputs: ['loopback'] });
    const g = graph({
      nodes: [
        node('If', ['cond'], ['y'], [attr.graph('then_branch', branch), attr.graph('else_branch', branch)], 'if'),
        node('Relu', ['y'], ['loopback'], [], 'relu'),
      ],
      inputs: ['cond'],
      outputs: ['y'],
    });
    expect(() => topologicalOrder(g)).toThrow(expect.objectContaining({ code: 'QF_GRAPH_CYCLE' }));
  });

  it('reports a self loop', () => {
    const g = graph({ nodes: [node('Add', ['x', 's'], ['s'], [], 'self')], inputs: ['x'], outputs: ['s'] });
    expect(() => topologicalOrder(g)).toThrow(expect.objectContaining({ code: 'QF_GRAPH_CYCLE', details: expect.objectContaining({ cycle: ['self'] }) }));
  });

  it('rejects two producers of one value', () => {
    const g = graph({ nodes: [node('Relu', ['x'], ['y'], [], 'p1'), node('Neg', ['x'], ['y'], [], 'p2')], inputs: ['x'], outputs: ['y'] });
    expect(() => topologicalOrder(g)).toThrow(expect.objectContaining({ code: 'QF_GRAPH_DUPLICATE_VALUE' }));
  });
});

describe('sortGraph', () => {
  it('reorders nodes in place, subgraphs included', () => {
    const branch = graph({ name: 'then', nodes: [node('Relu', ['i'], ['o'], [], 'second'), node('Neg', ['x'], ['i'], [], 'first')], outputs: ['o'] });
    const g = graph({
      nodes: [node('Relu', ['a'], ['y'], [], 'consumer'), node('If', ['c'], ['a'], [attr.graph('then_branch', branch), attr.graph('else_branch', branch)], 'if')],
      inputs: ['c', 'x'],
      outputs: ['y'],
    });
    const nodes = g.nodes;
    sortGraph(g);
    expect(g.nodes).toBe(nodes);
    expect(names(g.nodes)).toEqual(['if', 'consumer']);
    expect(names(branch.nodes)).toEqual(['first', 'second']);
  });
});
