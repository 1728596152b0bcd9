import { describe, expect, it } from 'vitest';
import { checkPositionals, globalOptions, parseCommandArgs, splitCommand } from '../src/args.js';
import type { CommandSpec } from '../src/command.js';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'demo',
  positionals: [{ name: 'a', description: 'a' }, { name: 'b', description: 'b', required: false }],
  options: {
    input: { type: 'string', multiple: true, description: 'in' },
    'output-dir': { type: 'string', description: 'out' },
    flag: { type: 'boolean', description: 'f' },
  },
  json: true,
  run: async () => 0,
};

function usage(fn: () => unknown): { code: string; message: string; hint?: string } {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string; hint?: string };
  }
  throw new Error('expected a usage error');
}

describe('splitCommand', () => {
  it('finds the command after global flags and their values', () => {
    expect(splitCommand(['--workers', '3', '--quiet', 'inspect', 'm.onnx'])).toEqual({ command: 'inspect', rest: ['--workers', '3', '--quiet', 'm.onnx'] });
    expect(splitCommand(['--workers=3', 'run', 'm.onnx'])).toEqual({ command: 'run', rest: ['--workers=3', 'm.onnx'] });
    expect(splitCommand(['-q', '--debug'])).toEqual({ command: undefined, rest: ['-q', '--debug'] });
  });
});

describe('parseCommandArgs', () => {
  it('collects repeated flags, booleans, global flags and positionals in any order', () => {
    const p = parseCommandArgs(['x', '--input', 'a=1.pb', '--flag', '--input=b=2.pb', '-q', '--workers', '2', '--json', 'y'], spec);
    expect(p.positionals).toEqual(['x', 'y']);
    expect(p.values).toEqual({ input: ['a=1.pb', 'b=2.pb'], flag: true, quiet: true, workers: '2', json: true });
  });

  it('treats everything after -- as positional', () => {
    expect(parseCommandArgs(['--', '--flag'], spec).positionals).toEqual(['--flag']);
  });

  it('rejects unknown flags with QF_CLI_USAGE naming the flag and the help page', () => {
    const e = usage(() => parseCommandArgs(['--nope'], spec));
    expect(e.code).toBe('QF_CLI_USAGE');
    expect(e.message).toBe('unknown flag --nope');
    expect(e.hint).toContain('quantforge demo --help');
  });

  it('rejects --json on commands that do not declare it', () => {
    const e = usage(() => parseCommandArgs(['--json'], { ...spec, json: false }));
    expect(e.message).toBe('unknown flag --json');
  });

  it('rejects a string flag without value and a boolean flag with one', () => {
    expect(usage(() => parseCommandArgs(['--output-dir'], spec)).message).toBe('flag --output-dir needs a value');
    expect(usage(() => parseCommandArgs(['--output-dir', '--flag'], spec)).message).toBe('flag --output-dir needs a value');
    expect(usage(() => parseCommandArgs(['--flag=yes'], spec)).message).toBe('flag --flag takes no value');
  });
});

describe('checkPositionals', () => {
  it('names the missing argument and the unexpected one', () => {
    expect(usage(() => checkPositionals([], spec)).message).toBe('missing argument <a>');
    expect(usage(() => checkPositionals(['1', '2', '3'], spec)).message).toBe('unexpected argument "3"');
    expect(() => checkPositionals(['1'], spec)).not.toThrow();
  });
});

describe('globalOptions', () => {
  it('takes --workers over QUANTFORGE_WORKERS and validates both', () => {
    expect(globalOptions({ workers: '4' }, { QUANTFORGE_WORKERS: '2' }, spec).workers).toBe(4);
    expect(globalOptions({}, { QUANTFORGE_WORKERS: '2' }, spec).workers).toBe(2);
    expect(globalOptions({}, {}, spec).workers).toBeUndefined();
    expect(usage(() => globalOptions({ workers: '0' }, {}, spec)).message).toBe('--workers must be a positive integer, got "0"');
    expect(usage(() => globalOptions({}, { QUANTFORGE_WORKERS: 'many' }, spec)).message).toBe('QUANTFORGE_WORKERS must be a positive integer, got "many"');
  });
});
