import { parseArgs } from 'node:util';
import { QuantforgeError } from '@quantforge/core';
import type { CommandSpec, GlobalOptions, OptionSpec, OptionValues } from './command.js';

/** Flags accepted by every command, before or after the command name. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'Show help for the command (or the command list) and exit.' },
  quiet: { type: 'boolean', short: 'q', description: 'No progress output; errors are still printed.' },
  debug: { type: 'boolean', description: 'On failure, also print error details and the stack trace.' },
  workers: { type: 'string', valueName: 'N', description: 'Worker threads for parallel stages (default: env QUANTFORGE_WORKERS, else the library default).' },
  version: { type: 'boolean', description: 'Print the version and exit.' },
};

/** The `--json` flag, added for commands that declare `json: true`. */
export const JSON_OPTION: OptionSpec = { type: 'boolean', description: 'Print one JSON object on stdout instead of text.' };

/** A `QF_CLI_USAGE` error whose hint points at the right help page. */
export function usageError(message: string, command?: string, details: Record<string, unknown> = {}): QuantforgeError {
  const help = command === undefined ? 'quantforge --help' : `quantforge ${command} --help`;
  return new QuantforgeError('QF_CLI_USAGE', message, { details: { ...details, ...(command === undefined ? {} : { command }) }, hint: `run "${help}" for usage` });
}

/** Global string options that take the next argument as their value when written without `=`. */
function takesValue(token: string, specs: Record<string, OptionSpec>): boolean {
  if (token.startsWith('--')) {
    if (token.includes('=')) return false;
    return specs[token.slice(2)]?.type === 'string';
  }
  if (token.length !== 2) return false;
  return Object.values(specs).some((s) => s.short === token[1] && s.type === 'string');
}

/**
 * Finds the command name: the first argument that is neither a flag nor the value of a global flag. Returns it and
 * the remaining arguments, so that global flags work before and after the command.
 */
export function splitCommand(argv: readonly string[]): { command: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') break;
    if (token.startsWith('-') && token !== '-') {
      if (takesValue(token, GLOBAL_OPTIONS)) i++;
      continue;
    }
    return { command: token, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { command: undefined, rest: [...argv] };
}

/** Every flag a command accepts: its own, the global ones, and `--json` if it declares it. */
export function optionsOf(spec: CommandSpec | undefined): Record<string, OptionSpec> {
  return { ...GLOBAL_OPTIONS, ...(spec?.json ? { json: JSON_OPTION } : {}), ...(spec?.options ?? {}) };
}

/** The parsed command line of one command. */
export interface ParsedArgs {
  positionals: string[];
  values: OptionValues;
}

/**
 * Parses arguments against a command's flags. Parsing is lenient in `node:util` and strict here, so that every
 * mistake becomes a `QF_CLI_USAGE` error whose message names the flag (node's own messages mention `--` tricks).
 */
export function parseCommandArgs(args: readonly string[], spec: CommandSpec | undefined): ParsedArgs {
  const specs = optionsOf(spec);
  const name = spec?.name;
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [key, s] of Object.entries(specs)) {
    options[key] = { type: s.type, ...(s.short ? { short: s.short } : {}), ...(s.multiple ? { multiple: true } : {}) };
  }
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  const values: OptionValues = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const s = specs[token.name];
    if (!s) throw usageError(`unknown flag ${token.rawName}`, name, { flag: token.rawName });
    if (s.type === 'boolean') {
      if (token.inlineValue) throw usageError(`flag ${token.rawName} takes no value`, name, { flag: token.rawName });
      values[token.name] = true;
      continue;
    }
    const value = token.value;
    // A string flag followed by another flag swallows it in node:util; treat that as a missing value instead.
    if (value === undefined || (!token.inlineValue && value.startsWith('-') && value.length > 1)) {
      throw usageError(`flag ${token.rawName} needs a value${s.valueName ? ` (${s.valueName})` : ''}`, name, { flag: token.rawName });
    }
    if (s.multiple) {
      const prev = values[token.name];
      values[token.name] = Array.isArray(prev) ? [...prev, value] : [value];
    } else {
      values[token.name] = value;
    }
  }
  return { positionals, values };
}

/** Checks positional counts against the command's declaration. */
export function checkPositionals(positionals: readonly string[], spec: CommandSpec): void {
  const required = spec.positionals.filter((p) => p.required !== false);
  if (positionals.length < required.length) {
    const missing = required[positionals.length]!;
    throw usageError(`missing argument <${missing.name}>`, spec.name, { argument: missing.name });
  }
  if (positionals.length > spec.positionals.length) {
    const extra = positionals[spec.positionals.length]!;
    throw usageError(`unexpected argument "${extra}"`, spec.name, { argument: extra });
  }
}

/** Reads `--workers` (or `QUANTFORGE_WORKERS`) and the other global flags. */
export function globalOptions(values: OptionValues, env: Record<string, string | undefined>, spec: CommandSpec | undefined): GlobalOptions {
  const flag = typeof values.workers === 'string' ? values.workers : undefined;
  const fromEnv = env.QUANTFORGE_WORKERS !== undefined && env.QUANTFORGE_WORKERS !== '' ? env.QUANTFORGE_WORKERS : undefined;
  const raw = flag ?? fromEnv;
  let workers: number | undefined;
  if (raw !== undefined) {
    const source = flag !== undefined ? '--workers' : 'QUANTFORGE_WORKERS';
    if (!/^[0-9]+$/.test(raw.trim()) || Number(raw) < 1) {
      throw usageError(`${source} must be a positive integer, got "${raw}"`, spec?.name, { workers: raw, source });
    }
    workers = Number(raw);
  }
  return { quiet: values.quiet === true, debug: values.debug === true, json: values.json === true, workers };
}
