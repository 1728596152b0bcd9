// Toolchain probing and process helpers for the emit tests (the C builds need gcc, make, arm-none-eabi-gcc + picolibc
// and qemu-system-arm; tools/scripts/setup.sh installs them).
import { spawnSync } from 'node:child_process';
import { probeToolchain } from '../src/verify/toolchain.js';

const toolchain = await probeToolchain();
export const HAS_HOST_CC = toolchain.host;
export const HAS_ARM = toolchain.qemu;
export const MISSING_TOOLCHAIN = 'skipped: needs cc + make, gcc-arm-none-eabi, picolibc-arm-none-eabi and qemu-system-arm (tools/scripts/setup.sh installs them)';

/** Runs a command in `cwd`; fails the test with its output unless it exits 0. */
export function run(cmd: string, args: string[], cwd: string): { stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}
