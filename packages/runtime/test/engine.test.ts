import { QuantforgeError, tensor, type Graph, type Node, type Tensor } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { createExecutor, unsupportedOps } from '../src/engine/index.js';
import type { Kernel, KernelTable } from '../src/kernels/types.js';
import { makeModel, makeNode } from './linear-helpers.js';

const f32 = (v: number[], dims = [v.length]): Tensor => tensor('float32', dims, Float32Array.from(v));
const vals = (t: Tensor | undefined): number[] => Array.from(t!.data as Float32Array);
const io = (name: string, shape: (number | string)[] = ['n']) => ({ name, type: { kind: 'tensor' as const, elemType: 'float32' as const, shape } });

function counting(): { table: KernelTable; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const count = (op: string, k: Kernel): Kernel => (inputs, ctx) => {
    calls[op] = (calls[op] ?? 0) + 1;
    return k(inputs, ctx);
  };
  const table: KernelTable = {
    Add: count('Add', ([a, b]) => [f32(vals(a).map((v, i) => v + vals(b)[i]!), a!.dims)]),
    Neg: count('Neg', ([a]) => [f32(vals(a).map((v) => -v), a!.dims)]),
    Constant: count('Constant', (_, ctx) => [f32([Number((ctx.node.attributes[0] as { value: number }).value)], [1])]),
    Boom: () => {
      throw new Error('kernel exploded');
    },
    // Runs its `body` subgraph with no feeds and returns its outputs (an If with a constant-true condition).
    Branch: count('Branch', (_, ctx) => ctx.runSubgraph((ctx.node.attributes[0] as { value: Graph }).value, new Map())),
  };
  return { table, calls };
}

function subgraph(nodes: Node[], outputs: string[]): Graph {
  return { name: 'body', nodes, inputs: [], outputs: outputs.map((n) => ({ name: n })), valueInfo: [], initializers: new Map(), sparseInitializers: [] };
}

describe('Executor', () => {
  it('runs nodes in dependency order regardless of file order', () => {
    const { table } = counting();
    const model = makeModel(
      [makeNode('Add', ['t', 'x'], ['y'], {}, 'second'), makeNode('Neg', ['x'], ['t'], {}, 'first')],
      [io('x')], [io('y')],
    );
    const out = createExecutor(model, { kernels: { '': table } }).run({ x: f32([1, 2]) });
    expect(vals(out.y)).toEqual([0, 0]);
  });

  it('frees intermediates after their last reader (a long chain keeps few values alive)', () => {
    const { table } = counting();
    const nodes: Node[] = [];
    for (let i = 0; i < 50; i++) nodes.push(makeNode('Neg', [i === 0 ? 'x' : `v${i - 1}`], [`v${i}`], {}, `n${i}`));
    const model = makeModel(nodes, [io('x')], [io('v49')]);
    const exec = createExecutor(model, { kernels: { '': table } });
    const out = exec.run({ x: f32([3]) });
    expect(vals(out.v49)).toEqual([3]);
    expect(exec.lastRun.nodes).toBe(50);
    expect(exec.lastRun.peakLiveValues).toBeLessThanOrEqual(3);
  });

  it('exposes any intermediate value and runs only the nodes it needs', () => {
    const { table, calls } = counting();
    const model = makeModel(
      [makeNode('Neg', ['x'], ['a'], {}, 'na'), makeNode('Neg', ['a'], ['b'], {}, 'nb'), makeNode('Add', ['b', 'x'], ['y'], {}, 'add')],
      [io('x')], [io('y')],
    );
    const exec = createExecutor(model, { kernels: { '': table } });
    const out = exec.run({ x: f32([5]) }, { outputs: ['a', 'x'] });
    expect(Object.keys(out).sort()).toEqual(['a', 'x']);
    expect(vals(out.a)).toEqual([-5]);
    expect(calls).toEqual({ Neg: 1 });
    const seen: string[] = [];
    exec.run({ x: f32([5]) }, { onValue: (name) => seen.push(name) });
    expect(seen).toEqual(['a', 'b', 'y']);
    expect(() => exec.run({ x: f32([5]) }, { outputs: ['nope'] })).toThrow(/not a value/);
  });

  it('lets subgraphs read values of the enclosing scope (and keeps them alive for it)', () => {
    const { table } = counting();
    const body = subgraph([makeNode('Add', ['a', 'a'], ['twice'], {}, 'inner')], ['twice']);
    const branch: Node = { ...makeNode('Branch', [], ['b'], {}, 'branch'), attributes: [{ name: 'body', type: 'graph', value: body }] };
    const model = makeModel([makeNode('Neg', ['x'], ['a'], {}, 'neg'), branch, makeNode('Add', ['b', 'x'], ['y'], {}, 'add')], [io('x')], [io('y')]);
    const out = createExecutor(model, { kernels: { '': table } }).run({ x: f32([2, 3]) });
    expect(vals(out.y)).toEqual([-2, -3]);
  });

  it('evaluates Constant nodes once and hands out copies of shared values', () => {
    const { table, calls } = counting();
    const c: Node = { ...makeNode('Constant', [], ['c'], {}, 'const'), attributes: [{ name: 'value_float', type: 'float', value: 4 }] };
    const model = makeModel([c, makeNode('Add', ['x', 'c'], ['y'], {}, 'add')], [io('x', [1])], [io('y', [1]), { name: 'c' }]);
    const exec = createExecutor(model, { kernels: { '': table } });
    const first = exec.run({ x: f32([1]) });
    (first.c!.data as Float32Array)[0] = 99;
    const second = exec.run({ x: f32([1]) });
    expect(vals(second.y)).toEqual([5]);
    expect(vals(second.c)).toEqual([4]);
    expect(calls.Constant).toBe(1);
  });

  it('uses initializers for inputs that are not fed, and feeds override them', () => {
    const { table } = counting();
    const model = makeModel([makeNode('Add', ['x', 'w'], ['y'])], [io('x'), io('w')], [io('y')], { w: f32([10, 20]) });
    const exec = createExecutor(model, { kernels: { '': table } });
    expect(exec.inputNames).toEqual(['x']);
    expect(vals(exec.run({ x: f32([1, 2]) }).y)).toEqual([11, 22]);
    expect(vals(exec.run({ x: f32([1, 2]), w: f32([0, 0]) }).y)).toEqual([1, 2]);
  });
});

describe('feed validation', () => {
  const { table } = counting();
  const model = makeModel([makeNode('Neg', ['x'], ['y'])], [io('x', ['batch', 3])], [io('y')]);
  const exec = createExecutor(model, { kernels: { '': table } });
  const code = (f: () => unknown): { code: string; input: unknown } => {
    try {
      f();
    } catch (e) {
      return { code: (e as QuantforgeError).code, input: (e as QuantforgeError).details.input };
    }
    return { code: 'none', input: undefined };
  };

  it('accepts any size for a symbolic dim', () => {
    expect(exec.run({ x: f32([1, 2, 3, 4, 5, 6], [2, 3]) }).y!.dims).toEqual([2, 3]);
  });
  it('rejects a missing input', () => expect(code(() => exec.run({}))).toEqual({ code: 'QF_RUNTIME_INPUT', input: 'x' }));
  it('rejects a wrong dtype', () => expect(code(() => exec.run({ x: tensor('int32', [1, 3]) }))).toEqual({ code: 'QF_RUNTIME_INPUT', input: 'x' }));
  it('rejects a wrong rank', () => expect(code(() => exec.run({ x: f32([1, 2, 3]) }))).toEqual({ code: 'QF_RUNTIME_INPUT', input: 'x' }));
  it('rejects a wrong fixed dim', () => expect(code(() => exec.run({ x: f32([1, 2, 3, 4], [1, 4]) }))).toEqual({ code: 'QF_RUNTIME_INPUT', input: 'x' }));
  it('rejects an unknown feed name', () => expect(code(() => exec.run({ x: f32([1, 2, 3], [1, 3]), z: f32([1]) }))).toEqual({ code: 'QF_RUNTIME_INPUT', input: 'z' }));
  it('rejects a malformed tensor', () => {
    expect(code(() => exec.run({ x: { dtype: 'float32', dims: [1, 3], data: new Float32Array(2) } }))).toEqual({ code: 'QF_RUNTIME_INPUT', input: 'x' });
  });
});

describe('errors', () => {
  it('wraps kernel failures as QF_RUNTIME_KERNEL naming the node and op', () => {
    const { table } = counting();
    const model = makeModel([makeNode('Boom', ['x'], ['y'], {}, 'the_bomb')], [io('x')], [io('y')]);
    try {
      createExecutor(model, { kernels: { '': table } }).run({ x: f32([1]) });
      expect.unreachable();
    } catch (e) {
      const err = e as QuantforgeError;
      expect(err.code).toBe('QF_RUNTIME_KERNEL');
      expect(err.message).toContain('the_bomb');
      expect(err.message).toContain('Boom');
      expect(err.details).toMatchObject({ node: 'the_bomb', opType: 'Boom' });
    }
  });

  it('real kernels report bad operands through QF_RUNTIME_KERNEL too', () => {
    const model = makeModel([makeNode('MatMul', ['a', 'b'], ['y'])], [io('a', [2, 3]), io('b', [2, 3])], [io('y')]);
    expect(() => createExecutor(model).run({ a: f32([1, 2, 3, 4, 5, 6], [2, 3]), b: f32([1, 2, 3, 4, 5, 6], [2, 3]) })).toThrow(
      expect.objectContaining({ code: 'QF_RUNTIME_KERNEL', details: expect.objectContaining({ opType: 'MatMul' }) }),
    );
  });

  it('lists every unsupported op up front, including subgraphs and foreign domains, before running anything', () => {
    const { table, calls } = counting();
    const body = subgraph([makeNode('Frobnicate', ['x'], ['z'], {}, 'deep')], ['z']);
    const branch: Node = { ...makeNode('Branch', [], ['b'], {}, 'branch'), attributes: [{ name: 'body', type: 'graph', value: body }] };
    const ms: Node = { ...makeNode('FusedGemm', ['x'], ['m'], {}, 'contrib'), domain: 'com.microsoft' };
    const model = makeModel([makeNode('Neg', ['x'], ['a']), branch, ms, makeNode('Mystery', ['a'], ['y'], {}, 'm1')], [io('x')], [io('y')]);
    const list = unsupportedOps(model, { '': table });
    expect(list).toEqual([
      { opType: 'Frobnicate', domain: '', nodes: ['deep'] },
      { opType: 'Mystery', domain: '', nodes: ['m1'] },
      { opType: 'FusedGemm', domain: 'com.microsoft', nodes: ['contrib'] },
    ]);
    expect(() => createExecutor(model, { kernels: { '': table } })).toThrow(expect.objectContaining({ code: 'QF_OP_UNSUPPORTED' }));
    expect(calls).toEqual({});
  });

  it('treats ai.onnx as the default domain', () => {
    const { table } = counting();
    const model = makeModel([{ ...makeNode('Neg', ['x'], ['y']), domain: 'ai.onnx' }], [io('x')], [io('y')]);
    expect(unsupportedOps(model, { '': table })).toEqual([]);
    expect(vals(createExecutor(model, { kernels: { '': table } }).run({ x: f32([1]) }).y)).toEqual([-1]);
  });

  it('rejects dangling references and cycles when the executor is built', () => {
    const { table } = counting();
    const dangling = makeModel([makeNode('Neg', ['ghost'], ['y'])], [io('x')], [io('y')]);
    expect(() => createExecutor(dangling, { kernels: { '': table } })).toThrow(expect.objectContaining({ code: 'QF_GRAPH_DANGLING_VALUE' }));
    const cyclic = makeModel([makeNode('Add', ['x', 'b'], ['a'], {}, 'p'), makeNode('Neg', ['a'], ['b'], {}, 'q')], [io('x')], [io('a')]);
    expect(() => createExecutor(cyclic, { kernels: { '': table } })).toThrow(expect.objectContaining({ code: 'QF_GRAPH_CYCLE' }));
  });
});
