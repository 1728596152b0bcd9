/** Where the CLI writes. Anything with a `write(text)` works, so tests can capture output in memory. */
export interface TextSink {
  write(text: string): unknown;
}

/**
 * The world a command sees: two text sinks, whether stderr is a terminal (progress bars are drawn there, so stdout
 * stays clean for `--json` and pipes), the environment and the working directory. `main` never touches `process`
 * itself, which is what lets tests run it in process.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const io: CliIO = { stdout: { write: (s) => out.push(s) }, stderr: { write: () => {} }, isTTY: false, env: {}, cwd: '/tmp' };
 * ```
 */
export interface CliIO {
  stdout: TextSink;
  stderr: TextSink;
  /** True when stderr is an interactive terminal. */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Terminal width in columns, when known. */
  columns?: number;
}

/** The real process streams. */
export function processIO(): CliIO {
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
  if (process.stderr.columns) io.columns = process.stderr.columns;
  return io;
}

/** An in-memory CliIO for tests and embedding: everything written is collected in `out` and `err`. */
export function memoryIO(options: { isTTY?: boolean; env?: Record<string, string | undefined>; cwd?: string; columns?: number } = {}): CliIO & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO & { out: () => string; err: () => string } = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    out: () => out.join(''),
    err: () => err.join(''),
  };
  if (options.columns !== undefined) io.columns = options.columns;
  return io;
}
