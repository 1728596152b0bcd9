import { describe, expect, it } from 'vitest';
import type { Model, QuantizedTensor } from '@quantforge/core';
import { CORTEX_M_PROFILES, checkCortexM, constrainCortexMPlan, lowerCortexM } from '../src/index.js';
import { act, attr, bias, f32, model, node, planFor, weight } from './helpers.js';

/** x[1,2,3,3] → Conv 2×2 (2 out) → Clip(0, 6) → Flatten → Gemm (transB, 3 out) → Softmax → z. */
function convNet(): Model {
  return model({
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], [attr.ints('kernel_shape', [2, 2])], 'conv'),
      node('Clip', ['c', 'lo', 'hi'], ['r'], [], 'relu6'),
      node('Flatten', ['r'], ['f'], [attr.int('axis', 1)], 'flatten'),
      node('Gemm', ['f', 'wf', 'bf'], ['y'], [attr.int('transB', 1)], 'fc'),
      node('Softmax', ['y'], ['z'], [], 'softmax'),
    ],
    inputs: [['x', 'float32', [1, 2, 3, 3]]],
    outputs: [['z', 'float32', [1, 3]]],
    initializers: {
      w: f32([2, 2, 2, 2], new Float32Array(16)), b: f32([2], [0, 0]), lo: f32([], [0]), hi: f32([], [6]),
      wf: f32([3, 8], new Float32Array(24)), bf: f32([3], [0, 0, 0]),
    },
  });
}

/** Hand-chosen encodings: every multiplier is a power of two, so (M, shift) are known exactly. */
function encodings(): Record<string, QuantizedTensor> {
  const r = act(0.25, -128);
  return {
    x: act(0.5, -1),
    w: weight([2, 2, 2, 2], Array.from({ length: 16 }, (_, i) => i), [0.25, 0.125]),
    b: bias([10, -20], [0.125, 0.0625]),
    r, f: r,
    wf: weight([3, 8], Array.from({ length: 24 }, (_, i) => (i % 8) + 10 * Math.floor(i / 8)), [0.5]),
    bf: bias([1, 2, 3], [0.125]),
    y: act(0.125, 5),
    z: act(1 / 256, -128),
  };
}

const m4 = CORTEX_M_PROFILES['cortex-m4'];

function lowered() {
  const m = convNet();
  const plan = constrainCortexMPlan(planFor(m), m, m4);
  return lowerCortexM({ model: m, plan, encodings: encodings(), profile: m4, diagnostics: checkCortexM(m, plan, m4) });
}

describe('lower', () => {
  const p = lowered();
  const [conv, fc, softmax] = p.ops;

  it('emits one kernel call per mapped node, with the Clip fused and the Flatten aliased', () => {
    expect(p.ops.map((o) => [o.node, o.kernel, o.fused])).toEqual([
      ['conv', 'arm_convolve_s8', ['relu6']],
      ['fc', 'arm_fully_connected_s8', []],
      ['softmax', 'arm_softmax_s8', []],
    ]);
    expect(fc!.inputs[0]).toBe(conv!.outputs[0]);
    expect(p.layout).toBe('NHWC');
  });

  it('derives per-channel multipliers and shifts, offsets and the Relu6 clamp by hand', () => {
    // eff = 0.5·0.25/0.25 = 0.5 = 2^30·2^(0−31); 0.5·0.125/0.25 = 0.25 = 2^30·2^(−1−31)
    expect(conv!.params).toMatchObject({
      multipliers: [2 ** 30, 2 ** 30], shifts: [0, -1], inputOffset: 1, outputOffset: -128,
      // Q(0) = −128, Q(6) = −128 + 6/0.25 = −104
      activationMin: -128, activationMax: -104,
      inputDims: [1, 3, 3, 2], filterDims: [2, 2, 2, 2], outputDims: [1, 2, 2, 2], padH: 0, padW: 0, strideH: 1, strideW: 1,
    });
    // per-tensor FC: float32(0.25·0.5)/0.125 = 1 = 2^30·2^(1−31)
    expect(fc!.params).toMatchObject({ multipliers: [2 ** 30], shifts: [1], inputOffset: 128, filterOffset: 0, outputOffset: 5, accumDepth: 8, outputDepth: 3 });
    // softmax: 0.125·2^26 = 2^23 → (2^30, 24); diff_min = −floor(31·2^26 / 2^24) = −124
    expect(softmax!.params).toMatchObject({ multiplier: 2 ** 30, shift: 24, diffMin: -124, numRows: 1, rowSize: 3 });
  });

  it('converts layouts: OIHW → OHWI conv weights, NCHW-flatten-ordered FC columns → NHWC order', () => {
    expect(Array.from(p.tensors[conv!.inputs[1]!]!.data!)).toEqual([0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15]);
    const fcw = Array.from(p.tensors[fc!.inputs[1]!]!.data!);
    expect(fcw.slice(0, 8)).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
    expect(fcw.slice(16, 24)).toEqual([20, 24, 21, 25, 22, 26, 23, 27]);
    expect(Array.from(p.tensors[conv!.inputs[2]!]!.data!)).toEqual([10, -20]);
  });

  it('plans the arena greedily: peak RAM 72 bytes for this chain on cortex-m4', () => {
    // x 18 B [op 0], conv scratch 2·align4(2·2·2)·2 = 32 B [op 0], r 8 B [ops 0–1], y 3 B [1–2], z 3 B [2]:
    // scratch at 0, x at 32, r at 64 (clashes with both), y at 0, z at 16 → high-water 72; live bound 18 + 32 + 8 = 58.
    expect(p.memory.arenaBytes).toBe(72);
    expect(p.memory.liveLowerBoundBytes).toBe(58);
    const at = Object.fromEntries(p.tensors.filter((t) => t.placement === 'arena').map((t) => [t.name, t.offset]));
    expect(at).toEqual({ x: 32, r: 64, 'conv:scratch': 0, y: 0, z: 16 });
  });

  it('sums flash: weights, biases, 4 bytes per integer parameter and the kernels’ code estimates', () => {
    // conv: 3 dims × 4 + 10 scalars + 2 multipliers + 2 shifts + groups = 27 integers; FC 10; softmax 5 → 42 × 4 = 168
    expect(p.memory.flash).toEqual({ weightsBytes: 16 + 24, biasBytes: 8 + 12, paramsBytes: 168, codeBytes: 2600 + 1000 + 900, totalBytes: 4728 });
    expect(p.memory.fits).toEqual({ part: 'ST STM32F446RE', ramBytes: 131072, flashBytes: 524288, ram: true, flash: true });
  });

  it('refuses weights that break the TFLite spec', () => {
    const m = convNet();
    const plan = constrainCortexMPlan(planFor(m), m, m4);
    const bad = encodings();
    (bad.w!.codes!.data as Int8Array)[0] = -128;
    expect(() => lowerCortexM({ model: m, plan, encodings: bad, profile: m4, diagnostics: [] })).toThrow(expect.objectContaining({ code: 'QF_TARGET_CONSTRAINT' }));
  });
});
