// Every int16x8 kernel end to end: a small net quantized through core's pipeline for cortex-m4-int16x8, lowered,
// simulated, emitted as C and run on the host (and QEMU when present); the outputs must be bit-identical.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin, quantforge, schemeProvider, tensor, type Model, type Program, type QuantforgePlugin } from '@quantforge/core';
import { qdqExporter } from '@quantforge/onnx';
import { runnerFactory } from '@quantforge/runtime';
import { cortexMInt16x8Plugin, dequantizeOutput, quantizeInput, simulateCortexM, writeCProject } from '../src/index.js';
import { HAS_ARM, HAS_HOST_CC, MISSING_TOOLCHAIN, run } from './emit-toolchain.js';
import { attr, f32, model, node, seeded, testScheme } from './helpers.js';

/**
 * x[1,2,6,6] → Conv 3×3 pad 1 → Relu → depthwise 3×3 → Conv 1×1 → Add (residual) → Clip(0, 6) → Mul (by the residual)
 * → MaxPool 2×2 → AveragePool 3×3 pad 1 → Flatten → Gemm → y[1,5].
 */
function net(): Model {
  const k3 = [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1])];
  return model({
    nodes: [
      node('Conv', ['x', 'w1', 'b1'], ['c1'], k3, 'conv1'),
      node('Relu', ['c1'], ['r1'], [], 'relu1'),
      node('Conv', ['r1', 'wd', 'bd'], ['d1'], [...k3, attr.int('group', 4)], 'dw'),
      node('Conv', ['d1', 'wp', 'bp'], ['p1'], [attr.ints('kernel_shape', [1, 1])], 'pw'),
      node('Add', ['p1', 'r1'], ['s0'], [], 'add'),
      node('Clip', ['s0', 'lo', 'hi'], ['s1'], [], 'relu6'),
      node('Mul', ['s1', 'r1'], ['m1'], [], 'mul'),
      node('MaxPool', ['m1'], ['q1'], [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])], 'maxpool'),
      node('AveragePool', ['q1'], ['a1'], k3, 'avgpool'),
      node('Flatten', ['a1'], ['f1'], [attr.int('axis', 1)], 'flatten'),
      node('Gemm', ['f1', 'wf', 'bf'], ['y'], [attr.int('transB', 1)], 'fc'),
    ],
    inputs: [['x', 'float32', [1, 2, 6, 6]]],
    outputs: [['y', 'float32', [1, 5]]],
    initializers: {
      w1: f32([4, 2, 3, 3], seeded(72, 1)), b1: f32([4], seeded(4, 2)),
      wd: f32([4, 1, 3, 3], seeded(36, 3)), bd: f32([4], seeded(4, 4)),
      wp: f32([4, 4, 1, 1], seeded(16, 5)), bp: f32([4], seeded(4, 6)),
      wf: f32([5, 36], seeded(180, 7)), bf: f32([5], seeded(5, 8)), lo: f32([], [0]), hi: f32([], [6]),
    },
  });
}

const schemePlugin: QuantforgePlugin = definePlugin({
  name: 'affine-test', kind: 'scheme', version: '0.0.0', hostApi: '^1.0.0', schemes: { 'affine-test': schemeProvider(testScheme) },
});

const SAMPLES = 32;

describe('every int16x8 kernel: simulator vs emitted C', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-int16-net-'));
  const x = seeded(SAMPLES * 72, 21).map((v) => 2 * v);
  let program: Program;
  let want: Buffer;
  let project: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const calibX = seeded(32 * 72, 11).map((v) => 2 * v);
    const calib = Array.from({ length: 32 }, (_, i) => ({ x: tensor('float32', [1, 2, 6, 6], calibX.slice(i * 72, (i + 1) * 72)) }));
    const result = await quantforge(net(), { createRunner: runnerFactory(), exporter: qdqExporter() })
      .use({ plugin: schemePlugin, scheme: 'affine-test' })
      .target(cortexMInt16x8Plugin, { target: 'cortex-m0plus-int16x8' })
      .recipe({ scheme: 'affine-test', mode: 'static', weights: { bits: 8, granularity: 'per-channel' }, activations: { bits: 16 } })
      .calibrate(calib)
      .run({ seed: 0 });
    program = result.target!.program!;
    const out: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const [o] = simulateCortexM(program, [{ x: quantizeInput(program, 'x', x.subarray(i * 72, (i + 1) * 72)) }]);
      out.push(...dequantizeOutput(program, 'y', o!.y!));
    }
    want = Buffer.from(Float32Array.from(out).buffer);
    project = writeCProject(program, join(dir, 'net'));
    writeFileSync(join(project, 'in.f32'), x);
  }, 120_000);

  it('maps every node to an int16 kernel (Relu and Clip fused)', () => {
    expect(program.ops.map((o) => [o.kernel, o.fused])).toEqual([
      ['arm_convolve_s16', ['relu1']], ['arm_depthwise_conv_s16', []], ['arm_convolve_s16', []], ['arm_elementwise_add_s16', ['relu6']],
      ['arm_elementwise_mul_s16', []], ['arm_max_pool_s16', []], ['arm_avgpool_s16', []], ['arm_fully_connected_s16', []],
    ]);
    const add = program.ops[3]!.params;
    expect(add.leftShift).toBe(15);
    // Clip(0, 6) on a symmetric int16 output: the clamp starts at code 0.
    expect(add.activationMin).toBe(0);
    // The outputs are not all clamped or zero, so the comparison below sees real values.
    expect(new Set(new Float32Array(want.buffer, want.byteOffset, want.length / 4)).size).toBeGreaterThan(SAMPLES);
  });

  it.skipIf(!HAS_HOST_CC)(`host build: ${SAMPLES} samples bit-identical ${HAS_HOST_CC ? '' : MISSING_TOOLCHAIN}`, () => {
    run('make', ['host'], project);
    expect(run('./build/host/runner', ['in.f32', 'host.f32'], project).stdout).toContain(`runner: ${SAMPLES} samples`);
    expect(Buffer.compare(readFileSync(join(project, 'host.f32')), want)).toBe(0);
  });

  it.skipIf(!HAS_ARM)(`QEMU (cortex-m0plus, Armv6-M): ${SAMPLES} samples bit-identical ${HAS_ARM ? '' : MISSING_TOOLCHAIN}`, () => {
    run('make', ['qemu'], project);
    expect(run('make', ['qemu-run', 'IN=in.f32', 'OUT=qemu.f32'], project).stdout).toContain(`runner: ${SAMPLES} samples`);
    expect(Buffer.compare(readFileSync(join(project, 'qemu.f32')), want)).toBe(0);
  }, 180_000);
});
