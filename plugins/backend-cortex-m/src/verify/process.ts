import { spawn } from 'node:child_process';

/** What {@link runProcess} returns: exit status (null when killed), signal, captured output, wall time. */
export interface ProcessResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** True when the process group was killed because it ran past `timeoutMs`. */
  timedOut: boolean;
}

/** Options of {@link runProcess}. */
export interface ProcessOptions {
  cwd?: string;
  /** Kill the whole process group after this many milliseconds (default 120 000). */
  timeoutMs?: number;
  /** Keep at most this many characters of each stream, the end of it (default 64 KiB). */
  maxOutput?: number;
}

function tail(s: string, max: number): string {
  return s.length <= max ? s : s.slice(s.length - max);
}

/**
 * Runs a command without a shell and never hangs: it gets its own process group, and after `timeoutMs` the group is
 * killed (make's children — compilers, QEMU — go with it). stdin is closed; output is captured (its end kept).
 * A command that cannot be started resolves with status null and the error in `stderr`.
 *
 * @example
 * ```ts
 * const r = await runProcess('make', ['host'], { cwd: project, timeoutMs: 60_000 });
 * if (r.status !== 0) console.error(r.stderr);
 * ```
 */
export function runProcess(cmd: string, args: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const max = options.maxOutput ?? 65_536;
  const t0 = Date.now();
  return new Promise((resolvePromise) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(cmd, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout = tail(stdout + d, max); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr = tail(stderr + d, max); });
    const finish = (status: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise({ status, signal, stdout, stderr, ms: Date.now() - t0, timedOut });
    };
    child.on('error', (e) => {
      stderr = tail(`${stderr}${(e as Error).message}\n`, max);
      finish(null, null);
    });
    child.on('close', (status, signal) => finish(status, signal));
  });
}
