import { QuantforgeError } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../src/command.js';
import { COMMANDS } from '../src/commands/index.js';
import { runCli } from './helpers.js';

const failing = (error: unknown): CommandSpec => ({
  name: 'fail',
  summary: 'always fails',
  positionals: [],
  options: {},
  run: async () => {
    throw error;
  },
});

const echo: CommandSpec = {
  name: 'echo',
  summary: 'prints its context',
  positionals: [{ name: 'word', description: 'a word' }],
  options: {},
  json: true,
  run: async (ctx) => {
    ctx.io.stdout.write(JSON.stringify({ word: ctx.positionals[0], global: ctx.global, path: ctx.path('rel') }));
    const p = ctx.progress();
    p.update({ stage: 'work', done: 1, total: 2 });
    return 0;
  },
};

describe('help and version', () => {
  it('lists every command on --help and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.out).toContain(`  ${c.name}`);
    expect(r.out).toContain('--workers N');
    expect(r.err).toBe('');
  });

  it('prints the help of a command with --help or via "help <command>"', async () => {
    const a = await runCli(['inspect', '--help']);
    const b = await runCli(['help', 'inspect']);
    expect(a.code).toBe(0);
    expect(a.out).toContain('Usage: quantforge inspect <model.onnx> [flags]');
    expect(a.out).toContain('--json');
    expect(b.out).toBe(a.out);
    const run = await runCli(['run', '-h']);
    expect(run.out).toContain('--input NAME=FILE');
    expect(run.out).toContain('--output-dir DIR');
  });

  it('prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('usage errors', () => {
  it('no command: QF_CLI_USAGE, exit 1, two lines on stderr', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(1);
    expect(r.err).toBe('error QF_CLI_USAGE: no command given\nhint: run "quantforge --help" for usage\n');
    expect(r.out).toBe('');
  });

  it('unknown command suggests the closest one', async () => {
    const r = await runCli(['inspekt', 'x.onnx']);
    expect(r.code).toBe(1);
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toEqual(['error QF_CLI_USAGE: unknown command "inspekt"', expect.stringContaining('did you mean "inspect"?')]);
  });

  it('unknown flag and missing argument name the problem and the help page', async () => {
    const flag = await runCli(['inspect', 'm.onnx', '--frobnicate']);
    expect(flag.code).toBe(1);
    expect(flag.err).toBe('error QF_CLI_USAGE: unknown flag --frobnicate\nhint: run "quantforge inspect --help" for usage\n');
    const missing = await runCli(['convert', 'in.onnx']);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('error QF_CLI_USAGE: missing argument <out.onnx>\nhint: run "quantforge convert --help" for usage\n');
  });

  it('rejects a bad --workers value and a bad QUANTFORGE_WORKERS', async () => {
    expect((await runCli(['inspect', 'm.onnx', '--workers', 'two'])).err).toContain('error QF_CLI_USAGE: --workers must be a positive integer');
    expect((await runCli(['inspect', 'm.onnx'], { env: { QUANTFORGE_WORKERS: '-1' } })).code).toBe(1);
  });
});

describe('error reporting', () => {
  it('prints a QuantforgeError as code, message and its own hint, exit 2, no stack', async () => {
    const r = await runCli(['fail'], { commands: [failing(new QuantforgeError('QF_CALIBRATION', 'no samples\nat all', { hint: 'pass --data' }))] });
    expect(r.code).toBe(2);
    expect(r.err).toBe('error QF_CALIBRATION: no samples at all\nhint: pass --data\n');
  });

  it('falls back to a generic hint per code', async () => {
    const r = await runCli(['fail'], { commands: [failing(new QuantforgeError('QF_ONNX_DECODE', 'bad bytes'))] });
    expect(r.err.split('\n')[1]).toMatch(/^hint: check that the file is an ONNX model/);
    const other = await runCli(['fail'], { commands: [failing(new QuantforgeError('QF_SOMETHING_NEW', 'x'))] });
    expect(other.err.split('\n')[1]).toBe('hint: rerun with --debug for details');
  });

  it('shows foreign errors as QF_INTERNAL without a stack', async () => {
    const r = await runCli(['fail'], { commands: [failing(new TypeError('x is undefined'))] });
    expect(r.code).toBe(2);
    expect(r.err).toBe('error QF_INTERNAL: TypeError: x is undefined\nhint: this is a bug in Quantforge; rerun with --debug and report the stack trace\n');
  });

  it('adds details and the stack trace with --debug', async () => {
    const r = await runCli(['fail', '--debug'], { commands: [failing(new QuantforgeError('QF_IO', 'nope', { details: { path: '/x' } }))] });
    expect(r.code).toBe(2);
    const lines = r.err.split('\n');
    expect(lines[0]).toBe('error QF_IO: nope');
    expect(lines[2]).toBe('details: {"path":"/x"}');
    expect(r.err).toContain('main.test.ts');
  });
});

describe('command context', () => {
  it('passes global flags parsed anywhere, QUANTFORGE_WORKERS and a quiet progress renderer', async () => {
    const r = await runCli(['--workers', '3', 'echo', 'hi', '--quiet', '--json'], { commands: [echo], isTTY: true });
    expect(r.code).toBe(0);
    const ctx = JSON.parse(r.out) as { word: string; global: Record<string, unknown>; path: string };
    expect(ctx.word).toBe('hi');
    expect(ctx.global).toEqual({ quiet: true, debug: false, json: true, workers: 3 });
    expect(ctx.path.endsWith('/rel')).toBe(true);
    expect(r.err).toBe('');
    const env = await runCli(['echo', 'hi'], { commands: [echo], env: { QUANTFORGE_WORKERS: '5' } });
    expect((JSON.parse(env.out) as { global: { workers: number } }).global.workers).toBe(5);
    expect(env.err).toBe('work: 1/2 (50%)\n');
    // On a terminal the unfinished bar gets its line ended when the command returns.
    const tty = await runCli(['echo', 'hi'], { commands: [echo], isTTY: true });
    expect(tty.err).toBe(`\rwork [${'#'.repeat(12)}${'-'.repeat(12)}]  50% 1/2\n`);
  });
});
