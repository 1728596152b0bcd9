import { describe, expect, it } from 'vitest';
import { defineBackend, isBackendTarget, targetProviders, type BackendDefinition } from '../../src/backend/definition.js';
import { applyAffineFormat, fixedAffine } from '../../src/backend/constrain.js';
import { summarizeDiagnostics } from '../../src/backend/diagnostics.js';
import type { TargetProfile } from '../../src/backend/profile.js';
import { validateProfile } from '../../src/backend/validate-profile.js';
import type { PlanEntry } from '../../src/quant/plan.js';

const profile: TargetProfile = {
  name: 'toy-mcu', backend: 'toy', cpu: 'Toy CPU', features: { dsp: false, mve: false, fpu: false },
  examplePart: { name: 'Toy-1', flashBytes: 65536, ramBytes: 8192 }, rounding: 'double', int16x8: false,
  ops: { add: { kernel: 'toy_add_s8', onnx: ['Add'], activations: ['int8'], codeBytes: 400 } },
};

const toy = (over: Partial<BackendDefinition> = {}): BackendDefinition => ({
  name: 'toy', targets: { 'toy-mcu': profile },
  constrainPlan: (plan) => plan, check: () => [],
  lower: () => { throw new Error('not lowered in this test'); },
  ...over,
});

describe('backend contract', () => {
  it('validates profiles', () => {
    expect(validateProfile(profile)).toEqual([]);
    const bad = { ...profile, rounding: 'nearest', examplePart: { name: 'X', flashBytes: 0, ramBytes: 1.5 }, features: { dsp: false, mve: true, fpu: false } } as unknown as TargetProfile;
    expect(validateProfile(bad)).toEqual([
      'features.mve implies features.dsp',
      'examplePart.flashBytes must be a positive integer',
      'examplePart.ramBytes must be a positive integer',
      'rounding must be "double" or "single" (got nearest)',
    ]);
  });

  it('defineBackend accepts a valid definition and lists every problem of a bad one', () => {
    const ok = toy();
    expect(defineBackend(ok)).toBe(ok);
    let err: unknown;
    try {
      defineBackend(toy({ check: undefined as never, targets: { other: profile } }));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'QF_INVALID_ARGUMENT', details: { problems: ['check must be a function', 'targets.other is keyed other but names toy-mcu'] } });
  });

  it('turns targets into registry providers', () => {
    const t = targetProviders(toy())['toy-mcu'];
    expect(isBackendTarget(t)).toBe(true);
    expect(t?.describe?.()).toBe('Toy CPU (toy backend; example part Toy-1)');
    expect(isBackendTarget({ name: 'x' })).toBe(false);
  });

  it('applyAffineFormat writes entry, statistics request and the affine option group, on a copy', () => {
    const e: PlanEntry = {
      tensor: 'w', role: 'weight', scheme: 'u', options: { weights: { signed: false, symmetric: false, narrowRange: false, granularity: 'per-group', blockSize: 32 } },
      consumers: [], bits: 4, granularity: 'per-group', axis: 1, blockSize: 32, stats: null,
    };
    const out = applyAffineFormat(e, { bits: 8, signed: true, symmetric: true, narrowRange: true, granularity: 'per-channel', axis: 0 });
    expect(out).toMatchObject({ bits: 8, granularity: 'per-channel', axis: 0 });
    expect(out.blockSize).toBeUndefined();
    expect(out.options.weights).toEqual({ signed: true, symmetric: true, narrowRange: true, granularity: 'per-channel', axis: 0, bits: 8 });
    expect(e.bits).toBe(4);
    const a: PlanEntry = { tensor: 'x', role: 'activation', scheme: 'u', options: {}, consumers: [], bits: 8, granularity: 'per-tensor',
      stats: { observer: 'minmax', options: {}, finalize: { bits: 8, signed: false, symmetric: false } } };
    expect(applyAffineFormat(a, { signed: true }).stats?.finalize).toEqual({ bits: 8, signed: true, symmetric: false });
  });

  it('fixedAffine and summarizeDiagnostics', () => {
    expect(fixedAffine(1 / 128, 0, 8)).toMatchObject({ scale: [0.0078125], zeroPoint: [0], symmetric: true, powerOfTwo: true, storage: 'int8' });
    expect(summarizeDiagnostics([
      { node: 'a', opType: 'Add', status: 'mapped' }, { node: 'b', opType: 'Relu', status: 'fused' }, { node: 'c', opType: 'LRN', status: 'error' },
    ])).toEqual({ mapped: 1, fused: 1, fallback: 0, error: 1 });
  });
});
