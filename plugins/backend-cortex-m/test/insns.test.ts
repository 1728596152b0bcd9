import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Program, ProgramOp } from '@quantforge/core';
import { countInstructions, emitC, writeCProject, type InstructionCounts } from '../src/index.js';
import { evalImages, lowerFashionMnist, MODEL_PATH, simulatedLogits } from './emit-fashion-mnist.js';
import { HAS_ARM, MISSING_TOOLCHAIN, run } from './emit-toolchain.js';

const N = 48;
const READY = HAS_ARM && existsSync(MODEL_PATH);

/** Multiply-accumulates of a conv or fully-connected op, from its lowered parameters. */
function macs(op: ProgramOp): number {
  const p = op.params as Record<string, number[] | number>;
  if (op.targetOp === 'fully-connected') return (p.accumDepth as number) * (p.outputDepth as number) * (p.batches as number);
  const [, oh = 1, ow = 1, oc = 1] = p.outputDims as number[];
  const [, kh = 1, kw = 1, kc = 1] = p.filterDims as number[];
  return oh * ow * oc * kh * kw * kc;
}

/** A program with one reshape copy, for the checks that need no toolchain. */
function copyProgram(): Program {
  const t = (id: number, name: string, kind: 'input' | 'output', offset: number) => ({
    id, name, kind, dtype: 'int8' as const, dims: [1, 2, 2, 3], bytes: 12, placement: 'arena' as const, offset, scale: 0.1, zeroPoint: -3,
  });
  return {
    version: 1, target: 'cortex-m4', layout: 'NHWC', rounding: 'double', tensors: [t(0, 'x', 'input', 0), t(1, 'y', 'output', 12)],
    ops: [{ node: 'reshape', fused: [], targetOp: 'reshape', kernel: 'copy', inputs: [0], outputs: [1], params: {} }], inputs: [0], outputs: [1],
    memory: { arenaBytes: 24, liveLowerBoundBytes: 24, flash: { weightsBytes: 0, biasBytes: 0, paramsBytes: 0, codeBytes: 0, totalBytes: 0 } },
  };
}

describe('layer marks and countInstructions arguments (no toolchain needed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-insns-args-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('emits the plugin, a layer table and a mark before every op and after the last, only under QF_LAYER_MARKS', () => {
    const files = emitC(copyProgram());
    expect(files['tools/qf_insncount.c']).toContain('int qemu_plugin_version = 1;');
    expect(JSON.parse(files['layers.json'] as string)).toEqual({
      version: 1, marker: 'qf_layer_mark', markerInsns: 2, sampleFloats: 12, layers: [{ index: 0, node: 'reshape', op: 'reshape', kernel: 'copy' }],
    });
    const c = files['model.c'] as string;
    expect(c.match(/QF_LAYER_MARK\(\);/g)).toHaveLength(2);
    expect(c).toMatch(/#ifdef QF_LAYER_MARKS[\s\S]*noinline[\s\S]*#else\n#define QF_LAYER_MARK\(\) \(\(void\)0\)/);
    expect(files.Makefile).toContain('LAYER_MARKS ?= -DQF_LAYER_MARKS');
    expect(files.Makefile).toMatch(/^qemu-count: qemu \$\(PLUGIN\)$/m);
    expect(files['README.md']).toContain('make qemu-count IN=in.f32 OUT=out.f32 INSNS=insns.txt');
  });

  it('rejects a bad cpu, timeout, project or input with codes', async () => {
    const project = writeCProject(copyProgram(), join(dir, 'copy'));
    writeFileSync(join(project, 'odd.f32'), new Float32Array(13));
    await expect(countInstructions(project, { input: join(project, 'odd.f32'), cpu: 'cortex-a53' })).rejects.toMatchObject({ code: 'QF_OPTIONS_INVALID' });
    await expect(countInstructions(project, { input: join(project, 'odd.f32'), timeoutMs: 0 })).rejects.toMatchObject({ code: 'QF_OPTIONS_INVALID' });
    await expect(countInstructions(project, { input: join(project, 'odd.f32') })).rejects.toMatchObject({ code: 'QF_INVALID_ARGUMENT' });
    await expect(countInstructions(project, { input: join(project, 'none.f32') })).rejects.toMatchObject({ code: 'QF_IO' });
    await expect(countInstructions(dir, { input: join(project, 'odd.f32') })).rejects.toMatchObject({ code: 'QF_IO' });
  });
});

describe.skipIf(!READY)(`instruction counts of Fashion-MNIST on QEMU (qf_insncount plugin) ${READY ? '' : MISSING_TOOLCHAIN}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-insns-'));
  let program: Program;
  let project: string;
  let want: Buffer;
  let first: InstructionCounts;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    program = await lowerFashionMnist();
    project = writeCProject(program, join(dir, 'fashion-m4'));
    const x = evalImages(N);
    writeFileSync(join(project, 'in.f32'), x);
    want = Buffer.from(simulatedLogits(program, x, N).buffer);
    first = await countInstructions(project, { input: join(project, 'in.f32'), cpu: 'cortex-m4', output: join(project, 'counted.f32') });
    console.log(`cortex-m4: ${first.perInference[0]} instructions per inference (${first.markerInsns} of them marks), total ${first.total} for ${N} samples; `
      + first.perLayer.map((l) => `${l.node} ${l.op} ${l.insns}`).join(', '));
  }, 180_000);

  it('is deterministic: a second run gives identical counts', async () => {
    // Same paths too: the total includes picolibc parsing the semihosting command line, so argv lengths count.
    expect(await countInstructions(project, { input: join(project, 'in.f32'), cpu: 'cortex-m4', output: join(project, 'counted.f32') })).toEqual(first);
  });

  it('on cortex-m4 every inference executes exactly the same number of instructions (no data-dependent branches)', () => {
    expect(first.samples).toBe(N);
    expect(first.perInference).toHaveLength(N);
    expect(new Set(first.perInference).size).toBe(1);
    // The rest of the run (start-up, soft-float quantize/dequantize, semihosted file I/O) is counted in the total only.
    expect(first.total).toBeGreaterThan(N * first.perInference[0]!);
  });

  it('names every op, and the layers plus 2 instructions per mark add up to the inference', () => {
    expect(first.perLayer.map((l) => [l.index, l.node, l.op])).toEqual(program.ops.map((op, i) => [i, op.node, op.targetOp]));
    expect(first.markerInsns).toBe(2 * program.ops.length);
    expect(first.perLayer.reduce((s, l) => s + l.insns, 0)).toBe(first.perInference[0]! - first.markerInsns);
    for (const l of first.perLayer) expect(l.insns).toBeGreaterThan(0);
  });

  it('the convolutions dominate, and MAC layers cost a sane number of instructions per MAC', () => {
    const byCost = [...first.perLayer].sort((a, b) => b.insns - a.insns);
    expect(byCost.slice(0, 2).map((l) => l.op)).toEqual(['conv2d', 'conv2d']);
    const conv = first.perLayer.filter((l) => l.op === 'conv2d').reduce((s, l) => s + l.insns, 0);
    expect(conv / first.perInference[0]!).toBeGreaterThan(0.85);
    const fc = first.perLayer.filter((l) => l.op === 'fully-connected');
    expect(fc[0]!.insns).toBeGreaterThan(fc[1]!.insns);
    for (const l of first.perLayer.filter((x) => x.op === 'conv2d' || x.op === 'fully-connected')) {
      const perMac = l.insns / macs(program.ops[l.index]!);
      // The scalar kernels pay at least a load pair and a multiply-add per MAC, and at most a generic tap loop's bounds
      // checks and one requantization per output (conv1 has one input channel, so its per-output overhead shows most).
      expect(perMac).toBeGreaterThan(3);
      expect(perMac).toBeLessThan(60);
    }
  });

  it('with the plugin loaded the outputs stay bit-identical to the simulator and to qemu-run without it', () => {
    const counted = readFileSync(join(project, 'counted.f32'));
    expect(Buffer.compare(counted, want)).toBe(0);
    run('make', ['qemu-run', 'IN=in.f32', 'OUT=plain.f32'], project);
    expect(Buffer.compare(readFileSync(join(project, 'plain.f32')), counted)).toBe(0);
  });

  it('the host build has no marks; the ARM ELF has one and still matches the host', () => {
    run('make', ['host'], project);
    run('./build/host/runner', ['in.f32', 'host.f32'], project);
    expect(Buffer.compare(readFileSync(join(project, 'host.f32')), want)).toBe(0);
    expect(run('nm', ['build/host/runner'], project).stdout).not.toContain('qf_layer_mark');
    expect(run('arm-none-eabi-nm', ['build/cortex-m4/runner.elf'], project).stdout).toMatch(/ T qf_layer_mark$/m);
  });

  it('a run cut off by timeoutMs fails with QF_TOOLCHAIN', async () => {
    const other = writeCProject(program, join(dir, 'timeout'));
    await expect(countInstructions(other, { input: join(project, 'in.f32'), timeoutMs: 50 })).rejects.toMatchObject({ code: 'QF_TOOLCHAIN', message: expect.stringContaining('timed out') });
  });
});

// A guest whose instruction count is known from its source: `spin(k)` is a two-instruction loop run k times, in asm so
// the compiler cannot reshape it; qf_layer_mark is the same bare function model.c defines.
const LOOP_C = `#include <stdlib.h>
__attribute__((noinline)) void qf_layer_mark(void) { __asm__ volatile(""); }
__attribute__((noinline)) static void spin(unsigned k)
{
    __asm__ volatile("1: subs %0, %0, #1\\n\\tbne 1b" : "+r"(k) : : "cc");
}
int main(int argc, char **argv)
{
    unsigned k = (unsigned)atoi(argv[argc - 1]);
    qf_layer_mark();
    qf_layer_mark();
    spin(k);
    qf_layer_mark();
    return (int)(k & 0x7f);
}
`;

const M4 = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=soft', '-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '--specs=picolibc.specs',
  '--oslib=semihost', '--crt0=semihost', '-Wl,--defsym=__flash=0x0,--defsym=__flash_size=0x400000,--defsym=__ram=0x20000000,--defsym=__ram_size=0x400000',
  '-T', 'picolibc.ld'];

describe.skipIf(!HAS_ARM)(`qf_insncount on a known loop ${HAS_ARM ? '' : MISSING_TOOLCHAIN}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-insns-loop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const plugin = join(dir, 'libqf_insncount.so');
  const source = new URL('../c/tools/qf_insncount.c', import.meta.url).pathname;

  beforeAll(() => {
    writeFileSync(join(dir, 'loop.c'), LOOP_C);
    run('cc', ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', '-o', plugin, source], dir);
    run('arm-none-eabi-gcc', [...M4, '-o', 'loop.elf', 'loop.c'], dir);
  });

  function marks(k: number): { total: number; at: number[] } {
    const nm = run('arm-none-eabi-nm', ['loop.elf'], dir).stdout;
    const mark = /^([0-9a-f]+) T qf_layer_mark$/m.exec(nm)![1]!;
    const out = join(dir, `k${k}.txt`);
    const r = spawnSync('qemu-system-arm', ['-M', 'mps2-an386', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-chardev', 'stdio,id=con',
      '-semihosting-config', `enable=on,target=native,chardev=con,arg=loop,arg=${k}`, '-plugin', `${plugin},out=${out},mark=0x${mark}`, '-kernel', 'loop.elf'],
    { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    expect(r.status).toBe(k & 0x7f);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain(`mark 0x${mark} 3\n`);
    return { total: Number(/^insns (\d+)$/m.exec(text)![1]), at: [...text.matchAll(/^at (\d+)$/gm)].map((m) => Number(m[1])) };
  }

  it('back-to-back marks are 2 instructions apart and a k-iteration loop costs exactly 2k + 4', () => {
    for (const k of [1, 10, 1000, 100_000]) {
      const { total, at } = marks(k);
      expect(at[1]! - at[0]!).toBe(2);
      // subs + bne per iteration; + the bx lr of spin, the bl to the marker and its bx lr, and the bl to spin.
      expect(at[2]! - at[1]!).toBe(2 * k + 4);
      expect(total).toBeGreaterThan(at[2]!);
    }
  });

  it('rejects unknown plugin options (QEMU refuses to start)', () => {
    const r = spawnSync('qemu-system-arm', ['-M', 'mps2-an386', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-semihosting',
      '-plugin', `${plugin},out=x.txt,pcs=on`, '-kernel', 'loop.elf'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('unknown option pcs=on');
  });
});
