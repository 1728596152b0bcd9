import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { runProcess } from './process.js';

/** Which tools the emitted C project needs are present (see {@link probeToolchain}). */
export interface Toolchain {
  /** `cc` and `make`: enough for `make host`. */
  host: boolean;
  /** `arm-none-eabi-gcc` with picolibc and `qemu-system-arm`: enough for `make qemu` and `make qemu-run`. */
  qemu: boolean;
  /** Names of the missing tools, for messages (`cc`, `make`, `arm-none-eabi-gcc`, `picolibc`, `qemu-system-arm`). */
  missing: string[];
  /** First line of each present tool's `--version`, by tool. */
  versions: Record<string, string>;
}

/** Debian/Ubuntu package names of the tools, for the hint of a skipped platform. */
export const TOOLCHAIN_PACKAGES = 'gcc make gcc-arm-none-eabi picolibc-arm-none-eabi qemu-system-arm';

async function version(cmd: string): Promise<string | undefined> {
  const r = await runProcess(cmd, ['--version'], { timeoutMs: 15_000 });
  return r.status === 0 ? (r.stdout.split('\n')[0] ?? '').trim() : undefined;
}

async function hasPicolibc(): Promise<boolean> {
  // gcc prints the bare name back when it finds no such file in its search paths.
  const r = await runProcess('arm-none-eabi-gcc', ['-print-file-name=picolibc.specs'], { timeoutMs: 15_000 });
  const path = r.stdout.trim();
  return r.status === 0 && isAbsolute(path) && existsSync(path);
}

/**
 * Probes the tools the C project's Makefile uses (each `--version` under a 15 s timeout): the host build needs `cc`
 * and `make`; the QEMU build also `arm-none-eabi-gcc`, picolibc's specs and `qemu-system-arm`.
 *
 * @example
 * ```ts
 * const tc = await probeToolchain();
 * if (!tc.qemu) console.log(`QEMU check skipped: missing ${tc.missing.join(', ')}`);
 * ```
 */
export async function probeToolchain(): Promise<Toolchain> {
  const [cc, make, arm, qemu] = await Promise.all(['cc', 'make', 'arm-none-eabi-gcc', 'qemu-system-arm'].map(version));
  const picolibc = arm !== undefined && (await hasPicolibc());
  const versions: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, v] of [['cc', cc], ['make', make], ['arm-none-eabi-gcc', arm], ['qemu-system-arm', qemu]] as const) {
    if (v === undefined) missing.push(name);
    else versions[name] = v;
  }
  if (!picolibc) missing.push('picolibc');
  const host = cc !== undefined && make !== undefined;
  return { host, qemu: host && arm !== undefined && picolibc && qemu !== undefined, missing, versions };
}
