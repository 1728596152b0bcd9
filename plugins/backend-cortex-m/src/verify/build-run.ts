import { QuantforgeError } from '@quantforge/core';
import { runProcess, type ProcessResult } from './process.js';

/** Where an emitted C project runs: the host C compiler, or arm-none-eabi-gcc + picolibc on QEMU. */
export type Platform = 'host' | 'qemu';

/** Options of {@link buildProject} and {@link runProject}. */
export interface BuildRunOptions {
  /** Limit of each `make` call in milliseconds (default 180 000); QEMU itself gets the same limit. */
  timeoutMs?: number;
  /** `CPU=` of the Makefile for the QEMU build (default: the project's). */
  cpu?: string;
}

function makeArgs(platform: Platform, options: BuildRunOptions, extra: string[] = []): string[] {
  const vars = platform === 'qemu' && options.cpu !== undefined ? [`CPU=${options.cpu}`] : [];
  return [...vars, ...extra];
}

function failure(what: string, dir: string, r: ProcessResult, timeoutMs: number): QuantforgeError {
  const why = r.timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : r.status === null ? `could not start or was killed (${r.signal ?? 'no signal'})` : `exited with status ${r.status}`;
  const output = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-20).join('\n');
  return new QuantforgeError('QF_TOOLCHAIN', `${what} in ${dir} ${why}${output === '' ? '' : `:\n${output}`}`, {
    details: { dir, status: r.status, signal: r.signal, timedOut: r.timedOut },
    hint: 'Build the project by hand (make host / make qemu) to see the full output; tools/scripts/setup.sh installs the toolchain.',
  });
}

/**
 * Builds an emitted project: `make host` (build/host/runner) or `make qemu` (build/<CPU>/runner.elf). Fails with
 * `QF_TOOLCHAIN` and the end of make's output when the build fails or times out.
 *
 * @example
 * ```ts
 * const { ms } = await buildProject('out/fashion-m4', 'host');
 * ```
 */
export async function buildProject(dir: string, platform: Platform, options: BuildRunOptions = {}): Promise<{ ms: number; stdout: string }> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  const r = await runProcess('make', ['--no-print-directory', ...makeArgs(platform, options, [platform])], { cwd: dir, timeoutMs });
  if (r.status !== 0) throw failure(`make ${platform}`, dir, r, timeoutMs);
  return { ms: r.ms, stdout: r.stdout };
}

function checkPath(p: string): void {
  // make splits variables at spaces, and QEMU's -semihosting-config splits at commas.
  if (/[\s,]/.test(p)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `the runner's file paths cannot contain spaces or commas: ${p}`, { details: { path: p } });
  }
}

/**
 * Runs the built runner on a float32 input file (`make run-host` or `make qemu-run`, which read `inPath` and write
 * the dequantized float32 outputs to `outPath`; on QEMU through semihosting). Fails with `QF_TOOLCHAIN` when the run
 * fails or times out.
 *
 * @example
 * ```ts
 * await runProject('out/fashion-m4', 'qemu', '/tmp/in.f32', '/tmp/out.f32', { timeoutMs: 300_000 });
 * ```
 */
export async function runProject(dir: string, platform: Platform, inPath: string, outPath: string, options: BuildRunOptions = {}): Promise<{ ms: number; stdout: string }> {
  checkPath(inPath);
  checkPath(outPath);
  const timeoutMs = options.timeoutMs ?? 180_000;
  const target = platform === 'host' ? 'run-host' : 'qemu-run';
  const extra = platform === 'qemu' ? [`QEMU_TIMEOUT=${Math.max(1, Math.ceil(timeoutMs / 1000))}`] : [];
  const r = await runProcess('make', ['--no-print-directory', ...makeArgs(platform, options, [...extra, target, `IN=${inPath}`, `OUT=${outPath}`])], { cwd: dir, timeoutMs: timeoutMs + 5_000 });
  if (r.status !== 0) throw failure(`make ${target}`, dir, r, timeoutMs);
  return { ms: r.ms, stdout: r.stdout };
}
