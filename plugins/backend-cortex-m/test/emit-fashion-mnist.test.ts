import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Program } from '@quantforge/core';
import { emitC, writeCProject } from '../src/index.js';
import { evalImages, lowerFashionMnist, MODEL_PATH, simulatedLogits } from './emit-fashion-mnist.js';
import { HAS_ARM, MISSING_TOOLCHAIN, run } from './emit-toolchain.js';

const N = 200;
const READY = HAS_ARM && existsSync(MODEL_PATH);

/** Sums the TOTALS line of `arm-none-eabi-size -t`: text (code + rodata), data, bss. */
function sizeTotals(stdout: string): { text: number; data: number; bss: number } {
  const line = stdout.split('\n').find((l) => l.includes('(TOTALS)'));
  const [text, data, bss] = (line ?? '').trim().split(/\s+/).map(Number);
  return { text: text!, data: data!, bss: bss! };
}

describe.skipIf(!READY)(`Fashion-MNIST on cortex-m4: emitted C vs the simulator ${READY ? '' : MISSING_TOOLCHAIN}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-emit-fm-'));
  let program: Program;
  let project: string;
  let want: Buffer;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    program = await lowerFashionMnist();
    project = writeCProject(program, join(dir, 'fashion-m4'));
    const x = evalImages(N);
    writeFileSync(join(project, 'in.f32'), x);
    want = Buffer.from(simulatedLogits(program, x, N).buffer);
  }, 90_000);

  it('links the two big weight tensors with .incbin and keeps the rest as C arrays', () => {
    const files = emitC(program);
    expect(Object.keys(files).filter((k) => k.startsWith('weights/')).sort()).toEqual(['weights/w12_fc1_weight.bin', 'weights/w7_conv2_weight.bin']);
    expect((files['weights/w12_fc1_weight.bin'] as Uint8Array).length).toBe(51200);
    expect(files['model_weights.c']).toContain('w2_conv1_weight[144]');
  });

  it(`host build (gcc -Wall -Wextra -Werror -std=c99): ${N} eval images bit-identical to the simulator`, () => {
    const build = run('make', ['host'], project);
    expect(build.stdout).toMatch(/-std=c99 -Wall -Wextra -Werror/);
    const r = run('./build/host/runner', ['in.f32', 'host.f32'], project);
    expect(r.stdout).toContain(`runner: ${N} samples`);
    const got = readFileSync(join(project, 'host.f32'));
    expect(got.length).toBe(N * 10 * 4);
    expect(Buffer.compare(got, want)).toBe(0);
    console.log(`host: build ${build.ms} ms, ${N} samples ${r.ms} ms`);
  });

  it(`QEMU mps2-an386 (arm-none-eabi-gcc, cortex-m4): ${N} eval images bit-identical to the simulator and the host`, () => {
    const build = run('make', ['qemu'], project);
    expect(build.stdout).toMatch(/arm-none-eabi-gcc -mcpu=cortex-m4 .*-Werror/);
    const r = run('make', ['qemu-run', 'IN=in.f32', 'OUT=qemu.f32'], project);
    expect(r.stdout).toContain(`runner: ${N} samples`);
    const got = readFileSync(join(project, 'qemu.f32'));
    expect(Buffer.compare(got, want)).toBe(0);
    expect(Buffer.compare(got, readFileSync(join(project, 'host.f32')))).toBe(0);
    console.log(`qemu: build ${build.ms} ms, ${N} samples ${r.ms} ms`);
  });

  it('flash and RAM from arm-none-eabi-size are within 10 % of the backend\'s estimate', () => {
    const objs = ['model.o', 'model_weights.o', 'model_blobs.o', 'qf_conv.o', 'qf_fully_connected.o', 'qf_max_pool.o'].map((o) => `build/cortex-m4/${o}`);
    const model = sizeTotals(run('arm-none-eabi-size', ['-t', ...objs], project).stdout);
    const elf = spawnSync('arm-none-eabi-size', ['build/cortex-m4/runner.elf'], { cwd: project, encoding: 'utf8' }).stdout.trim();
    const flash = model.text + model.data;
    const ram = model.data + model.bss;
    const est = program.memory;
    console.log(`model objects: flash ${flash} B (estimate ${est.flash.totalBytes}, ${((100 * (flash - est.flash.totalBytes)) / est.flash.totalBytes).toFixed(1)} %), `
      + `RAM ${ram} B (estimate ${est.arenaBytes}); whole runner ELF (with picolibc, stdio, semihosting, 8 KiB stack):\n${elf}`);
    expect(Math.abs(flash - est.flash.totalBytes)).toBeLessThanOrEqual(0.1 * est.flash.totalBytes);
    expect(Math.abs(ram - est.arenaBytes)).toBeLessThanOrEqual(0.1 * est.arenaBytes);
    // The weights alone are a floor: every int8 weight byte is in flash.
    expect(flash).toBeGreaterThan(est.flash.weightsBytes);
  });
});
