import { GLOBAL_OPTIONS, JSON_OPTION } from './args.js';
import type { CommandSpec, OptionSpec } from './command.js';

function flagLabel(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
  return `${short}--${name}${value}`;
}

const HELP_WIDTH = 100;

/** Greedy word wrap; a single word longer than the width stays on its own line. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.length > 0 ? lines : [''];
}

function table(rows: [string, string][], indent = '  '): string {
  const width = Math.max(0, ...rows.map(([a]) => a.length));
  const room = Math.max(30, HELP_WIDTH - indent.length - width - 2);
  const pad = ' '.repeat(indent.length + width + 2);
  return rows
    .map(([a, b]) => {
      const [first, ...more] = wrap(b, room);
      return [`${indent}${a.padEnd(width)}  ${first}`, ...more.map((l) => `${pad}${l}`)].join('\n');
    })
    .join('\n');
}

function optionRows(options: Record<string, OptionSpec>): [string, string][] {
  return Object.entries(options).map(([name, spec]) => [flagLabel(name, spec), `${spec.description}${spec.multiple ? ' Repeatable.' : ''}`]);
}

/** Usage line of a command, e.g. `quantforge convert <in.onnx> <out.onnx> [flags]`. */
export function usageLine(spec: CommandSpec): string {
  const pos = spec.positionals.map((p) => (p.required === false ? `[${p.name}]` : `<${p.name}>`));
  return ['quantforge', spec.name, ...pos, '[flags]'].join(' ');
}

/** `quantforge <command> --help`. */
export function commandHelp(spec: CommandSpec): string {
  const parts: string[] = [`Usage: ${usageLine(spec)}`, '', spec.description ?? spec.summary];
  if (spec.positionals.length > 0) {
    parts.push('', 'Arguments:', table(spec.positionals.map((p) => [`<${p.name}>`, p.description])));
  }
  const own = { ...(spec.json ? { json: JSON_OPTION } : {}), ...spec.options };
  if (Object.keys(own).length > 0) parts.push('', 'Flags:', table(optionRows(own)));
  parts.push('', 'Global flags:', table(optionRows(GLOBAL_OPTIONS)));
  if (spec.examples && spec.examples.length > 0) parts.push('', 'Examples:', spec.examples.map((e) => `  ${e}`).join('\n'));
  return `${parts.join('\n')}\n`;
}

/** `quantforge --help`. */
export function globalHelp(commands: readonly CommandSpec[], version: string): string {
  return [
    `quantforge ${version} — quantize ONNX models`,
    '',
    'Usage: quantforge <command> [arguments] [flags]',
    '',
    'Commands:',
    table(commands.map((c) => [c.name, c.summary])),
    '',
    'Global flags (accepted by every command, before or after it):',
    table(optionRows(GLOBAL_OPTIONS)),
    '',
    'Deploy to a microcontroller in one command: a C project, a report with flash, RAM and the simulated',
    'integer program\'s accuracy, and a bit-exact check of the built code on the host and on QEMU:',
    '  quantforge quantize model.onnx --target cortex-m4 --calib DATA --eval DATA [--labels FILE] \\',
    '    --emit c --out DIR --verify',
    '"quantforge targets" lists the targets.',
    '',
    'Environment: QUANTFORGE_WORKERS=N sets the default for --workers.',
    'Exit codes: 0 success, 1 usage error (QF_CLI_USAGE), 2 any other error.',
    'Run "quantforge <command> --help" for the flags of a command.',
    '',
  ].join('\n');
}
