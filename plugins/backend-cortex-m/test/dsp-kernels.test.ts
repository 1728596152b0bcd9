// The DSP (__smlad) paths of the int8 conv and fully-connected C kernels, which gcc selects for cortex-m4/m7/m33
// (__ARM_FEATURE_DSP, also m55): seeded random kernel cases compiled for cortex-m4 and run on QEMU against the TypeScript
// kernels (odd channel counts, 4-element tails, grouped, 1x1, columns too long for the stack buffer, extreme input
// offsets, a non-zero FC filter offset), and the demo model on m4 (DSP) and m3 (scalar) bit-identical to the simulator,
// with the executed-instruction counts of the DSP build against a -DQF_NO_DSP build of the same project; the depthwise
// DSP path the same way (random cases, and PaddleOCR cls counted on m4 with and without it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Program } from '@quantforge/core';
import { countInstructions, dequantizeOutput, quantizeInput, simulateCortexM, writeCProject, type InstructionCounts } from '../src/index.js';
import { conv1x1S8, convS8, depthwiseConvS8, fullyConnectedS8, type Dims4 } from '../src/kernels/index.js';
import { evalImages, lowerFashionMnist, MODEL_PATH, simulatedLogits } from './emit-fashion-mnist.js';
import { HAS_ARM, MISSING_TOOLCHAIN, run } from './emit-toolchain.js';
import { intIn, randI8, rng } from './random.js';
import { crops, HAS_CLS, lowerCls, MISSING_CLS } from './paddleocr-cls-model.js';

const C_DIR = fileURLToPath(new URL('../c/', import.meta.url));
const list = (v: ArrayLike<number>): string => Array.from(v).join(', ') || '0';
const dims = (d: Dims4): string => `{ ${d.n}, ${d.h}, ${d.w}, ${d.c} }`;
const size = (d: Dims4): number => d.n * d.h * d.w * d.c;
const outSize = (i: number, k: number, s: number, p: number, dil = 1): number => Math.floor((i + 2 * p - dil * (k - 1) - 1) / s) + 1;

interface Case { kind: string; c: string; ts: () => Int8Array; covers?: string[] }

function quant(r: () => number, n: number): { multipliers: Int32Array; shifts: Int32Array } {
  return { multipliers: Int32Array.from({ length: n }, () => intIn(r, 2 ** 30, 2 ** 31 - 1)), shifts: Int32Array.from({ length: n }, () => intIn(r, -14, -4)) };
}
// The offset extremes are where x + offset needs all 9 bits, so they are drawn often.
const offset = (r: () => number): number => (r() < 0.3 ? (r() < 0.5 ? -127 : 128) : intIn(r, -127, 128));

/** One conv-shaped kernel call's data (the TS kernels' arguments). */
interface ConvCallArgs {
  input: Int8Array; filter: Int8Array; bias: Int32Array; quant: { multipliers: ArrayLike<number>; shifts: ArrayLike<number> };
  inputDims: Dims4; filterDims: Dims4; outputDims: Dims4; inputOffset: number; outputOffset: number;
  stride: { h: number; w: number }; padding: { h: number; w: number }; dilation: { h: number; w: number }; activation: { min: number; max: number };
}

/** The C block that runs one conv-shaped kernel (`qf_conv_params`) on a case's data and prints its output. */
function convCall(fn: string, a: ConvCallArgs): string {
  const q = a.quant;
  return `{
    static const int8_t in[] = { ${list(a.input)} }, w[] = { ${list(a.filter)} };
    static const int32_t b[] = { ${list(a.bias)} }, m[] = { ${list(q.multipliers)} }, s[] = { ${list(q.shifts)} };
    static int8_t out[${size(a.outputDims)}];
    static const qf_conv_params p = { ${dims(a.inputDims)}, ${dims(a.filterDims)}, ${dims(a.outputDims)}, ${a.inputOffset}, ${a.outputOffset},
      ${a.stride.h}, ${a.stride.w}, ${a.padding.h}, ${a.padding.w}, ${a.dilation.h}, ${a.dilation.w}, ${a.activation.min}, ${a.activation.max}, m, s };
    ${fn}(&p, in, w, b, out);
    print(out, ${size(a.outputDims)});
  }`;
}

/** kind 'wide' has a column of more than 256 values (the per-tap DSP dot); '1x1' goes through conv1x1S8. */
function convCase(seed: number, kind: 'generic' | '1x1' | 'grouped' | 'wide'): Case {
  const r = rng(seed);
  const groups = kind === 'grouped' ? intIn(r, 2, 3) : 1;
  const ck = kind === 'wide' ? intIn(r, 29, 37) : intIn(r, 1, 13);
  const cIn = ck * groups;
  const cOut = groups * intIn(r, 1, 5);
  const k = kind === '1x1' ? { h: 1, w: 1 } : { h: intIn(r, 1, 3), w: kind === 'wide' ? 3 : intIn(r, 1, 5) };
  const stride = kind === '1x1' ? { h: 1, w: 1 } : { h: intIn(r, 1, 2), w: intIn(r, 1, 2) };
  const dilation = kind === '1x1' ? { h: 1, w: 1 } : { h: intIn(r, 1, 2), w: intIn(r, 1, 2) };
  const padding = kind === '1x1' ? { h: 0, w: 0 } : { h: intIn(r, 0, 2), w: intIn(r, 0, 2) };
  const inputDims = { n: intIn(r, 1, 2), h: intIn(r, 2, 6) + dilation.h * (k.h - 1), w: intIn(r, 2, 6) + dilation.w * (k.w - 1), c: cIn };
  const outputDims = {
    n: inputDims.n, h: outSize(inputDims.h, k.h, stride.h, padding.h, dilation.h), w: outSize(inputDims.w, k.w, stride.w, padding.w, dilation.w), c: cOut,
  };
  const filterDims = { n: cOut, h: k.h, w: k.w, c: ck };
  const input = randI8(r, size(inputDims));
  const filter = randI8(r, size(filterDims), -127, 127);
  const bias = Int32Array.from({ length: cOut }, () => intIn(r, -50_000, 50_000));
  const q = quant(r, cOut);
  const inputOffset = offset(r);
  const outputOffset = intIn(r, -128, 127);
  const activation = r() < 0.5 ? { min: -128, max: 127 } : { min: intIn(r, -128, -20), max: intIn(r, 20, 127) };
  const args = { input, inputDims, filter, filterDims, bias, outputDims, inputOffset, outputOffset, stride, padding, dilation, activation, quant: q };
  const c = convCall('qf_conv_s8', args);
  return { kind, c, ts: () => (kind === '1x1' ? conv1x1S8(args) : convS8(args)) };
}

function fcCase(seed: number): Case {
  const r = rng(seed);
  const batches = intIn(r, 1, 3);
  const k = r() < 0.3 ? intIn(r, 1, 7) : intIn(r, 8, 300);
  const cOut = intIn(r, 1, 9);
  const input = randI8(r, batches * k);
  const filter = randI8(r, cOut * k, -127, 127);
  const bias = Int32Array.from({ length: cOut }, () => intIn(r, -50_000, 50_000));
  const perChannel = r() < 0.5;
  const q = quant(r, perChannel ? cOut : 1);
  const inputOffset = offset(r);
  const filterOffset = r() < 0.5 ? 0 : offset(r);
  const outputOffset = intIn(r, -128, 127);
  const activation = { min: -128, max: 127 };
  const c = `{
    static const int8_t in[] = { ${list(input)} }, w[] = { ${list(filter)} };
    static const int32_t b[] = { ${list(bias)} }, m[] = { ${list(q.multipliers)} }, s[] = { ${list(q.shifts)} };
    static int8_t out[${batches * cOut}];
    static const qf_fc_params p = { ${batches}, ${k}, ${cOut}, ${inputOffset}, ${filterOffset}, ${outputOffset}, -128, 127, ${perChannel ? cOut : 1}, m, s };
    qf_fully_connected_s8(&p, in, w, b, out);
    print(out, ${batches * cOut});
  }`;
  const quantArg = perChannel ? q : { multiplier: q.multipliers[0]!, shift: q.shifts[0]! };
  return { kind: 'fc', c, ts: () => fullyConnectedS8({ input, batches, accumDepth: k, filter, outputDepth: cOut, bias, inputOffset, filterOffset, outputOffset, activation, quant: quantArg }) };
}

/** Multiplier 1 takes the four-channel DSP path (odd counts leave a 1-3 channel scalar tail); 2 stays scalar. */
function depthwiseCase(seed: number, mult: 1 | 2): Case {
  const r = rng(seed);
  const cIn = mult === 1 ? intIn(r, 1, 19) : intIn(r, 1, 7);
  const cOut = cIn * mult;
  const k = { h: intIn(r, 1, 5), w: intIn(r, 1, 5) };
  const stride = { h: intIn(r, 1, 2), w: intIn(r, 1, 2) };
  const dilation = r() < 0.3 ? { h: intIn(r, 1, 2), w: intIn(r, 1, 2) } : { h: 1, w: 1 };
  const padding = { h: intIn(r, 0, 2), w: intIn(r, 0, 2) };
  const inputDims = { n: intIn(r, 1, 2), h: intIn(r, 1, 6) + dilation.h * (k.h - 1), w: intIn(r, 1, 6) + dilation.w * (k.w - 1), c: cIn };
  const outputDims = {
    n: inputDims.n, h: outSize(inputDims.h, k.h, stride.h, padding.h, dilation.h), w: outSize(inputDims.w, k.w, stride.w, padding.w, dilation.w), c: cOut,
  };
  const filterDims = { n: 1, h: k.h, w: k.w, c: cOut };
  const input = randI8(r, size(inputDims));
  const filter = randI8(r, size(filterDims), -127, 127);
  const bias = Int32Array.from({ length: cOut }, () => intIn(r, -20_000, 20_000));
  const q = quant(r, cOut);
  const inputOffset = offset(r);
  const outputOffset = intIn(r, -128, 127);
  const activation = r() < 0.5 ? { min: -128, max: 127 } : { min: intIn(r, -128, -20), max: intIn(r, 20, 127) };
  const args = { input, inputDims, filter, filterDims, bias, outputDims, inputOffset, outputOffset, stride, padding, dilation, activation, quant: q };
  const c = convCall('qf_depthwise_conv_s8', args);
  const covers = [cIn >= 4 && 'block', cIn % 4 !== 0 && 'tail', (padding.h > 0 || padding.w > 0) && 'pad', (stride.h > 1 || stride.w > 1) && 'stride',
    (dilation.h > 1 || dilation.w > 1) && 'dilation', (inputOffset === -127 || inputOffset === 128) && `offset ${inputOffset}`].filter((t): t is string => t !== false);
  return { kind: `depthwise-m${mult}`, c, ts: () => depthwiseConvS8(args), covers: covers.map((t) => `m${mult} ${t}`) };
}

const cases: Case[] = [];
for (let i = 0; i < 10; i++) {
  cases.push(convCase(100 + i, 'generic'), convCase(200 + i, '1x1'), convCase(300 + i, 'grouped'), fcCase(500 + i));
  if (i < 3) cases.push(convCase(400 + i, 'wide'));
}
for (let i = 0; i < 12; i++) cases.push(depthwiseCase(600 + i, i < 9 ? 1 : 2));

const MAIN_C = `#include <stdio.h>
#include "qf_kernels.h"
static void print(const int8_t *v, int n) { int i; for (i = 0; i < n; i++) printf("%d ", v[i]); printf("\\n"); }
int main(void) {
${cases.map((c) => c.c).join('\n')}
  return 0;
}
`;

const ARM = ['-mthumb', '-mfloat-abi=soft', '-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '--specs=picolibc.specs', '--oslib=semihost', '--crt0=semihost',
  '-Wl,--defsym=__flash=0x0,--defsym=__flash_size=0x400000,--defsym=__ram=0x20000000,--defsym=__ram_size=0x400000', '-T', 'picolibc.ld'];

describe.skipIf(!HAS_ARM)(`DSP int8 kernels on QEMU cortex-m4 vs the TypeScript kernels (${cases.length} seeded cases) ${HAS_ARM ? '' : MISSING_TOOLCHAIN}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-dsp-kernels-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function qemuLines(cpu: string, machine: string): string[] {
    const srcs = ['qf_conv.c', 'qf_depthwise_conv.c', 'qf_fully_connected.c'].map((f) => join(C_DIR, f));
    run('arm-none-eabi-gcc', [`-mcpu=${cpu}`, ...ARM, `-I${dir}`, `-I${C_DIR}`, '-o', `${cpu}.elf`, 'main.c', ...srcs], dir);
    const dis = run('arm-none-eabi-objdump', ['-d', `${cpu}.elf`], dir).stdout;
    expect({ cpu, smlad: /\bsmlad\b/.test(dis) }).toEqual({ cpu, smlad: cpu !== 'cortex-m3' });
    const r = spawnSync('qemu-system-arm', ['-M', machine, '-display', 'none', '-monitor', 'none', '-serial', 'none', '-chardev', 'stdio,id=con',
      '-semihosting-config', 'enable=on,target=native,chardev=con', '-kernel', `${cpu}.elf`], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim().split('\n');
  }

  it('every output of every case is identical on cortex-m4 (DSP) and cortex-m3 (scalar)', () => {
    writeFileSync(join(dir, 'qf_config.h'), '#define QF_SINGLE_ROUNDING 0\n');
    writeFileSync(join(dir, 'main.c'), MAIN_C);
    const want = cases.map((c) => Array.from(c.ts()));
    const clamped = want.flat().filter((v) => v === -128 || v === 127).length;
    // The cases reach the clamp and the inside of the range, so a wrong sum cannot hide behind saturation.
    expect(clamped).toBeGreaterThan(0);
    expect(clamped).toBeLessThan(want.flat().length / 2);
    const covered = new Set(cases.flatMap((c) => c.covers ?? []));
    const need = ['block', 'tail', 'pad', 'stride', 'dilation', 'offset -127', 'offset 128'].map((t) => `m1 ${t}`).concat('m2 tail', 'm2 pad', 'm2 stride');
    expect(need.filter((t) => !covered.has(t))).toEqual([]);
    console.log(`depthwise cases cover: ${[...covered].sort().join(', ')}`);
    for (const [cpu, machine] of [['cortex-m4', 'mps2-an386'], ['cortex-m3', 'mps2-an385']] as const) {
      const lines = qemuLines(cpu, machine);
      expect(lines.length).toBe(cases.length);
      cases.forEach((c, i) => {
        const got = lines[i]!.trim().split(/\s+/).map(Number);
        expect({ cpu, case: i, kind: c.kind, got }).toEqual({ cpu, case: i, kind: c.kind, got: want[i] });
      });
    }
  });
});

const N = 50;
const READY = HAS_ARM && existsSync(MODEL_PATH);
// gcc defines __ARM_FEATURE_DSP for cortex-m55 too (Armv8.1-M with MVE includes the DSP extension).
const CPUS = ['cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55'] as const;

describe.skipIf(!READY)(`Fashion-MNIST with the DSP kernels on QEMU ${READY ? '' : MISSING_TOOLCHAIN}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-dsp-fashion-'));
  let program: Program;
  let dsp: string;
  let scalar: string;
  let want: Buffer;
  const counts: Record<string, { dsp: InstructionCounts; scalar: InstructionCounts }> = {};
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    program = await lowerFashionMnist();
    dsp = writeCProject(program, join(dir, 'dsp'));
    scalar = writeCProject(program, join(dir, 'scalar'));
    // The same project with the portable loops on the DSP cores: the Makefile's OPT is a user knob.
    const makefile = readFileSync(join(scalar, 'Makefile'), 'utf8');
    expect(makefile).toContain('OPT ?= -O2\n');
    writeFileSync(join(scalar, 'Makefile'), makefile.replace('OPT ?= -O2\n', 'OPT ?= -O2 -DQF_NO_DSP\n'));
    const x = evalImages(N);
    for (const d of [dsp, scalar]) writeFileSync(join(d, 'in.f32'), x);
    want = Buffer.from(simulatedLogits(program, x, N).buffer);
    for (const cpu of CPUS) {
      const one = async (d: string): Promise<InstructionCounts> => countInstructions(d, { input: join(d, 'in.f32'), cpu, output: join(d, `${cpu}.f32`) });
      counts[cpu] = { dsp: await one(dsp), scalar: await one(scalar) };
      const c = counts[cpu]!;
      const span = (v: number[]): string => `${Math.min(...v)}..${Math.max(...v)}`;
      console.log(`${cpu}: per inference scalar ${span(c.scalar.perInference)} -> DSP ${span(c.dsp.perInference)}; `
        + c.dsp.perLayer.map((l, i) => `${l.node} ${c.scalar.perLayer[i]!.insns} -> ${l.insns}`).join(', '));
    }
  }, 300_000);

  it('the DSP builds (m4, m7, m33, m55) and their -DQF_NO_DSP builds give the simulator\'s outputs on all 50 images', () => {
    for (const cpu of CPUS) {
      for (const d of [dsp, scalar]) expect({ cpu, d, same: Buffer.compare(readFileSync(join(d, `${cpu}.f32`)), want) === 0 }).toEqual({ cpu, d, same: true });
    }
  });

  it('cortex-m3 (no DSP extension, scalar loops) gives the simulator\'s outputs, has no SMLAD and the scalar count', async () => {
    const m3 = await countInstructions(dsp, { input: join(dsp, 'in.f32'), cpu: 'cortex-m3', output: join(dsp, 'm3.f32') });
    console.log(`cortex-m3: per inference ${m3.perInference[0]}; ${m3.perLayer.map((l) => `${l.node} ${l.insns}`).join(', ')}`);
    expect(Buffer.compare(readFileSync(join(dsp, 'm3.f32')), want)).toBe(0);
    // On m3 the DSP switch compiles to nothing, so the m3 build is the -DQF_NO_DSP build.
    expect(m3.perLayer).toEqual((await countInstructions(scalar, { input: join(scalar, 'in.f32'), cpu: 'cortex-m3' })).perLayer);
    expect(run('arm-none-eabi-objdump', ['-d', 'build/cortex-m3/qf_conv.o', 'build/cortex-m3/qf_fully_connected.o'], dsp).stdout).not.toMatch(/\bsmlad\b/);
    expect(run('arm-none-eabi-objdump', ['-d', 'build/cortex-m4/qf_conv.o'], dsp).stdout).toMatch(/\bsmlad\b/);
    expect(run('arm-none-eabi-objdump', ['-d', 'build/cortex-m4/qf_conv.o'], scalar).stdout).not.toMatch(/\bsmlad\b/);
  });

  it('on cortex-m4 an inference executes under 0.8x the scalar build\'s instructions, and every conv and FC layer fewer', () => {
    for (const cpu of CPUS) {
      const c = counts[cpu]!;
      if (cpu === 'cortex-m4') expect(new Set(c.dsp.perInference).size).toBe(1);
      expect(c.dsp.perInference[0]!).toBeLessThan(0.8 * c.scalar.perInference[0]!);
      c.dsp.perLayer.forEach((l, i) => {
        const before = c.scalar.perLayer[i]!;
        if (l.op === 'conv2d' || l.op === 'fully-connected') expect({ cpu, node: l.node, fewer: l.insns < before.insns }).toEqual({ cpu, node: l.node, fewer: true });
        // Pooling is the same C with or without the DSP switch.
        else expect({ cpu, node: l.node, insns: l.insns }).toEqual({ cpu, node: l.node, insns: before.insns });
      });
    }
  });
});

const CLS_READY = HAS_ARM && HAS_CLS;

describe.skipIf(!CLS_READY)(`PaddleOCR cls on QEMU cortex-m4 with and without the depthwise DSP path ${CLS_READY ? '' : HAS_ARM ? MISSING_CLS : MISSING_TOOLCHAIN}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-dsp-cls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('one crop: both builds give the simulator\'s output, and the DSP depthwise layers execute fewer instructions', async () => {
    const { program, warnings } = await lowerCls();
    if (program === undefined) throw new Error(`no program: ${warnings.join('; ')}`);
    const x = (await crops('eval'))[0]!;
    const outName = program.tensors[program.outputs[0]!]!.name;
    const [sim] = simulateCortexM(program, [{ x: quantizeInput(program, 'x', x) }]);
    const dsp = writeCProject(program, join(dir, 'dsp'));
    const base = writeCProject(program, join(dir, 'base'));
    // Only the depthwise kernel on its portable loop: the before of this comparison, conv and FC keep their DSP paths.
    const makefile = readFileSync(join(base, 'Makefile'), 'utf8');
    expect(makefile).toContain('OPT ?= -O2\n');
    writeFileSync(join(base, 'Makefile'), makefile.replace('OPT ?= -O2\n', 'OPT ?= -O2 -DQF_NO_DSP_DEPTHWISE\n'));
    const counts: InstructionCounts[] = [];
    const outs: Buffer[] = [];
    for (const d of [base, dsp]) {
      writeFileSync(join(d, 'in.f32'), x);
      counts.push(await countInstructions(d, { input: join(d, 'in.f32'), cpu: 'cortex-m4', output: join(d, 'out.f32') }));
      outs.push(readFileSync(join(d, 'out.f32')));
    }
    const [before, after] = counts as [InstructionCounts, InstructionCounts];
    const want = Buffer.from(dequantizeOutput(program, outName, sim![outName] as Int8Array).buffer);
    expect(Buffer.compare(outs[0]!, outs[1]!)).toBe(0);
    expect(Buffer.compare(outs[1]!, want)).toBe(0);
    const dw = (c: InstructionCounts): number => c.perLayer.filter((l) => /depthwise/.test(l.op)).reduce((s, l) => s + l.insns, 0);
    console.log(`cls cortex-m4 per inference: depthwise scalar ${before.perInference[0]} -> DSP ${after.perInference[0]}; `
      + `depthwise layers ${dw(before)} -> ${dw(after)} (${before.perLayer.filter((l) => /depthwise/.test(l.op)).length} layers)`);
    const shape = (i: number): string => {
      const op = program.ops[before.perLayer[i]!.index]!;
      const out = program.tensors[op.outputs[0]!]!.dims;
      const f = program.tensors[op.inputs[1]!]!.dims;
      return `${f[1]}x${f[2]} to ${out.join('x')}, ${out.reduce((a, d) => a * d, 1) * f[1]! * f[2]!} MACs`;
    };
    console.log(before.perLayer.map((l, i) => (/depthwise/.test(l.op) ? `${l.node} ${l.insns} -> ${after.perLayer[i]!.insns} (${shape(i)})` : '')).filter(Boolean).join('; '));
    expect(dw(before)).toBeGreaterThan(0);
    expect(after.perInference[0]!).toBeLessThan(before.perInference[0]!);
    before.perLayer.forEach((l, i) => {
      const a = after.perLayer[i]!;
      if (/depthwise/.test(l.op)) expect({ node: l.node, fewer: a.insns < l.insns }).toEqual({ node: l.node, fewer: true });
      else expect({ node: l.node, insns: a.insns }).toEqual({ node: l.node, insns: l.insns });
    });
  }, 240_000);
});
