import type { CliIO } from './io.js';
import type { ProgressRenderer } from './progress.js';

/** A flag a command accepts. Flags are long (`--name`), optionally with a one-letter short form. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  short?: string;
  /** May be given more than once; the value is then a string array. */
  multiple?: boolean;
  /** Placeholder shown in help, e.g. `N` or `NAME=FILE`. */
  valueName?: string;
}

/** A positional argument, in order. */
export interface PositionalSpec {
  name: string;
  description: string;
  /** Defaults to true. */
  required?: boolean;
}

/** The flags every command understands (see `GLOBAL_OPTIONS`). */
export interface GlobalOptions {
  quiet: boolean;
  debug: boolean;
  /** `--json`, only for commands that declare `json: true`; false elsewhere. */
  json: boolean;
  /** `--workers N` or `QUANTFORGE_WORKERS`; undefined lets the library choose. */
  workers: number | undefined;
}

/** Parsed flag values of one invocation, keyed by long name. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** What `run` receives. Paths in `positionals` and `options` are as typed; resolve them with `ctx.path()`. */
export interface CommandContext {
  io: CliIO;
  positionals: string[];
  options: OptionValues;
  global: GlobalOptions;
  /** A progress renderer on stderr that honours `--quiet` and the terminal; call `done()` when finished. */
  progress(): ProgressRenderer;
  /** Resolves a user path against the working directory of `io`. */
  path(p: string): string;
}

/**
 * One CLI command. Add a file in `src/commands/`, export a `CommandSpec` from it and list it in
 * `src/commands/index.ts`; `main` does parsing, `--help`, usage errors and error rendering for it.
 *
 * @example
 * ```ts
 * export const hello: CommandSpec = {
 *   name: 'hello',
 *   summary: 'Greets.',
 *   positionals: [{ name: 'who', description: 'whom to greet' }],
 *   options: {},
 *   async run(ctx) { ctx.io.stdout.write(`hello ${ctx.positionals[0]}\n`); return 0; },
 * };
 * ```
 */
export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Longer help text, shown by `<command> --help`. */
  description?: string;
  positionals: PositionalSpec[];
  options: Record<string, OptionSpec>;
  /** Accepts `--json` (machine-readable stdout). */
  json?: boolean;
  examples?: string[];
  /** Returns the exit code (0 on success); throws a QuantforgeError on failure. */
  run(ctx: CommandContext): Promise<number>;
}

/** Reads a string flag. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Reads a repeatable string flag (empty when absent). */
export function stringsOption(values: OptionValues, name: string): string[] {
  const v = values[name];
  if (Array.isArray(v)) return v;
  return typeof v === 'string' ? [v] : [];
}

/** Reads a boolean flag. */
export function flagOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}
