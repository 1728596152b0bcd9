import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  definePlugin, prepareGraph, quantforge, schemeProvider, tensor, type Model, type Program, type QuantforgePlugin, type QuantizeResult,
} from '@quantforge/core';
import { qdqExporter } from '@quantforge/onnx';
import { runnerFactory } from '@quantforge/runtime';
import { cortexMPlugin, CORTEX_M_PROFILES, dequantizeOutput, emitC, lowerCortexM, quantizeInput, simulateCortexM, writeCProject } from '../src/index.js';
import { attr, f32, model, node, seeded, testScheme } from './helpers.js';
import { HAS_ARM, HAS_HOST_CC, MISSING_TOOLCHAIN, run } from './emit-toolchain.js';

/**
 * Every kernel the C emitter has: x[1,2,6,6] → Conv 3×3 pad 1 → Relu → depthwise 3×3 → Conv 1×1 → Add (residual) →
 * Mul (by the residual) → MaxPool 2×2 → AveragePool 3×3 pad 1 → Flatten → Gemm (output g1) → Softmax (output y).
 */
function kitchenSink(): Model {
  const k3 = [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1])];
  return model({
    nodes: [
      node('Conv', ['x', 'w1', 'b1'], ['c1'], k3, 'conv1'),
      node('Relu', ['c1'], ['r1'], [], 'relu1'),
      node('Conv', ['r1', 'wd', 'bd'], ['d1'], [...k3, attr.int('group', 4)], 'dw'),
      node('Conv', ['d1', 'wp', 'bp'], ['p1'], [attr.ints('kernel_shape', [1, 1])], 'pw'),
      node('Add', ['p1', 'r1'], ['s1'], [], 'add'),
      node('Mul', ['s1', 'r1'], ['m1'], [], 'mul'),
      node('MaxPool', ['m1'], ['q1'], [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])], 'maxpool'),
      node('AveragePool', ['q1'], ['a1'], k3, 'avgpool'),
      node('Flatten', ['a1'], ['f1'], [attr.int('axis', 1)], 'flatten'),
      node('Gemm', ['f1', 'wf', 'bf'], ['g1'], [attr.int('transB', 1)], 'fc'),
      node('Softmax', ['g1'], ['y'], [attr.int('axis', -1)], 'softmax'),
    ],
    inputs: [['x', 'float32', [1, 2, 6, 6]]],
    // The logits are an output too, so the comparison also sees values before the softmax saturates them.
    outputs: [['g1', 'float32', [1, 5]], ['y', 'float32', [1, 5]]],
    initializers: {
      w1: f32([4, 2, 3, 3], seeded(72, 1)), b1: f32([4], seeded(4, 2)),
      wd: f32([4, 1, 3, 3], seeded(36, 3)), bd: f32([4], seeded(4, 4)),
      wp: f32([4, 4, 1, 1], seeded(16, 5)), bp: f32([4], seeded(4, 6)),
      wf: f32([5, 36], seeded(180, 7)), bf: f32([5], seeded(5, 8)),
    },
  });
}

const schemePlugin: QuantforgePlugin = definePlugin({
  name: 'affine-test', kind: 'scheme', version: '0.0.0', hostApi: '^1.0.0', schemes: { 'affine-test': schemeProvider(testScheme) },
});

const SAMPLES = 64;
const inputs = (seed: number) => seeded(SAMPLES * 72, seed).map((v) => 2 * v);

async function quantize(m: Model): Promise<QuantizeResult> {
  const x = inputs(11);
  const calib = Array.from({ length: 32 }, (_, i) => ({ x: tensor('float32', [1, 2, 6, 6], x.slice(i * 72, (i + 1) * 72)) }));
  return quantforge(m, { createRunner: runnerFactory(), exporter: qdqExporter() })
    .use({ plugin: schemePlugin, scheme: 'affine-test' })
    .target(cortexMPlugin, { target: 'cortex-m4' })
    .recipe({ scheme: 'affine-test', mode: 'static', weights: { bits: 8, granularity: 'per-channel' }, activations: { bits: 8 } })
    .calibrate(calib)
    .run({ seed: 0 });
}

/** The simulator's dequantized outputs for every sample, concatenated as the runner writes them. */
function expected(program: Program, x: Float32Array): Float32Array {
  const out: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const [o] = simulateCortexM(program, [{ x: quantizeInput(program, 'x', x.subarray(i * 72, (i + 1) * 72)) }]);
    out.push(...dequantizeOutput(program, 'g1', o!.g1 as Int8Array), ...dequantizeOutput(program, 'y', o!.y as Int8Array));
  }
  return Float32Array.from(out);
}

describe('emitC on a program with every kernel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-emit-c-'));
  let double: Program;
  let single: Program;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const m = kitchenSink();
    const result = await quantize(m);
    double = result.target!.program!;
    // The same quantized tensors lowered with a single-rounding profile (TFLITE_SINGLE_ROUNDING multipliers).
    const profile = { ...CORTEX_M_PROFILES['cortex-m4'], rounding: 'single' as const };
    const prepared = structuredClone(m);
    prepareGraph(prepared);
    single = lowerCortexM({ model: prepared, plan: result.plan, encodings: result.encodings, profile, diagnostics: result.target!.diagnostics });
  }, 60_000);

  it('lowers to every kernel the C emitter has', () => {
    expect(double.ops.map((o) => o.targetOp)).toEqual(['conv2d', 'depthwise-conv2d', 'conv2d-1x1', 'add', 'mul', 'max-pool', 'avg-pool', 'fully-connected', 'softmax']);
    expect(single.rounding).toBe('single');
  });

  it('is deterministic and holds only the kernels the program uses', () => {
    const a = emitC(double);
    expect(emitC(double)).toEqual(a);
    expect(Object.keys(a)).toEqual(expect.arrayContaining(['Makefile', 'README.md', 'model.c', 'model.h', 'qf_config.h', 'runner.c', 'qf_softmax.c', 'qf_mul.c']));
    expect(a['qf_copy.c']).toBeUndefined();
    expect(a['qf_config.h']).toContain('#define QF_SINGLE_ROUNDING 0');
    expect(emitC(double, { rounding: 'single' })['qf_config.h']).toContain('#define QF_SINGLE_ROUNDING 1');
    // Small constants stay C arrays; a low threshold moves them to .incbin blobs.
    expect(a['model_blobs.S']).toBeUndefined();
    const blobs = emitC(double, { incbinBytes: 100 });
    expect(blobs['model_blobs.S']).toContain('.incbin "weights/');
    expect(Object.keys(blobs).filter((k) => k.startsWith('weights/'))).toHaveLength(1);
  });

  it('puts the I/O quantization parameters in model.h', () => {
    const h = emitC(double)['model.h'] as string;
    const x = double.tensors[double.inputs[0]!]!;
    expect(h).toContain(`#define MODEL_INPUT0_SIZE 72`);
    expect(h).toContain(`#define MODEL_INPUT0_SCALE ${x.scale}`);
    expect(h).toContain(`#define MODEL_INPUT0_ZERO_POINT (${x.zeroPoint})`);
    expect(h).toContain('#define MODEL_NUM_OUTPUTS 2');
    expect(h).toContain('#define MODEL_OUTPUT1_SCALE 0.00390625');
    expect(h).toContain('#define MODEL_OUTPUT1_ZERO_POINT (-128)');
    expect(h).toContain(`#define MODEL_ARENA_BYTES ${double.memory.arenaBytes}`);
  });

  it('rejects what the C kernels cannot run, with codes', () => {
    const odd = { ...double, ops: [{ ...double.ops[0]!, targetOp: 'transpose' }] };
    expect(() => emitC(odd)).toThrow(expect.objectContaining({ code: 'QF_TARGET_OP_UNSUPPORTED' }));
    const shift31 = { ...double, ops: double.ops.map((o, i) => (i === 0 ? { ...o, params: { ...o.params, shifts: (o.params.shifts as number[]).map(() => 31) } } : o)) };
    expect(() => emitC(shift31, { rounding: 'single' })).toThrow(expect.objectContaining({ code: 'QF_TARGET_CONSTRAINT' }));
    expect(() => emitC(double, { cpu: 'cortex-a53' })).toThrow(expect.objectContaining({ code: 'QF_OPTIONS_INVALID' }));
    expect(() => emitC(double, { incbinBytes: 0 })).toThrow(expect.objectContaining({ code: 'QF_OPTIONS_INVALID' }));
  });

  it('writes the project atomically, replacing an older one and leaving no temporary folder', () => {
    const out = join(dir, 'atomic');
    writeCProject(double, out, { incbinBytes: 100 });
    writeFileSync(join(out, 'stale.txt'), 'old');
    writeCProject(double, out);
    expect(readdirSync(out).sort()).toEqual([...new Set(Object.keys(emitC(double)).map((k) => k.split('/')[0]!))].sort());
    expect(readdirSync(dir)).toEqual(['atomic']);
  });

  describe.skipIf(!HAS_HOST_CC)(`host build ${HAS_HOST_CC ? '' : MISSING_TOOLCHAIN}`, () => {
    for (const mode of ['double', 'single'] as const) {
      it(`${mode} rounding: host and simulator outputs are bit-identical on ${SAMPLES} samples`, () => {
        const program = mode === 'double' ? double : single;
        const project = writeCProject(program, join(dir, mode), { incbinBytes: 64 });
        const x = inputs(23);
        writeFileSync(join(project, 'in.f32'), x);
        run('make', ['host'], project);
        run('./build/host/runner', ['in.f32', 'out.f32'], project);
        const got = readFileSync(join(project, 'out.f32'));
        const want = Buffer.from(expected(program, x).buffer);
        expect(got.length).toBe(SAMPLES * 10 * 4);
        // Outputs that vary across samples, so equality says something.
        expect(new Set(expected(program, x)).size).toBeGreaterThan(40);
        expect(Buffer.compare(got, want)).toBe(0);
      });
    }

    it('is sensitive to the rounding build: the double program built with single rounding differs', () => {
      const project = writeCProject(double, join(dir, 'mismatch'), { rounding: 'single' });
      const x = inputs(23);
      writeFileSync(join(project, 'in.f32'), x);
      run('make', ['host'], project);
      run('./build/host/runner', ['in.f32', 'out.f32'], project);
      expect(Buffer.compare(readFileSync(join(project, 'out.f32')), Buffer.from(expected(double, x).buffer))).not.toBe(0);
    });

    it('runs a hand-built program with only a reshape copy and no constants', () => {
      const t = (id: number, name: string, kind: 'input' | 'output', offset: number) => ({
        id, name, kind, dtype: 'int8' as const, dims: [1, 2, 2, 3], bytes: 12, placement: 'arena' as const, offset, scale: 0.1, zeroPoint: -3,
      });
      const copy: Program = {
        version: 1, target: 'cortex-m3', layout: 'NHWC', rounding: 'double', tensors: [t(0, 'x', 'input', 0), t(1, 'y', 'output', 12)],
        ops: [{ node: 'reshape', fused: [], targetOp: 'reshape', kernel: 'copy', inputs: [0], outputs: [1], params: {} }], inputs: [0], outputs: [1],
        memory: { arenaBytes: 24, liveLowerBoundBytes: 24, flash: { weightsBytes: 0, biasBytes: 0, paramsBytes: 0, codeBytes: 0, totalBytes: 0 } },
      };
      const files = emitC(copy);
      expect(files.Makefile).toContain('CPU ?= cortex-m3');
      expect(files['model_weights.c']).toContain('model_weights_none');
      const project = writeCProject(copy, join(dir, 'copy'));
      const x = Float32Array.from({ length: 24 }, (_, i) => (i - 12) * 0.37);
      writeFileSync(join(project, 'in.f32'), x);
      run('make', ['host'], project);
      run('./build/host/runner', ['in.f32', 'out.f32'], project);
      const want = [0, 1].flatMap((i) => [...dequantizeOutput(copy, 'y', quantizeInput(copy, 'x', x.subarray(i * 12, (i + 1) * 12)))]);
      expect(Buffer.compare(readFileSync(join(project, 'out.f32')), Buffer.from(Float32Array.from(want).buffer))).toBe(0);
    });

    it('reports a partial trailing sample with exit status 5', () => {
      const project = join(dir, 'double');
      writeFileSync(join(project, 'short.f32'), new Float32Array(72 + 3));
      expect(() => run('./build/host/runner', ['short.f32', 'short-out.f32'], project)).toThrow(/status 5/);
    });
  });

  describe.skipIf(!HAS_ARM)(`QEMU ${HAS_ARM ? '' : MISSING_TOOLCHAIN}`, () => {
    it('single rounding on cortex-m4 (QEMU mps2-an386) matches the simulator bit for bit', () => {
      const project = writeCProject(single, join(dir, 'single-qemu'));
      const x = inputs(23);
      writeFileSync(join(project, 'in.f32'), x);
      run('make', ['qemu'], project);
      const r = run('make', ['qemu-run', 'IN=in.f32', 'OUT=out.f32'], project);
      expect(r.stdout).toContain(`runner: ${SAMPLES} samples`);
      expect(Buffer.compare(readFileSync(join(project, 'out.f32')), Buffer.from(expected(single, x).buffer))).toBe(0);
    });
  });
});
