// PaddleOCR cls (MobileNetV3-style: hard-swish, SE blocks, depthwise convs) on cortex-m4: every node maps, the
// simulator's 0°/180° decision agrees with the float model on the 48 held-out real text crops, and the emitted C
// (host, and QEMU when present) is bit-identical to the simulator.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor, type Model, type NodeDiagnostic, type Program } from '@quantforge/core';
import { loadModel } from '@quantforge/onnx';
import { runnerFactory } from '@quantforge/runtime';
import { dequantizeOutput, quantizeInput, simulateCortexM, writeCProject } from '../src/index.js';
import { HAS_ARM, HAS_HOST_CC, MISSING_TOOLCHAIN, run } from './emit-toolchain.js';
import { CLS_MODEL, crops, evalLabels, HAS_CLS, lowerCls, MISSING_CLS } from './paddleocr-cls-model.js';

/** Crops run through the emitted C: four keep the test short (QEMU takes about a second a crop). */
const C_CROPS = 4;
// Floors from the measured run (docs/backends/cortex-m.md, "PaddleOCR cls on cortex-m4").
const AGREE_FLOOR = 47;
const SQNR_FLOOR = 18;
const QDQ_AGREE_FLOOR = 46;
const argmax = (v: ArrayLike<number>): number => (v[1]! > v[0]! ? 1 : 0);

function sqnrDb(ref: Float32Array[], got: Float32Array[]): number {
  let s = 0;
  let n = 0;
  ref.forEach((r, i) => r.forEach((x, j) => { s += x * x; n += (x - got[i]![j]!) ** 2; }));
  return 10 * Math.log10(s / n);
}

describe.skipIf(!HAS_CLS)(`PaddleOCR cls on cortex-m4 ${HAS_CLS ? '' : MISSING_CLS}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-cls-m4-'));
  let program: Program;
  let diagnostics: NodeDiagnostic[];
  let inputs: Float32Array[];
  let floatOut: Float32Array[];
  let qdqOut: Float32Array[];
  let simOut: Float32Array[];
  let outName: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const lowered = await lowerCls();
    diagnostics = lowered.diagnostics;
    if (lowered.program === undefined) throw new Error(`no program: ${lowered.warnings.join('; ')}`);
    program = lowered.program;
    inputs = await crops('eval');
    outName = program.tensors[program.outputs[0]!]!.name;
    const outputs = async (m: Model): Promise<Float32Array[]> => {
      const runner = await runnerFactory()(m, { purpose: 'evaluate', exposeOutputs: [] });
      const out: Float32Array[] = [];
      for (const x of inputs) out.push(Float32Array.from((await runner.run({ x: tensor('float32', [1, 3, 48, 192], x) }))[outName]!.data as Float32Array));
      await runner.close();
      return out;
    };
    floatOut = await outputs(await loadModel(CLS_MODEL));
    qdqOut = await outputs(lowered.qdq);
    simOut = inputs.map((x) => {
      const [o] = simulateCortexM(program, [{ x: quantizeInput(program, 'x', x) }]);
      return dequantizeOutput(program, outName, o![outName] as Int8Array);
    });
  }, 240_000);

  it('maps every node: no fallback, hard-swish Div and HardSigmoid as lookup tables, the SE scale as a broadcast mul', () => {
    const bad = diagnostics.filter((d) => d.status !== 'mapped' && d.status !== 'fused');
    expect(bad.map((d) => `${d.node}: ${d.reason}`)).toEqual([]);
    const count = (targetOp: string) => diagnostics.filter((d) => d.targetOp === targetOp).length;
    expect(count('lut')).toBe(27);
    expect(count('shape-constant')).toBe(6);
    const ops = new Map<string, number>();
    for (const op of program.ops) ops.set(op.targetOp, (ops.get(op.targetOp) ?? 0) + 1);
    console.log(`cls on cortex-m4: ${diagnostics.length} nodes, ${program.ops.length} kernel calls ${JSON.stringify(Object.fromEntries(ops))}, `
      + `${diagnostics.filter((d) => d.status === 'fused').length} fused; memory ${JSON.stringify(program.memory)}`);
    // Nine SE blocks scale [1, H, W, C] by a [1, 1, 1, C] vector.
    const se = program.ops.filter((op) => op.targetOp === 'mul' && program.tensors[op.inputs[1]!]!.bytes < program.tensors[op.outputs[0]!]!.bytes);
    expect(se.length).toBe(9);
    expect(program.memory.fits?.ram === true && program.memory.fits.flash).toBe(true);
  });

  it('simulator vs float on the 48 held-out crops: argmax agreement and output SQNR', async () => {
    const labels = await evalLabels();
    const agree = simOut.filter((o, i) => argmax(o) === argmax(floatOut[i]!)).length;
    const top1Float = floatOut.filter((o, i) => argmax(o) === labels[i]).length;
    const top1Sim = simOut.filter((o, i) => argmax(o) === labels[i]).length;
    const sqnr = sqnrDb(floatOut, simOut);
    // The QDQ fake-quant model of the same plan and encodings (onnxruntime, DQ → float op → Q) separates quantization
    // error from lowering error: the integer program should follow it, not only the float model.
    const agreeQdq = simOut.filter((o, i) => argmax(o) === argmax(qdqOut[i]!)).length;
    const qdqVsFloat = qdqOut.filter((o, i) => argmax(o) === argmax(floatOut[i]!)).length;
    console.log(`cls sim vs float: agreement ${agree}/${inputs.length}, top-1 float ${top1Float}/48, sim ${top1Sim}/48, output SQNR ${sqnr.toFixed(2)} dB; `
      + `sim vs QDQ ${agreeQdq}/48 (SQNR ${sqnrDb(qdqOut, simOut).toFixed(2)} dB), QDQ vs float ${qdqVsFloat}/48 (SQNR ${sqnrDb(floatOut, qdqOut).toFixed(2)} dB)`);
    expect(agreeQdq).toBeGreaterThanOrEqual(QDQ_AGREE_FLOOR);
    expect(inputs.length).toBe(48);
    expect(agree).toBeGreaterThanOrEqual(AGREE_FLOOR);
    expect(sqnr).toBeGreaterThan(SQNR_FLOOR);
  });

  describe.skipIf(!HAS_HOST_CC)(`emitted C ${HAS_HOST_CC ? '' : MISSING_TOOLCHAIN}`, () => {
    let project: string;
    let want: Buffer;
    beforeAll(() => {
      project = writeCProject(program, join(dir, 'cls-m4'));
      const x = new Float32Array(C_CROPS * 3 * 48 * 192);
      inputs.slice(0, C_CROPS).forEach((v, i) => x.set(v, i * v.length));
      writeFileSync(join(project, 'in.f32'), x);
      const out = new Float32Array(C_CROPS * 2);
      simOut.slice(0, C_CROPS).forEach((v, i) => out.set(v, i * 2));
      want = Buffer.from(out.buffer);
    });

    it(`host build: ${C_CROPS} crops bit-identical to the simulator`, () => {
      const build = run('make', ['host'], project);
      const r = run('./build/host/runner', ['in.f32', 'host.f32'], project);
      expect(r.stdout).toContain(`runner: ${C_CROPS} samples`);
      expect(Buffer.compare(readFileSync(join(project, 'host.f32')), want)).toBe(0);
      console.log(`cls host: build ${build.ms} ms, ${C_CROPS} crops ${r.ms} ms`);
    });

    it.skipIf(!HAS_ARM)(`QEMU mps2-an386 (cortex-m4): ${C_CROPS} crops bit-identical, flash within 10 % of the estimate`, () => {
      const build = run('make', ['qemu'], project);
      const r = run('make', ['qemu-run', 'IN=in.f32', 'OUT=qemu.f32'], project);
      expect(r.stdout).toContain(`runner: ${C_CROPS} samples`);
      expect(Buffer.compare(readFileSync(join(project, 'qemu.f32')), want)).toBe(0);
      const objs = spawnSync('sh', ['-c', 'ls build/cortex-m4/*.o'], { cwd: project, encoding: 'utf8' }).stdout.split('\n')
        .filter((o) => o !== '' && !/\/(runner|qf_io)\.o$/.test(o));
      const totals = run('arm-none-eabi-size', ['-t', ...objs], project).stdout.split('\n').find((l) => l.includes('(TOTALS)'))!;
      const [text, data, bss] = totals.trim().split(/\s+/).map(Number) as [number, number, number];
      const est = program.memory;
      console.log(`cls qemu: build ${build.ms} ms, ${C_CROPS} crops ${r.ms} ms; model objects flash ${text + data} B (estimate ${est.flash.totalBytes}), `
        + `RAM ${data + bss} B (arena ${est.arenaBytes})`);
      expect(Math.abs(text + data - est.flash.totalBytes)).toBeLessThanOrEqual(0.1 * est.flash.totalBytes);
    });
  });
});
