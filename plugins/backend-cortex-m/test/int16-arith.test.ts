// int16x8 arithmetic and kernels on hand-computed vectors (TFLite's int64 MultiplyByQuantizedMultiplier with the
// reduced 16-bit multiplier, int64 accumulation, the int16 pooling rounding), plus the int16x8 profiles, plan shaping,
// check verdicts and the lowering of int64 biases.
import { describe, expect, it } from 'vitest';
import { tensor, validateProfile, type AffineEncoding, type Model, type QuantizedTensor } from '@quantforge/core';
import { addParams, multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierInt64 } from '../src/arith/index.js';
import { addS16, avgPoolS16, convS16, fullyConnectedS16, maxPoolS16, mulS16 } from '../src/kernels/index.js';
import {
  CORTEX_M_INT16X8_PROFILES, CORTEX_M_PROFILES, activationBits, checkCortexM, constrainCortexMPlan, cortexMInt16x8Plugin, lowerCortexM, simulateCortexM,
} from '../src/index.js';
import { attr, f32, model, node, planFor, weight } from './helpers.js';
import { smallNet } from './models.js';

const FULL = { min: -32768, max: 32767 };
const m4 = CORTEX_M_INT16X8_PROFILES['cortex-m4-int16x8'];

describe('int64 MultiplyByQuantizedMultiplier (reduced multiplier, one rounding)', () => {
  it.each([
    // x, M, shift, expected: M = 2^30 reduces to 2^14, so the result is round-half-up(x · 2^(shift−1)).
    [1000, 2 ** 30, 0, 500], [3, 2 ** 30, 0, 2], [-3, 2 ** 30, 0, -1], [-1, 2 ** 30, 0, 0],
    // 1518500250 reduces to (M + 2^15) >> 16 = 23170: 1000 · 23170 / 2^20 = 22.1 → 22.
    [1000, 1518500250, -5, 22], [-1000, 1518500250, -5, -22],
    // Beyond int32: 3 · 2^35 · 2^14 / 2^25 = 3 · 2^24.
    [3 * 2 ** 35, 2 ** 30, -10, 50331648],
    // 2^40 · 23170 / 2^20 = 24295505920 does not fit int32: the cast wraps, as in C.
    [2 ** 40, 1518500250, -5, -1474297856],
    // Multipliers at or above 0x7FFF0000 saturate to 0x7FFF: 2^15 · 0x7FFF / 2^15.
    [32768, 0x7fff0000, 0, 32767], [32768, 0x7fffffff, 0, 32767],
  ])('MBQM64(%d, %d, %d) = %d', (x, m, s, want) => {
    expect(multiplyByQuantizedMultiplierInt64(x, m, s)).toBe(want);
    expect(multiplyByQuantizedMultiplierInt64(BigInt(x), m, s)).toBe(want);
  });

  it('rounds ties toward +∞ once, where the int32 double-rounding path rounds −0.5 away from zero', () => {
    expect(multiplyByQuantizedMultiplierInt64(-2, 2 ** 30, -1)).toBe(0);
    expect(multiplyByQuantizedMultiplier(-2, 2 ** 30, -1, 'double')).toBe(-1);
  });

  it('rejects accumulators outside [−2^47, 2^47) and shifts ≥ 8', () => {
    expect(() => multiplyByQuantizedMultiplierInt64(2 ** 47, 2 ** 30, 0)).toThrow(/2\^47/);
    expect(() => multiplyByQuantizedMultiplierInt64(1, 2 ** 30, 8)).toThrow();
  });
});

describe('int16x8 kernels on hand-computed vectors', () => {
  it('conv: int64 accumulation with an int64 bias, requantization and the clamp', () => {
    // Channel 0: 4 · 127 · 32767 + 2^36 = 68736122372 → · 2^−11 = 33562560 → clamped to 20000.
    // Channel 1: −127·30000 − 30000 + 0 + 2·2 − 2^33 = −8593774588 → · 2^−21 = −4097.6 → −4098 (half up).
    const y = convS16({
      input: Int16Array.of(32767, 30000, 32767, -30000, 32767, 1000, 32767, 2), inputDims: { n: 1, h: 2, w: 2, c: 2 },
      filter: Int8Array.of(127, 0, 127, 0, 127, 0, 127, 0, 0, -127, 0, 1, 0, 0, 0, 2), filterDims: { n: 2, h: 2, w: 2, c: 2 },
      bias: BigInt64Array.of(2n ** 36n, -(2n ** 33n)), outputDims: { n: 1, h: 1, w: 1, c: 2 },
      stride: { h: 1, w: 1 }, padding: { h: 0, w: 0 }, activation: { min: -32768, max: 20000 },
      quant: { multipliers: Int32Array.of(2 ** 30, 2 ** 30), shifts: Int32Array.of(-10, -20) },
    });
    expect(Array.from(y)).toEqual([20000, -4098]);
  });

  it('fully connected: 3·100 − 4·50 = 100, · 2^−4 = 6.25 → 6; per-channel second output −(100·2^−1) = −50', () => {
    const y = fullyConnectedS16({
      input: Int16Array.of(100, -50), batches: 1, accumDepth: 2, filter: Int8Array.of(3, 4, -3, -4), outputDepth: 2, activation: FULL,
      quant: { multipliers: Int32Array.of(2 ** 30, 2 ** 30), shifts: Int32Array.of(-3, 0) },
    });
    expect(Array.from(y)).toEqual([6, -50]);
  });

  it('average pool rounds half away from zero (TFLM int16), max pool starts at −32768', () => {
    const args = { inputDims: { n: 1, h: 1, w: 3, c: 1 }, filter: { h: 1, w: 2 }, stride: { h: 1, w: 1 }, padding: { h: 0, w: 0 }, outputDims: { n: 1, h: 1, w: 2, c: 1 }, activation: FULL };
    expect(Array.from(avgPoolS16({ ...args, input: Int16Array.of(-1, -2, 5) }))).toEqual([-2, 2]); // −1.5 → −2, 1.5 → 2
    expect(Array.from(avgPoolS16({ ...args, input: Int16Array.of(-32768, -32767, -32767) }))).toEqual([-32768, -32767]);
    expect(Array.from(maxPoolS16({ ...args, input: Int16Array.of(-32768, -32768, -5) }))).toEqual([-32768, -5]);
    expect(Array.from(maxPoolS16({ ...args, input: Int16Array.of(9, 3, -5), activation: { min: 0, max: 4 } }))).toEqual([4, 3]);
  });
});

describe('int16 Add (left shift 15) and Mul', () => {
  it('adds 1000 + 2000 = 3000 at equal scales 2^−10 (M = 2^30 and shifts 0, 0, −13)', () => {
    const q = { scale: 2 ** -10, zeroPoint: 0 };
    const p = addParams(q, q, q, { leftShift: 15 });
    expect([p.input1Multiplier, p.input1Shift, p.outputMultiplier, p.outputShift]).toEqual([2 ** 30, 0, 2 ** 30, -13]);
    expect(Array.from(addS16({ input1: Int16Array.of(1000, -7), input2: Int16Array.of(2000, 7), activation: FULL, params: p }))).toEqual([3000, 0]);
  });

  it('rounds an exact half of the output scale away from zero (double rounding): 0 + ±1 · 2^−11 at output scale 2^−10', () => {
    const p = addParams({ scale: 2 ** -10, zeroPoint: 0 }, { scale: 2 ** -11, zeroPoint: 0 }, { scale: 2 ** -10, zeroPoint: 0 }, { leftShift: 15 });
    expect(Array.from(addS16({ input1: Int16Array.of(0, 0), input2: Int16Array.of(1, -1), activation: FULL, params: p }))).toEqual([1, -1]);
    expect(() => addS16({ input1: Int16Array.of(0), input2: Int16Array.of(0), activation: FULL, params: { ...p, leftShift: 20 } })).toThrow(/left shift 15/);
  });

  it('multiplies: 300 · −200 · 2^−2 = −15000; 3 · 1 / 4 = 0.75 → 1; −2 / 4 = −0.5 → −1; clamps', () => {
    const params = { input1Offset: 0, input2Offset: 0, outputOffset: 0, multiplier: 2 ** 30, shift: -1 };
    expect(Array.from(mulS16({ input1: Int16Array.of(300, 3, -2, 32767), input2: Int16Array.of(-200, 1, 1, 32767), activation: FULL, params }))).toEqual([-15000, 1, -1, 32767]);
  });
});

describe('int16x8 targets', () => {
  it('are valid profiles named <cpu>-int16x8 with int16 activation kernels and int64 biases', () => {
    expect(Object.keys(CORTEX_M_INT16X8_PROFILES)).toEqual(Object.keys(CORTEX_M_PROFILES).map((n) => `${n}-int16x8`));
    for (const p of Object.values(CORTEX_M_INT16X8_PROFILES)) {
      expect(validateProfile(p)).toEqual([]);
      expect(activationBits(p)).toBe(16);
    }
    expect(activationBits(CORTEX_M_PROFILES['cortex-m4'])).toBe(8);
    expect(m4.ops.conv2d).toMatchObject({ kernel: 'arm_convolve_s16', activations: ['int16'], bias: { dtype: 'int64' } });
    expect(m4.ops.add?.kernel).toBe('arm_elementwise_add_s16');
    expect(m4.ops.softmax).toBeUndefined();
    expect(Object.keys(cortexMInt16x8Plugin.targets ?? {})).toEqual(Object.keys(CORTEX_M_INT16X8_PROFILES));
  });

  it('shape the plan: int16 symmetric activations, int8 per-channel weights; Softmax gets a coded reason', () => {
    const m = smallNet();
    const plan = constrainCortexMPlan(planFor(m), m, m4);
    for (const e of Object.values(plan.tensors)) {
      if (e.role === 'activation') expect([e.bits, e.stats?.finalize.symmetric, e.stats?.finalize.signed]).toEqual([16, true, true]);
      if (e.role === 'weight') expect([e.bits, e.granularity]).toEqual([8, 'per-channel']);
    }
    const d = Object.fromEntries(checkCortexM(m, plan, m4).map((x) => [x.node, x]));
    expect(d.conv1).toMatchObject({ status: 'mapped', kernel: 'arm_convolve_s16' });
    expect(d.dw).toMatchObject({ status: 'mapped', kernel: 'arm_depthwise_conv_s16' });
    expect(d.pool).toMatchObject({ status: 'mapped', kernel: 'arm_avgpool_s16' });
    expect(d.add).toMatchObject({ status: 'mapped', kernel: 'arm_elementwise_add_s16' });
    expect(d.softmax).toMatchObject({ status: 'error', code: 'QF_TARGET_OP_UNSUPPORTED' });
    expect(d.softmax!.reason).toMatch(/int16 Softmax/);
  });

  it('refuse Add / Mul with a constant operand (int16 constants are not planned) with QF_TARGET_CONSTRAINT', () => {
    const m = model({
      nodes: [node('Add', ['x', 'k'], ['y'], [], 'addk')],
      inputs: [['x', 'float32', [1, 4]]], outputs: [['y', 'float32', [1, 4]]], initializers: { k: f32([], [0.5]) },
    });
    const plan = constrainCortexMPlan(planFor(m), m, m4);
    expect(checkCortexM(m, plan, m4)[0]).toMatchObject({ node: 'addk', status: 'error', code: 'QF_TARGET_CONSTRAINT' });
    expect(checkCortexM(m, plan, m4, { allowFallback: true })[0]).toMatchObject({ status: 'fallback' });
  });
});

/** x[1,1,2,2] → Conv 1×1 (2 out, bias) → Relu → Flatten → Gemm (transB, 1 out) → y. */
function net(): Model {
  return model({
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], [attr.ints('kernel_shape', [1, 1])], 'conv'),
      node('Relu', ['c'], ['r'], [], 'relu'),
      node('Flatten', ['r'], ['f'], [attr.int('axis', 1)], 'flatten'),
      node('Gemm', ['f', 'wf', 'bf'], ['y'], [attr.int('transB', 1)], 'fc'),
    ],
    inputs: [['x', 'float32', [1, 1, 2, 2]]],
    outputs: [['y', 'float32', [1, 1]]],
    initializers: { w: f32([2, 1, 1, 1], [1, -1]), b: f32([2], [5000, -0.25]), wf: f32([1, 8], new Float32Array(8).fill(0.5)), bf: f32([1], [0]) },
  });
}

function act16(scale: number): QuantizedTensor {
  const e: AffineEncoding = { kind: 'affine', bits: 16, signed: true, narrowRange: false, symmetric: true, powerOfTwo: true, scale: Float32Array.of(scale), zeroPoint: Int32Array.of(0), storage: 'int16' };
  return { encoding: e, dims: [] };
}

function bias32(n: number, scales: number[]): QuantizedTensor {
  const e: AffineEncoding = { kind: 'affine', bits: 32, signed: true, narrowRange: false, symmetric: true, powerOfTwo: true, scale: Float32Array.from(scales), zeroPoint: new Int32Array(scales.length), storage: 'int32' };
  if (scales.length > 1) e.axis = 0;
  // What an int32 bias quantizer gives when the code overflows: saturated. The lowering re-derives int64 codes.
  return { encoding: e, dims: [n], codes: tensor('int32', [n], new Int32Array(n).fill(2147483647)) };
}

describe('int16x8 lowering', () => {
  const m = net();
  const plan = constrainCortexMPlan(planFor(m), m, m4);
  const r = act16(2 ** -4);
  const enc: Record<string, QuantizedTensor> = {
    x: act16(2 ** -12), w: weight([2, 1, 1, 1], [127, -127], [2 ** -7, 2 ** -8]), b: bias32(2, [2 ** -19, 2 ** -20]), r, f: r,
    wf: weight([1, 8], new Array(8).fill(64), [2 ** -7]), bf: bias32(1, [2 ** -11]), y: act16(2 ** -2),
  };
  const p = lowerCortexM({ model: m, plan, encodings: enc, profile: m4, diagnostics: checkCortexM(m, plan, m4) });

  it('re-derives int64 bias codes that overflow int32 and stores them as (low, high) words', () => {
    const b = p.tensors.find((t) => t.name === 'b')!;
    expect([b.dtype, b.bytes, b.placement]).toEqual(['int64', 16, 'flash']);
    // 5000 / 2^−19 = 2621440000 = 0x9C400000 (low word, as int32 −1673527296), high 0; −0.25 / 2^−20 = −262144.
    expect(Array.from(b.data as Int32Array)).toEqual([-1673527296, 0, -262144, -1]);
    expect(p.ops.map((o) => o.kernel)).toEqual(['arm_convolve_s16', 'arm_fully_connected_s16']);
    expect(p.ops[0]!.params).toMatchObject({ activationMin: 0, activationMax: 32767 });
    expect([Number(p.ops[0]!.params.inputOffset) + 0, Number(p.ops[0]!.params.outputOffset) + 0]).toEqual([0, 0]);
    expect(p.tensors.find((t) => t.name === 'x')).toMatchObject({ dtype: 'int16', bytes: 8 });
  });

  it('simulates int16 in, int16 out through the int64 bias', () => {
    // conv ch0: the bias 2621440000 at multiplier 2^−15 is 80000 → 32767 (clamp); ch1: −262144 · 2^−16 = −4 → Relu → 0.
    const [out] = simulateCortexM(p, [{ x: Int16Array.of(0, 0, 0, 0) }]);
    // fc: 4 · 64 · 32767 (ch0 at the clamp) + 4 · 64 · 0 (ch1 = relu(−0.25) = 0) = 8388352, scale 2^−7·2^−4 → y scale 2^−2: · 2^−9 = 16383.5 → 16384.
    expect(Array.from(out!.y as Int16Array)).toEqual([16384]);
    expect(() => simulateCortexM(p, [{ x: Int8Array.of(0, 0, 0, 0) }])).toThrow(/Int16Array/);
  });
});
