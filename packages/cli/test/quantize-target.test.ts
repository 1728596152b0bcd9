import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dequantizeOutput, probeToolchain, quantizeInput, simulateCortexM } from '@quantforge/backend-cortex-m';
import { QuantizeReportSchema, type Program, type TargetReport } from '@quantforge/core';
import { Value } from '@sinclair/typebox/value';
import { readNpy } from '@quantforge/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO, runCli, tempDir } from './helpers.js';

// `quantize --target cortex-m4 --emit c --verify`: the one command that gives the C project, the report and the
// bit-exact proof, run as users run it (the built dist/bin.js) on the Fashion-MNIST demo.
const FMNIST = join(REPO, 'examples/fashion-mnist');
const MODEL = join(FMNIST, 'model/model.onnx');
const CALIB = join(FMNIST, 'data/calib');
const EVAL = join(FMNIST, 'data/eval');
const LABELS = join(FMNIST, 'data/eval/labels.npy');
const TOOLCHAIN = await probeToolchain();

interface Report {
  model: { nodes: number };
  evaluation: { accuracy: { float: number; quantized: number; rows: number } | null } | null;
  target: TargetReport;
  warnings: string[];
}

function cli(args: string[]): { code: number | null; out: string; err: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - t0 };
}

/** The program the CLI lowered, rebuilt through the API with the CLI's defaults (uniform, seed 0: deterministic). */
async function apiProgram(): Promise<Program> {
  const [{ quantforge }, { cortexMPlugin }, { uniform }] = await Promise.all([
    import('../src/api/index.js'), import('@quantforge/backend-cortex-m'), import('@quantforge/scheme-uniform'),
  ]);
  const result = await quantforge(MODEL).use(uniform({})).recipe({ scheme: 'uniform', mode: 'static' })
    .target(cortexMPlugin, { target: 'cortex-m4' }).calibrate(CALIB).run({ seed: 0 });
  return result.target!.program!;
}

describe('quantforge quantize --target cortex-m4 --emit c --verify on Fashion-MNIST (built CLI)', () => {
  const tmp = tempDir();
  const out = join(tmp.dir, 'fm-m4');
  const rep = join(tmp.dir, 'report.json');
  let run: ReturnType<typeof cli>;
  let j: Report;
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build the quantforge package first`);
    run = cli(['quantize', MODEL, '--target', 'cortex-m4', '--calib', CALIB, '--eval', EVAL, '--labels', LABELS, '--emit', 'c', '--out', out, '--report', rep, '--verify']);
    console.log(`quantize --target cortex-m4 --emit c --verify: exit ${run.code}, ${(run.ms / 1000).toFixed(1)} s\n${run.out}${run.err.split('\n').filter((l) => !/^\w+: \d+\/\d+/.test(l)).join('\n')}`);
    j = JSON.parse(readFileSync(rep, 'utf8')) as Report;
  }, 600_000);
  afterAll(() => tmp.cleanup());

  it('exits 0 and writes the C project, the report and no ONNX model', () => {
    expect(run.err).not.toMatch(/^error/m);
    expect(run.code).toBe(0);
    for (const f of ['Makefile', 'README.md', 'model.c', 'model.h', 'model_weights.c', 'runner.c', 'qf_io.c']) expect(existsSync(join(out, f)), f).toBe(true);
    const files = readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !join(e.parentPath, e.name).startsWith(join(out, 'build')));
    expect(j.target.emit).toEqual({ format: 'c', dir: out, files: files.length });
    expect(readdirSync(tmp.dir).sort()).toEqual(['fm-m4', 'report.json']);
    expect(run.out).toMatch(/^target +cortex-m4 \(cortex-m backend\): \d+ nodes: \d+ mapped, \d+ fused, 0 fallback$/m);
    expect(run.out).toMatch(/^simulated +top-1 float 9\d\.\d\d % +simulated 9\d\.\d\d %/m);
  });

  it('the report, target section included, matches the report schema', () => {
    expect([...Value.Errors(QuantizeReportSchema, j)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
    expect(Object.keys(j.target.timingsMs!).sort()).toEqual(['emit', 'simulate', 'verify']);
  });

  it('maps every node of the graph to a kernel (or fuses it into one)', () => {
    const t = j.target;
    expect(t.name).toBe('cortex-m4');
    expect(t.nodes).toHaveLength(j.model.nodes);
    for (const n of t.nodes) {
      if (n.status === 'mapped') expect(n.kernel ?? n.targetOp, n.node).toBeTruthy();
      else expect(n.status === 'fused' && t.nodes.some((m) => m.node === n.fusedInto), n.node).toBe(true);
    }
    expect(t.summary).toEqual({ mapped: t.nodes.filter((n) => n.status === 'mapped').length, fused: t.nodes.filter((n) => n.status === 'fused').length, fallback: 0, error: 0 });
    expect(t.nodes.filter((n) => n.status === 'mapped').map((n) => n.opType).sort()).toEqual(['Conv', 'Conv', 'Flatten', 'Gemm', 'Gemm', 'MaxPool', 'MaxPool']);
    expect(t.nodes.filter((n) => n.status === 'fused').map((n) => n.opType)).toEqual(['Relu', 'Relu', 'Relu']);
    expect(t.nodes.every((n) => typeof n.kernel === 'string' && n.kernel !== '')).toBe(true);
  });

  it('reports the flash and RAM of the program the pipeline lowers', async () => {
    const p = await apiProgram();
    const m = j.target.memory!;
    expect(m.flashBytes).toBe(p.memory.flash.totalBytes);
    expect(m.flash).toEqual(p.memory.flash);
    expect(m.arenaBytes).toBe(p.memory.arenaBytes);
    expect(m.liveLowerBoundBytes).toBe(p.memory.liveLowerBoundBytes);
    expect(m.scratchBytes).toBe(Math.max(0, ...p.tensors.filter((t) => t.kind === 'scratch').map((t) => t.bytes)));
    expect(m.fits).toEqual(p.memory.fits);
  }, 120_000);

  it('the simulated integer program keeps float top-1 within 0.3 pp on the 1000 eval images', () => {
    const ev = j.target.evaluation!;
    expect(ev.samples).toBe(1000);
    expect(ev.accuracy!.rows).toBe(1000);
    expect(ev.accuracy!.float).toBe(j.evaluation!.accuracy!.float);
    expect(Math.abs(ev.accuracy!.simulated - ev.accuracy!.float)).toBeLessThanOrEqual(0.003);
    expect(ev.argmaxAgreement).toBeGreaterThan(0.98);
    expect(ev.sqnrDb!).toBeGreaterThan(20);
    expect(ev.executor).toMatch(/simulator/);
  });

  it('--verify: the host build gives the simulator\'s outputs bit for bit on 200 eval images', () => {
    const v = j.target.verify!;
    expect(v.samples).toBe(200);
    expect(v.host).toMatchObject({ samples: 200, identical: true, mismatches: 0 });
    expect(run.out).toMatch(/^verify host +200\/200 samples bit-identical$/m);
  });

  it.skipIf(!TOOLCHAIN.qemu)(`--verify: QEMU mps2-an386 gives the same bits ${TOOLCHAIN.qemu ? '' : `(skipped: missing ${TOOLCHAIN.missing.join(', ')})`}`, () => {
    expect(j.target.verify!.qemu).toMatchObject({ samples: 200, identical: true, mismatches: 0 });
  });

  it.skipIf(TOOLCHAIN.qemu)('--verify without the Arm toolchain reports QEMU as skipped with the reason', () => {
    expect(j.target.verify!.qemu).toEqual({ skipped: expect.stringMatching(/^missing /) });
  });

  it('the built host runner agrees with the simulator run here, independently of --verify', async () => {
    const p = await apiProgram();
    const n = 20;
    const x = (readNpy(readFileSync(join(EVAL, 'input.npy'))).data as Float32Array).slice(0, n * 784);
    const want = new Float32Array(n * 10);
    for (let i = 0; i < n; i++) {
      const [o] = simulateCortexM(p, [{ input: quantizeInput(p, 'input', x.subarray(i * 784, (i + 1) * 784)) }]);
      want.set(dequantizeOutput(p, 'logits', o!.logits as Int8Array), i * 10);
    }
    const dir = join(tmp.dir, 'io');
    mkdirSync(dir);
    writeFileSync(join(dir, 'in.f32'), x);
    const r = spawnSync(join(out, 'build/host/runner'), [join(dir, 'in.f32'), join(dir, 'out.f32')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out.f32')).equals(Buffer.from(want.buffer))).toBe(true);
  }, 120_000);
});

describe('quantize --target errors', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('--emit without --target is a usage error and writes nothing', async () => {
    const dir = join(tmp.dir, 'a');
    mkdirSync(dir);
    const r = await runCli(['quantize', MODEL, '--calib', CALIB, '--emit', 'c', '--out', join(dir, 'p')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error QF_CLI_USAGE: --emit needs --target NAME/m);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an unknown target is a usage error listing the known targets', async () => {
    const dir = join(tmp.dir, 'b');
    mkdirSync(dir);
    const r = await runCli(['quantize', MODEL, '--calib', CALIB, '--target', 'cortex-m9', '--emit', 'c', '--out', join(dir, 'p'), '--report', join(dir, 'r.json')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error QF_CLI_USAGE: unknown target "cortex-m9" \(known: cortex-m0plus, .*cortex-m4.*cortex-m55.*cortex-m4-int16x8.*; see "quantforge targets"\)/m);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a non-empty --out is refused (QF_IO) and left as it was, unless --force', async () => {
    const dir = join(tmp.dir, 'c');
    const project = join(dir, 'p');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'mine.txt'), 'keep me');
    const r = await runCli(['quantize', MODEL, '--calib', CALIB, '--target', 'cortex-m4', '--emit', 'c', '--out', project, '--report', join(dir, 'r.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error QF_IO: cannot emit into .*: the folder is not empty/m);
    expect(readdirSync(dir)).toEqual(['p']);
    expect(readdirSync(project)).toEqual(['mine.txt']);
    const forced = await runCli(['quantize', MODEL, '--calib', CALIB, '--calib-samples', '32', '--target', 'cortex-m4', '--emit', 'c', '--out', project, '--force', '-q']);
    expect(forced.err).not.toMatch(/^error/m);
    expect(forced.code).toBe(0);
    expect(readdirSync(project)).toContain('model.c');
    expect(readdirSync(project)).not.toContain('mine.txt');
    expect(readdirSync(dir)).toEqual(['p']);
  }, 120_000);

  it('--allow-fallback with --emit: fallback nodes leave no program, so the command fails (QF_TARGET_UNSUPPORTED) and writes nothing', async () => {
    const dir = join(tmp.dir, 'd');
    mkdirSync(dir);
    const args = ['quantize', MODEL, '--calib', CALIB, '--calib-samples', '32', '--exclude', 'Gemm', '--target', 'cortex-m4', '--allow-fallback'];
    const r = await runCli([...args, '--emit', 'c', '--out', join(dir, 'p'), '--report', join(dir, 'r.json'), '-o', join(dir, 'q.onnx')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error QF_TARGET_UNSUPPORTED: no program was lowered for cortex-m4: \d+ node\(s\) fall back to float/m);
    expect(readdirSync(dir)).toEqual([]);
    // Without --emit the same run succeeds and the report says which nodes fall back.
    const ok = await runCli([...args, '--report', join(dir, 'r.json'), '-o', join(dir, 'q.onnx'), '-q']);
    expect(ok.err).not.toMatch(/^error/m);
    expect(ok.code).toBe(0);
    const t = (JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as Report).target;
    expect(t.memory).toBeNull();
    expect(t.summary.fallback).toBeGreaterThan(0);
    expect(t.nodes.filter((n) => n.status === 'fallback').every((n) => n.reason !== undefined)).toBe(true);
  }, 120_000);

  it.each([
    [['--target', 'cortex-m4', '--verify'], /--verify needs --emit c/],
    [['--target', 'cortex-m4', '--emit', 'c', '--out', 'x', '--verify'], /--verify needs --eval PATH/],
    [['--target', 'cortex-m4', '--emit', 'h', '--out', 'x'], /--emit must be "c"/],
    [['--target', 'cortex-m4', '--emit', 'c'], /--emit c needs --out DIR/],
    [['--allow-fallback', '-o', 'q.onnx'], /--allow-fallback needs --target NAME/],
    [['--out', 'x', '-o', 'q.onnx'], /--out needs --emit c/],
    [['--target', 'cortex-m4'], /missing flag -o\/--output/],
  ])('usage: %j', async (extra, message) => {
    const r = await runCli(['quantize', MODEL, '--calib', CALIB, ...extra.map((a) => (a === 'x' || a === 'q.onnx' ? join(tmp.dir, a) : a))]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error QF_CLI_USAGE/m);
    expect(r.err).toMatch(message);
    expect(existsSync(join(tmp.dir, 'x'))).toBe(false);
  });
});
