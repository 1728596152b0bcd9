import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QuantforgeError, type BackendVerification, type RecordedSamples, type VerifyStepOptions } from '@quantforge/core';
import { buildProject, runProject, type BuildRunOptions, type Platform } from './build-run.js';
import { compareOutputs, type OutputComparison } from './compare.js';
import { countInstructions } from './insns.js';
import { probeToolchain, TOOLCHAIN_PACKAGES, type Toolchain } from './toolchain.js';

/** One platform's verdict: the comparison with build and run times, or why it was skipped. */
export type PlatformVerdict = (OutputComparison & { buildMs: number; runMs: number }) | { skipped: string };

/** What {@link verifyCProject} returns. */
export interface CProjectVerification {
  samples: number;
  host: PlatformVerdict;
  qemu: PlatformVerdict;
}

/** Options of {@link verifyCProject}. */
export interface VerifyOptions extends BuildRunOptions {
  /** The toolchain to assume (default: probed now). */
  toolchain?: Toolchain;
  /** Platforms to try (default both); one left out is reported as skipped. */
  platforms?: readonly Platform[];
}

/**
 * Builds an emitted C project and runs its runner on the host and, when the Arm toolchain and QEMU are there, on
 * QEMU, each on the same float32 samples, and compares the outputs bit for bit with `expected` (the simulator's
 * dequantized outputs, `valuesPerSample` floats per sample in the program's output order). A missing tool makes that
 * platform `{ skipped }`; a failing build or run throws `QF_TOOLCHAIN`. Every process has a timeout. The build output
 * stays in the project (`build/`); the sample files go to a temporary folder that is removed.
 *
 * @example
 * ```ts
 * const v = await verifyCProject('out/fashion-m4', inputs, expected, 10);
 * if ('identical' in v.host && !v.host.identical) throw new Error(`host differs on ${v.host.mismatches} samples`);
 * ```
 */
export async function verifyCProject(dir: string, inputs: Float32Array, expected: Float32Array, valuesPerSample: number, options: VerifyOptions = {}): Promise<CProjectVerification> {
  if (!Number.isInteger(valuesPerSample) || valuesPerSample < 1 || expected.length % valuesPerSample !== 0) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `expected holds ${expected.length} values, not a multiple of ${valuesPerSample} per sample`, { details: { values: expected.length, valuesPerSample } });
  }
  const samples = expected.length / valuesPerSample;
  const toolchain = options.toolchain ?? (await probeToolchain());
  const platforms = options.platforms ?? ['host', 'qemu'];
  const tmp = mkdtempSync(join(tmpdir(), 'qf-verify-'));
  try {
    const inPath = join(tmp, 'in.f32');
    writeFileSync(inPath, new Uint8Array(inputs.buffer, inputs.byteOffset, inputs.byteLength));
    const result: CProjectVerification = { samples, host: { skipped: 'not requested' }, qemu: { skipped: 'not requested' } };
    for (const platform of ['host', 'qemu'] as const) {
      if (!platforms.includes(platform)) continue;
      if (!toolchain[platform]) {
        result[platform] = { skipped: `missing ${toolchain.missing.join(', ')} (Debian/Ubuntu packages: ${TOOLCHAIN_PACKAGES})` };
        continue;
      }
      const build = await buildProject(dir, platform, options);
      const outPath = join(tmp, `${platform}.f32`);
      const run = await runProject(dir, platform, inPath, outPath, options);
      result[platform] = { ...compareOutputs(readFileSync(outPath), expected, valuesPerSample), buildMs: build.ms, runMs: run.ms };
    }
    return result;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The Cortex-M backend's `verify` step: {@link verifyCProject} on the recorded samples (platforms `host` and `qemu`),
 * then, on QEMU, the executed instructions of the first sample's inference, per layer. A count that cannot be taken
 * is `instructions: { skipped }`, never an error: the bit-exact verdicts are what the step is for.
 *
 * @example
 * ```ts
 * const { runs, instructions } = await verifyCortexM('out/fashion-m4', recorded);
 * runs.host; // { samples: 200, identical: true, mismatches: 0, buildMs, runMs }
 * ```
 */
export async function verifyCortexM(dir: string, recorded: RecordedSamples, options: VerifyStepOptions = {}): Promise<BackendVerification> {
  const timing = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const v = await verifyCProject(dir, recorded.inputs, recorded.outputs, recorded.valuesPerSample, timing);
  const out: BackendVerification = { samples: v.samples, runs: { host: v.host, qemu: v.qemu } };
  if (options.instructions === false) return out;
  if ('skipped' in v.qemu) return { ...out, instructions: { skipped: `needs QEMU: ${v.qemu.skipped}` } };
  if (recorded.samples === 0) return { ...out, instructions: { skipped: 'no samples' } };
  const tmp = await mkdtemp(join(tmpdir(), 'qf-insns-in-'));
  try {
    const one = join(tmp, 'in.f32');
    const sample = recorded.inputs.subarray(0, recorded.inputs.length / recorded.samples);
    await writeFile(one, new Uint8Array(sample.buffer, sample.byteOffset, sample.byteLength));
    const c = await countInstructions(dir, { input: one, ...timing });
    return { ...out, instructions: { cpu: c.cpu, perInference: c.perInference[0]!, perLayer: c.perLayer.map((l) => ({ node: l.node, op: l.op, insns: l.insns })) } };
  } catch (error) {
    return { ...out, instructions: { skipped: `instruction counting failed: ${(error as Error).message.split('\n')[0]}` } };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
