import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

describe('quantforge targets', () => {
  it('lists every Cortex-M target with its example part and op constraints', async () => {
    const r = await runCli(['targets']);
    expect(r.code).toBe(0);
    for (const t of ['cortex-m0plus', 'cortex-m3', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55']) expect(r.out).toContain(`${t}  Arm Cortex-M`);
    expect(r.out).toContain('example part: Raspberry Pi RP2040 (Pico board): 264 KiB RAM, 2 MiB flash, 133 MHz');
    expect(r.out).toContain('weights int8 per-channel or per-tensor (axis 0), symmetric [-127, 127] zp 0');
    expect(r.out).toContain('output fixed at scale 0.00390625, zp -128');
  });

  it('prints one target as JSON', async () => {
    const r = await runCli(['targets', 'cortex-m55', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { targets: { name: string; plugin: string; profile: { features: { mve: boolean } } }[] };
    expect(j.targets.map((t) => [t.name, t.plugin, t.profile.features.mve])).toEqual([['cortex-m55', 'cortex-m', true]]);
  });

  it('fails with a code for an unknown target', async () => {
    const r = await runCli(['targets', 'z80']);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('QF_PLUGIN_UNKNOWN');
  });
});
