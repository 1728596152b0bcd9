import { QuantforgeError } from '@quantforge/core';
import { checkPositionals, globalOptions, parseCommandArgs, splitCommand, usageError } from './args.js';
import type { CommandContext, CommandSpec } from './command.js';
import { COMMANDS } from './commands/index.js';
import { commandHelp, globalHelp } from './help.js';
import { processIO, type CliIO } from './io.js';
import { ProgressRenderer } from './progress.js';
import { EXIT, reportError } from './report-error.js';
import { cliVersion } from './version.js';
import { isAbsolute, resolve } from 'node:path';

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function findCommand(name: string, commands: readonly CommandSpec[]): CommandSpec {
  const spec = commands.find((c) => c.name === name);
  if (spec) return spec;
  const near = commands.filter((c) => distance(c.name, name) <= 2).map((c) => c.name);
  const suggestion = near.length > 0 ? `did you mean "${near[0]}"? ` : '';
  throw new QuantforgeError('QF_CLI_USAGE', `unknown command "${name}"`, {
    details: { command: name, commands: commands.map((c) => c.name) },
    hint: `${suggestion}commands: ${commands.map((c) => c.name).join(', ')}; run "quantforge --help"`,
  });
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code: 0 on success, 1 for a usage
 * error, 2 for any other error. It never throws and never exits the process; failures are printed to `io.stderr` as
 * `error QF_CODE: message` and `hint: ...` (plus details and stack with `--debug`).
 *
 * @example
 * ```ts
 * import { main, processIO } from 'quantforge';
 * process.exitCode = await main(['inspect', 'model.onnx', '--json'], processIO());
 * ```
 */
export async function main(argv: readonly string[], io: CliIO = processIO(), commands: readonly CommandSpec[] = COMMANDS): Promise<number> {
  let debug = argv.includes('--debug');
  try {
    const { command, rest } = splitCommand(argv);
    if (command === undefined || command === 'help') {
      const parsed = parseCommandArgs(rest, undefined);
      globalOptions(parsed.values, io.env, undefined);
      if (parsed.values.version === true) {
        io.stdout.write(`${cliVersion()}\n`);
        return EXIT.ok;
      }
      const topic = parsed.positionals[0];
      if (command === 'help' && topic !== undefined) {
        io.stdout.write(commandHelp(findCommand(topic, commands)));
        return EXIT.ok;
      }
      if (parsed.values.help === true || command === 'help') {
        io.stdout.write(globalHelp(commands, cliVersion()));
        return EXIT.ok;
      }
      throw usageError('no command given', undefined, { commands: commands.map((c) => c.name) });
    }
    const spec = findCommand(command, commands);
    const parsed = parseCommandArgs(rest, spec);
    debug = parsed.values.debug === true;
    if (parsed.values.help === true) {
      io.stdout.write(commandHelp(spec));
      return EXIT.ok;
    }
    if (parsed.values.version === true) {
      io.stdout.write(`${cliVersion()}\n`);
      return EXIT.ok;
    }
    checkPositionals(parsed.positionals, spec);
    const global = globalOptions(parsed.values, io.env, spec);
    const renderers: ProgressRenderer[] = [];
    const ctx: CommandContext = {
      io,
      positionals: parsed.positionals,
      options: parsed.values,
      global,
      progress: () => {
        const r = new ProgressRenderer({ stream: io.stderr, isTTY: io.isTTY, quiet: global.quiet, ...(io.columns ? { columns: io.columns } : {}) });
        renderers.push(r);
        return r;
      },
      path: (p) => (isAbsolute(p) ? p : resolve(io.cwd, p)),
    };
    try {
      return await spec.run(ctx);
    } finally {
      // An open bar line would otherwise run into the error message.
      for (const r of renderers) r.done();
    }
  } catch (error) {
    return reportError(error, io.stderr, debug);
  }
}
