import { describe, expect, it } from 'vitest';
import { CORTEX_M_PROFILES, constrainCortexMPlan } from '../src/index.js';
import { planFor } from './helpers.js';
import { smallNet } from './models.js';

const m4 = CORTEX_M_PROFILES['cortex-m4'];

describe('constrainPlan', () => {
  const m = smallNet();
  const before = planFor(m);
  const snapshot = JSON.stringify(before);
  const plan = constrainCortexMPlan(before, m, m4);

  it('asks for symmetric narrow-range int8 weights per output channel', () => {
    for (const w of ['w1', 'wd', 'wp', 'wf']) {
      const e = plan.tensors[w]!;
      expect(e).toMatchObject({ bits: 8, granularity: 'per-channel', axis: 0 });
      expect(e.options.weights).toMatchObject({ signed: true, symmetric: true, narrowRange: true, granularity: 'per-channel', axis: 0 });
    }
    // The unshaped plan had the scheme's unsigned asymmetric default.
    expect(before.tensors.w1!.options.weights).toMatchObject({ signed: false, symmetric: false });
  });

  it('makes activations signed int8 and biases int32 with the weights’ granularity', () => {
    expect(plan.tensors.x!.options.activations).toMatchObject({ signed: true, narrowRange: false });
    expect(plan.tensors.x!.stats?.finalize).toMatchObject({ bits: 8, signed: true });
    expect(plan.tensors.b1).toMatchObject({ bits: 32, granularity: 'per-channel', axis: 0 });
  });

  it('fixes the softmax output at scale 1/256, zero point −128', () => {
    expect(plan.tensors.y!.fixed).toEqual({
      kind: 'affine', bits: 8, signed: true, narrowRange: false, symmetric: false, powerOfTwo: true, scale: [1 / 256], zeroPoint: [-128], storage: 'int8',
    });
  });

  it('ties average pooling to its input and keeps the planner’s reshape tie', () => {
    expect(plan.tensors.a1!.tieGroup).toBe(plan.tensors.s1!.tieGroup);
    expect(plan.tensors.f1!.tieGroup).toBe(plan.tensors.s1!.tieGroup);
    expect(before.tensors.s1!.tieGroup).toBeUndefined();
  });

  it('names the target and leaves its input alone', () => {
    expect(plan.target).toBe('cortex-m4');
    expect(JSON.stringify(before)).toBe(snapshot);
  });
});
