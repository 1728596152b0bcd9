// Toolchain probing and process helpers for the emit tests (the C builds need gcc, make, arm-none-eabi-gcc + picolibc
// and qemu-system-arm; tools/scripts/setup.sh installs them).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function runs(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

export const HAS_HOST_CC = runs('cc', ['--version']) && runs('make', ['--version']);
export const HAS_ARM = HAS_HOST_CC && runs('arm-none-eabi-gcc', ['--version']) && existsSync('/usr/lib/picolibc/arm-none-eabi/picolibc.specs')
  && runs('qemu-system-arm', ['--version']);
export const MISSING_TOOLCHAIN = 'skipped: needs cc + make, gcc-arm-none-eabi, picolibc-arm-none-eabi and qemu-system-arm (tools/scripts/setup.sh installs them)';

/** Runs a command in `cwd`; fails the test with its output unless it exits 0. */
export function run(cmd: string, args: string[], cwd: string): { stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}
