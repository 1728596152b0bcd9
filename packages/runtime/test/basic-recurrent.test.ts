import { describe, expect, it } from 'vitest';
import type { Graph, Tensor } from '@quantforge/core';
import { attr, bool, f32, i32, i64, mismatch, run, values } from './basic-helpers.js';

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

// One hidden unit, one input feature, R = 0 so each step's gates depend only on x_t: gate pre-activation = 0.5 * x_t.
const W = f32([1, 4, 1], [0.5, 0.5, 0.5, 0.5]);
const R0 = f32([1, 4, 1], [0, 0, 0, 0]);
const X = f32([2, 1, 1], [1, 2]);

/** Reference cell with gates all equal to g (i = o = f = sigmoid(g)), optionally coupled forget gate. */
function step(cPrev: number, g: number, coupled = false): [number, number] {
  const i = sig(g);
  const f = coupled ? 1 - i : sig(g);
  const c = f * cPrev + i * Math.tanh(g);
  return [sig(g) * Math.tanh(c), c];
}

describe('LSTM', () => {
  it('forward: Y, Y_h and Y_c follow the ONNX equations', () => {
    const [y, yh, yc] = run('LSTM', [X, W, R0], { hidden_size: attr.int(1) }, { opset: 14, outputs: 3 });
    const [h1, c1] = step(0, 0.5);
    const [h2, c2] = step(c1, 1);
    expect(y!.dims).toEqual([2, 1, 1, 1]);
    expect(mismatch(values(y!), [h1, h2])).toBe('');
    expect(mismatch(values(yh!), [h2])).toBe('');
    expect(mismatch(values(yc!), [c2])).toBe('');
  });

  it('reverse and bidirectional walk the sequence backwards in the second direction', () => {
    const [hr1, cr1] = step(0, 1);
    const [hr2] = step(cr1, 0.5);
    const [y] = run('LSTM', [X, W, R0], { hidden_size: attr.int(1), direction: attr.str('reverse') }, { opset: 14 });
    expect(mismatch(values(y!), [hr2, hr1])).toBe('');
    const W2 = f32([2, 4, 1], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const R2 = f32([2, 4, 1], new Array(8).fill(0));
    const [yb, yhb] = run('LSTM', [X, W2, R2], { hidden_size: attr.int(1), direction: attr.str('bidirectional') }, { opset: 14, outputs: 2 });
    const [h1, c1] = step(0, 0.5);
    const [h2] = step(c1, 1);
    expect(yb!.dims).toEqual([2, 2, 1, 1]);
    expect(mismatch(values(yb!), [h1, hr2, h2, hr1])).toBe('');
    expect(mismatch(values(yhb!), [h2, hr2])).toBe('');
  });

  it('sequence_lens stops short sequences and zeroes their Y; initial_h/initial_c and bias are used', () => {
    const x = f32([2, 2, 1], [1, 1, 2, 2]);
    const b = f32([1, 8], [0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
    const h0 = f32([1, 2, 1], [0, 0]);
    const c0 = f32([1, 2, 1], [0.5, 0.5]);
    const [y, yh, yc] = run('LSTM', [x, W, R0, b, i32([2], [2, 1]), h0, c0], { hidden_size: attr.int(1) }, { opset: 14, outputs: 3 });
    const [h1, c1] = step(0.5, 1);
    const [h2, c2] = step(c1, 1.5);
    expect(mismatch(values(y!), [h1, h1, h2, 0])).toBe('');
    expect(mismatch(values(yh!), [h2, h1])).toBe('');
    expect(mismatch(values(yc!), [c2, c1])).toBe('');
  });

  it('input_forget couples f = 1 - i, and clip bounds the gate pre-activations', () => {
    const [, yh] = run('LSTM', [X, W, R0], { hidden_size: attr.int(1), input_forget: attr.int(1) }, { opset: 14, outputs: 2 });
    const [, c1] = step(0, 0.5, true);
    const [h2] = step(c1, 1, true);
    expect(mismatch(values(yh!), [h2])).toBe('');
    const [, yhc] = run('LSTM', [X, W, R0], { hidden_size: attr.int(1), clip: attr.float(0.1) }, { opset: 14, outputs: 2 });
    const [, k1] = step(0, 0.1);
    const [k2] = step(k1, 0.1);
    expect(mismatch(values(yhc!), [k2])).toBe('');
  });

  it('layout 1 takes batch-major X and returns batch-major outputs', () => {
    const x = f32([2, 2, 1], [1, 2, 1, 2]);
    const [y] = run('LSTM', [x, W, R0], { hidden_size: attr.int(1), layout: attr.int(1) }, { opset: 14 });
    const [h1, c1] = step(0, 0.5);
    const [h2] = step(c1, 1);
    expect(y!.dims).toEqual([2, 2, 1, 1]);
    expect(mismatch(values(y!), [h1, h2, h1, h2])).toBe('');
  });
});

describe('GRU and RNN', () => {
  const Wg = f32([1, 3, 1], [0.5, 0.5, 0.5]);
  const Rg = f32([1, 3, 1], [0, 0, 1]);
  const Bg = f32([1, 6], [0, 0, 0, 0, 0, 1]);
  const h0 = f32([1, 1, 1], [1]);
  const x1 = f32([1, 1, 1], [1]);

  it('GRU candidate differs with linear_before_reset exactly as the two ONNX formulas say', () => {
    const z = sig(0.5);
    const r = sig(0.5);
    const [, yh] = run('GRU', [x1, Wg, Rg, Bg, undefined, h0], { hidden_size: attr.int(1) }, { opset: 14, outputs: 2 });
    expect(mismatch(values(yh!), [(1 - z) * Math.tanh(0.5 + r * 1 + 1) + z])).toBe('');
    const [, yl] = run('GRU', [x1, Wg, Rg, Bg, undefined, h0], { hidden_size: attr.int(1), linear_before_reset: attr.int(1) }, { opset: 14, outputs: 2 });
    expect(mismatch(values(yl!), [(1 - z) * Math.tanh(0.5 + r * (1 + 1)) + z])).toBe('');
  });

  it('RNN uses Tanh by default and feeds the hidden state back through R', () => {
    const [y, yh] = run('RNN', [X, f32([1, 1, 1], [0.5]), f32([1, 1, 1], [2])], { hidden_size: attr.int(1) }, { opset: 14, outputs: 2 });
    const h1 = Math.tanh(0.5);
    const h2 = Math.tanh(1 + 2 * h1);
    expect(mismatch(values(y!), [h1, h2])).toBe('');
    expect(mismatch(values(yh!), [h2])).toBe('');
    const [, yr] = run('RNN', [X, f32([1, 1, 1], [0.5]), f32([1, 1, 1], [2])], { hidden_size: attr.int(1), activations: attr.strs(['Relu']) }, { opset: 14, outputs: 2 });
    expect(mismatch(values(yr!), [1 + 2 * 0.5])).toBe('');
  });
});

describe('Loop', () => {
  const body: Graph = {
    name: 'body', nodes: [], valueInfo: [], initializers: new Map(), sparseInitializers: [],
    inputs: [{ name: 'i' }, { name: 'c' }, { name: 'acc' }],
    outputs: [{ name: 'c_out' }, { name: 'acc_out' }, { name: 'scan' }],
  };
  const runSubgraph = (_g: Graph, feeds: ReadonlyMap<string, Tensor>): Tensor[] => {
    const i = Number((feeds.get('i')!.data as BigInt64Array)[0]);
    const acc = (feeds.get('acc')!.data as Float32Array)[0]!;
    return [bool([], [acc + i < 10]), f32([], [acc + i]), f32([1], [i * 10])];
  };

  it('runs M iterations, carries values and stacks scan outputs', () => {
    const [acc, scan] = run('Loop', [i64([], [3]), bool([], [true]), f32([], [0])], { body: attr.graph(body) }, { opset: 13, outputs: 2, runSubgraph });
    expect(values(acc!)).toEqual([3]);
    expect([scan!.dims, values(scan!)]).toEqual([[3, 1], [0, 10, 20]]);
  });

  it('stops when the body returns a false condition', () => {
    const [acc] = run('Loop', [undefined, bool([], [true]), f32([], [5])], { body: attr.graph(body) }, { opset: 13, outputs: 2, runSubgraph });
    // 5 -> 5 -> 6 -> 8 -> 11 (cond false after 11 >= 10)
    expect(values(acc!)).toEqual([11]);
    expect(() => run('Loop', [undefined, undefined, f32([], [0])], { body: attr.graph(body) }, { opset: 13, runSubgraph })).toThrow(/never ends/);
  });

  it('ignores the body condition when the node has no cond input', () => {
    const [acc] = run('Loop', [i64([], [6]), undefined, f32([], [5])], { body: attr.graph(body) }, { opset: 13, outputs: 2, runSubgraph });
    expect(values(acc!)).toEqual([5 + 0 + 1 + 2 + 3 + 4 + 5]);
  });
});

describe('Scan', () => {
  const body: Graph = {
    name: 'body', nodes: [], valueInfo: [], initializers: new Map(), sparseInitializers: [],
    inputs: [{ name: 'sum_in' }, { name: 'x' }],
    outputs: [{ name: 'sum_out' }, { name: 'scan_out' }],
  };
  const runSubgraph = (_g: Graph, feeds: ReadonlyMap<string, Tensor>): Tensor[] => {
    const s = feeds.get('sum_in')!.data as Float32Array;
    const x = feeds.get('x')!.data as Float32Array;
    const next = f32([2], [s[0]! + x[0]!, s[1]! + x[1]!]);
    return [next, next];
  };
  const init = f32([2], [0, 0]);
  const xs = f32([3, 2], [1, 2, 3, 4, 5, 6]);

  it('carries the state and stacks per-step outputs (opset 9+)', () => {
    const [sum, out] = run('Scan', [init, xs], { body: attr.graph(body), num_scan_inputs: attr.int(1) }, { opset: 11, outputs: 2, runSubgraph });
    expect(values(sum!)).toEqual([9, 12]);
    expect([out!.dims, values(out!)]).toEqual([[3, 2], [1, 2, 4, 6, 9, 12]]);
  });

  it('honours scan_input_directions, scan_input_axes and scan_output_directions', () => {
    const attrs = { body: attr.graph(body), num_scan_inputs: attr.int(1) };
    const [, rev] = run('Scan', [init, xs], { ...attrs, scan_input_directions: attr.ints([1]) }, { opset: 11, outputs: 2, runSubgraph });
    expect(values(rev!)).toEqual([5, 6, 8, 10, 9, 12]);
    const [, byAxis] = run('Scan', [init, f32([2, 3], [1, 3, 5, 2, 4, 6])], { ...attrs, scan_input_axes: attr.ints([1]) }, { opset: 11, outputs: 2, runSubgraph });
    expect(values(byAxis!)).toEqual([1, 2, 4, 6, 9, 12]);
    const [, outRev] = run('Scan', [init, xs], { ...attrs, scan_output_directions: attr.ints([1]) }, { opset: 11, outputs: 2, runSubgraph });
    expect(values(outRev!)).toEqual([9, 12, 4, 6, 1, 2]);
  });
});

describe('If', () => {
  const branch = (name: string): Graph => ({ name, nodes: [], inputs: [], outputs: [{ name }], valueInfo: [], initializers: new Map(), sparseInitializers: [] });

  it('runs then_branch or else_branch with empty feeds and returns its outputs', () => {
    const calls: string[] = [];
    const runSubgraph = (g: Graph, feeds: ReadonlyMap<string, unknown>) => {
      calls.push(`${g.name}:${feeds.size}`);
      return [f32([1], [g.name === 'then' ? 1 : 2])];
    };
    const attrs = { then_branch: attr.graph(branch('then')), else_branch: attr.graph(branch('else')) };
    expect(values(run('If', [bool([], [true])], attrs, { runSubgraph })[0]!)).toEqual([1]);
    expect(values(run('If', [bool([1], [false])], attrs, { runSubgraph })[0]!)).toEqual([2]);
    expect(calls).toEqual(['then:0', 'else:0']);
    expect(() => run('If', [bool([2], [true, false])], attrs, { runSubgraph })).toThrow(/one element/);
  });
});
