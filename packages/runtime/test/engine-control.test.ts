import { tensor, type Graph, type Node, type Tensor, type ValueInfo } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/engine/index.js';
import { makeModel, makeNode } from './linear-helpers.js';

// The engine with the real If and Loop kernels: bodies read values of the enclosing scopes (two levels deep), and
// those values stay alive until the node owning the body has run.

const f32 = (v: number[]): Tensor => tensor('float32', [v.length], Float32Array.from(v));
const vi = (name: string, elemType: 'float32' | 'int64' | 'bool', shape: number[] = []): ValueInfo => ({ name, type: { kind: 'tensor', elemType, shape } });
const body = (name: string, nodes: Node[], inputs: ValueInfo[], outputs: string[]): Graph => ({
  name, nodes, inputs, outputs: outputs.map((n) => ({ name: n })), valueInfo: [], initializers: new Map(), sparseInitializers: [],
});
const withGraphs = (node: Node, graphs: Record<string, Graph>): Node => ({
  ...node,
  attributes: Object.entries(graphs).map(([name, value]) => ({ name, type: 'graph' as const, value })),
});

function model() {
  // a = -x; v = Loop(3 times){ v += If(c){ a + a } else { a } }; y = v + x
  const thenB = body('then', [makeNode('Add', ['a', 'a'], ['t'], {}, 'then_add')], [], ['t']);
  const elseB = body('else', [makeNode('Identity', ['a'], ['e'], {}, 'else_id')], [], ['e']);
  const loopBody = body('loop', [
    withGraphs(makeNode('If', ['c'], ['step'], {}, 'inner_if'), { then_branch: thenB, else_branch: elseB }),
    makeNode('Add', ['v_in', 'step'], ['v_out'], {}, 'acc'),
    makeNode('Identity', ['cond_in'], ['cond_out'], {}, 'keep_going'),
  ], [vi('iter', 'int64'), vi('cond_in', 'bool'), vi('v_in', 'float32', [2])], ['cond_out', 'v_out']);
  const nodes = [
    makeNode('Neg', ['x'], ['a'], {}, 'neg'),
    withGraphs(makeNode('Loop', ['M', '', 'x'], ['v'], {}, 'loop'), { body: loopBody }),
    makeNode('Add', ['v', 'x'], ['y'], {}, 'out'),
  ];
  return makeModel(nodes, [vi('x', 'float32', [2]), vi('M', 'int64'), vi('c', 'bool')], [vi('y', 'float32', [2])], {}, 13);
}

describe('engine with If and Loop kernels', () => {
  const exec = createExecutor(model());
  const run = (c: boolean): number[] =>
    Array.from(exec.run({ x: f32([1, 2]), M: tensor('int64', [], BigInt64Array.of(3n)), c: tensor('bool', [], Uint8Array.of(c ? 1 : 0)) }).y!.data as Float32Array);

  it('then-branch: y = x + 3 * (2a) + x with a = -x', () => {
    expect(run(true)).toEqual([-4, -8]);
  });

  it('else-branch: y = x + 3a + x', () => {
    expect(run(false)).toEqual([-1, -2]);
  });

  it('a kernel failure inside a body names the innermost node', () => {
    const bad = model();
    const loopNode = bad.graph.nodes[1]!;
    const loopBody = (loopNode.attributes[0] as { value: Graph }).value;
    loopBody.nodes[1] = makeNode('Conv', ['v_in', 'step'], ['v_out'], {}, 'bad_conv');
    const e = createExecutor(bad);
    expect(() => e.run({ x: tensor('float32', [2], Float32Array.of(1, 2)), M: tensor('int64', [], BigInt64Array.of(1n)), c: tensor('bool', [], Uint8Array.of(1)) })).toThrow(
      expect.objectContaining({ code: 'QF_RUNTIME_KERNEL', details: expect.objectContaining({ node: 'bad_conv', opType: 'Conv' }) }),
    );
  });
});
