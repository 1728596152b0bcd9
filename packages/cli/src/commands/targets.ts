import { QuantforgeError, type BackendTarget, type OpConstraint } from '@quantforge/core';
import type { CommandSpec } from '../command.js';

/** One target as `targets --json` prints it: the profile data and the plugin that provides it. */
export interface TargetListing {
  name: string;
  plugin: string;
  backend: string;
  profile: BackendTarget['profile'];
}

/** Every registered backend target, after registering the bundled backends (registering twice is a no-op). */
export async function listTargets(): Promise<TargetListing[]> {
  // Loaded on use, so that `--help` and other commands do not pay for the backends.
  const [{ isBackendTarget, listPlugins, registerPlugin }, { cortexMPlugin, cortexMInt16x8Plugin }] = await Promise.all([import('@quantforge/core'), import('@quantforge/backend-cortex-m')]);
  registerPlugin(cortexMPlugin);
  registerPlugin(cortexMInt16x8Plugin);
  const out: TargetListing[] = [];
  for (const plugin of listPlugins('backend')) {
    for (const t of Object.values(plugin.targets ?? {})) {
      if (isBackendTarget(t)) out.push({ name: t.name, plugin: plugin.name, backend: t.backend.name, profile: t.profile });
    }
  }
  return out;
}

const size = (n: number): string => (n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(2)} MiB` : `${+(n / 1024).toFixed(1)} KiB`);

function constraintText(c: OpConstraint): string {
  const parts = [`activations ${c.activations.join('/')}`];
  const w = c.weights;
  if (w !== undefined) {
    const sym = w.symmetricRange === undefined ? '' : `, symmetric [-${w.symmetricRange}, ${w.symmetricRange}] zp 0`;
    parts.push(`weights ${w.dtypes.join('/')} ${w.granularity.join(' or ')}${w.channelAxis === undefined ? '' : ` (axis ${w.channelAxis})`}${sym}`);
  }
  if (c.bias !== undefined) parts.push(`bias ${c.bias.dtype}, scale = s_in·s_w`);
  if (c.fixedOutput !== undefined) parts.push(`output fixed at scale ${c.fixedOutput.scale}, zp ${c.fixedOutput.zeroPoint}`);
  if (c.sameScaleInOut === true) parts.push('input and output share one encoding');
  if (c.fusedActivations !== undefined) parts.push(`fuses ${c.fusedActivations.join('/')}`);
  for (const l of c.limits ?? []) parts.push(l);
  parts.push(`~${c.codeBytes} B code`);
  return parts.join('; ');
}

/** The text listing of `targets`. */
export function formatTargets(targets: readonly TargetListing[]): string {
  const lines: string[] = [];
  for (const t of targets) {
    const p = t.profile;
    const f = p.features;
    lines.push(`${t.name}  ${p.cpu}  (backend ${t.backend}, plugin ${t.plugin})`);
    lines.push(`  example part: ${p.examplePart.name}: ${size(p.examplePart.ramBytes)} RAM, ${size(p.examplePart.flashBytes)} flash${p.examplePart.clockMHz === undefined ? '' : `, ${p.examplePart.clockMHz} MHz`}`);
    lines.push(`  features: DSP ${f.dsp ? 'yes' : 'no'}, MVE ${f.mve ? 'yes' : 'no'}, FPU ${f.fpu ? 'yes' : 'no'}; requantization: ${p.rounding} rounding; int16x8 kernels: ${p.int16x8 ? 'yes' : 'no'}`);
    const width = Math.max(...Object.keys(p.ops).map((k) => k.length));
    for (const [op, c] of Object.entries(p.ops)) {
      lines.push(`  ${op.padEnd(width)}  ${c.kernel}  [${c.onnx.join(', ')}]`);
      lines.push(`  ${' '.repeat(width)}    ${constraintText(c)}`);
    }
    for (const n of p.notes ?? []) lines.push(`  note: ${n}`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

/** `quantforge targets [name] [--json]` */
export const targetsCommand: CommandSpec = {
  name: 'targets',
  summary: 'List the deployment targets and the constraints of their kernels.',
  description: 'Lists every registered backend target (the bundled Cortex-M backend included): CPU, features, an example part with its RAM and flash, the requantization rounding and, per target op, the kernel, the ONNX ops it implements and its constraints. Memory figures are those of the named example part.',
  positionals: [{ name: 'target', description: 'show only this target', required: false }],
  options: {},
  json: true,
  examples: ['quantforge targets', 'quantforge targets cortex-m4', 'quantforge targets --json'],
  async run(ctx) {
    const all = await listTargets();
    const wanted = ctx.positionals[0];
    const shown = wanted === undefined ? all : all.filter((t) => t.name === wanted);
    if (shown.length === 0) {
      throw new QuantforgeError('QF_PLUGIN_UNKNOWN', `no target named "${wanted}"`, {
        details: { target: wanted, targets: all.map((t) => t.name) }, hint: `Known targets: ${all.map((t) => t.name).join(', ')}.`,
      });
    }
    ctx.io.stdout.write(ctx.global.json ? `${JSON.stringify({ schemaVersion: 1, targets: shown }, null, 2)}\n` : formatTargets(shown));
    return 0;
  },
};
