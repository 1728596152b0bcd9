import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isBackendTarget, validateManifest, validateProfile } from '@quantforge/core';
import cortexM, { CORTEX_M_PROFILES, CORTEX_M_TARGET_NAMES, cortexMBackend, kernelVariant } from '../src/index.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('target profiles', () => {
  it('are valid profile data, one per manifest target', () => {
    const manifest = validateManifest(pkg);
    expect(manifest).toMatchObject({ kind: 'backend', name: 'cortex-m' });
    expect(manifest.provides.targets).toEqual([...CORTEX_M_TARGET_NAMES]);
    expect(Object.keys(CORTEX_M_PROFILES)).toEqual([...CORTEX_M_TARGET_NAMES]);
    for (const p of Object.values(CORTEX_M_PROFILES)) expect(validateProfile(p)).toEqual([]);
  });

  it('set DSP and MVE by core and pick the CMSIS-NN code path from them', () => {
    const v = Object.fromEntries(Object.values(CORTEX_M_PROFILES).map((p) => [p.name, [p.features.dsp, p.features.mve, kernelVariant(p)]]));
    expect(v).toEqual({
      'cortex-m0plus': [false, false, 'c'], 'cortex-m3': [false, false, 'c'], 'cortex-m4': [true, false, 'dsp'],
      'cortex-m7': [true, false, 'dsp'], 'cortex-m33': [true, false, 'dsp'], 'cortex-m55': [true, true, 'mve'],
    });
  });

  it('carry example parts with their memory sizes', () => {
    expect(CORTEX_M_PROFILES['cortex-m0plus'].examplePart).toMatchObject({ name: 'Raspberry Pi RP2040 (Pico board)', ramBytes: 270336, flashBytes: 2097152 });
    expect(CORTEX_M_PROFILES['cortex-m4'].examplePart).toMatchObject({ ramBytes: 131072, flashBytes: 524288 });
  });

  it('encode the TFLite int8 constraints: symmetric per-channel weights, int32 bias, fixed softmax output, double rounding', () => {
    const ops = CORTEX_M_PROFILES['cortex-m7'].ops;
    expect(ops.conv2d!.weights).toEqual({ dtypes: ['int8'], granularity: ['per-channel', 'per-tensor'], channelAxis: 0, symmetricRange: 127 });
    expect(ops.conv2d!.bias).toEqual({ dtype: 'int32', scale: 'input-times-weight' });
    expect(ops.softmax!.fixedOutput).toEqual({ scale: 1 / 256, zeroPoint: -128, dtype: 'int8' });
    expect(ops['avg-pool']!.sameScaleInOut).toBe(true);
    expect(Object.values(CORTEX_M_PROFILES).every((p) => p.rounding === 'double')).toBe(true);
  });

  it('are exposed as registry target providers carrying profile and backend', () => {
    expect(cortexM.kind).toBe('backend');
    expect(Object.keys(cortexM.targets ?? {})).toEqual([...CORTEX_M_TARGET_NAMES]);
    const t = cortexM.targets!['cortex-m55'];
    expect(isBackendTarget(t)).toBe(true);
    if (isBackendTarget(t)) {
      expect(t.backend).toBe(cortexMBackend);
      expect(t.profile.examplePart.name).toBe('Alif Ensemble E7 (high-performance M55 core)');
    }
  });
});
