// Fashion-MNIST in int16x8 mode (cortex-m4-int16x8): top-1 of the simulator against the float model and the int8
// program on all 1000 eval images, the memory plan (int16 activations double the arena), and the emitted C on the
// host and on QEMU bit-identical to the simulator on the first 50 images.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor, type Program } from '@quantforge/core';
import { loadModel, readNpy } from '@quantforge/onnx';
import { runnerFactory } from '@quantforge/runtime';
import { dequantizeOutput, emitC, quantizeInput, simulateCortexM, writeCProject } from '../src/index.js';
import { EXAMPLE_DIR, evalImages, lowerFashionMnist, MODEL_PATH } from './emit-fashion-mnist.js';
import { HAS_ARM, HAS_HOST_CC, MISSING_TOOLCHAIN, run } from './emit-toolchain.js';
import { lowerFashionMnistInt16 } from './int16-fashion-mnist.js';

const N = 1000;
const N_C = 50;
const PIXELS = 784;
const CLASSES = 10;

function logitsOf(program: Program, images: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) {
    const [o] = simulateCortexM(program, [{ input: quantizeInput(program, 'input', images.subarray(i * PIXELS, (i + 1) * PIXELS)) }]);
    out.set(dequantizeOutput(program, 'logits', o!.logits!), i * CLASSES);
  }
  return out;
}

function argmax(logits: Float32Array, i: number): number {
  let best = 0;
  for (let c = 1; c < CLASSES; c++) if (logits[i * CLASSES + c]! > logits[i * CLASSES + best]!) best = c;
  return best;
}

describe('Fashion-MNIST on cortex-m4-int16x8 (int16 activations, int8 weights, int64 bias)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-int16-fm-'));
  let p16: Program;
  let p8: Program;
  let images: Float32Array;
  let labels: ArrayLike<number>;
  let sim16: Float32Array;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    [p16, p8] = [await lowerFashionMnistInt16(), await lowerFashionMnist()];
    images = evalImages(N);
    labels = readNpy(readFileSync(`${EXAMPLE_DIR}data/eval/labels.npy`)).data as unknown as ArrayLike<number>;
    const t0 = Date.now();
    sim16 = logitsOf(p16, images, N);
    console.log(`int16x8 simulator: ${N} images in ${Date.now() - t0} ms`);
  }, 300_000);

  it('lowers to the int16 kernels with int16 activations and int64 biases', () => {
    expect(p16.ops.map((o) => o.kernel)).toEqual(['arm_convolve_s16', 'arm_max_pool_s16', 'arm_convolve_s16', 'arm_max_pool_s16', 'arm_fully_connected_s16', 'arm_fully_connected_s16']);
    for (const t of p16.tensors) {
      if (t.placement === 'arena') expect(t.dtype).toBe('int16');
      if (t.placement === 'arena' && t.kind !== 'scratch') expect(t.zeroPoint).toBe(0);
    }
    expect(p16.tensors.filter((t) => t.name.endsWith('.bias')).map((t) => t.dtype)).toEqual(['int64', 'int64', 'int64', 'int64']);
  });

  it('doubles the activation arena and keeps the int8 weights', () => {
    const m16 = p16.memory;
    const m8 = p8.memory;
    console.log(`arena int8 ${m8.arenaBytes} B, int16x8 ${m16.arenaBytes} B; flash int8 ${m8.flash.totalBytes} B, int16x8 ${m16.flash.totalBytes} B (bias ${m8.flash.biasBytes} → ${m16.flash.biasBytes} B)`);
    expect(m16.arenaBytes).toBeGreaterThanOrEqual(2 * m8.arenaBytes - 64);
    expect(m16.arenaBytes).toBeLessThanOrEqual(2 * m8.arenaBytes + 64);
    expect(m16.flash.weightsBytes).toBe(m8.flash.weightsBytes);
    expect(m16.flash.biasBytes).toBe(2 * m8.flash.biasBytes);
    expect(m16.fits?.ram).toBe(true);
  });

  it('is at least as accurate as the int8 program and within 0.3 pp of the float model on all 1000 eval images', async () => {
    const runner = await runnerFactory()(await loadModel(MODEL_PATH), { purpose: 'evaluate', exposeOutputs: [] });
    const float = new Float32Array(N * CLASSES);
    for (let i = 0; i < N; i++) {
      const r = await runner.run({ input: tensor('float32', [1, 1, 28, 28], images.slice(i * PIXELS, (i + 1) * PIXELS)) });
      float.set(r.logits!.data as Float32Array, i * CLASSES);
    }
    const sim8 = logitsOf(p8, images, N);
    let hit16 = 0;
    let hit8 = 0;
    let hitF = 0;
    let agree16 = 0;
    let agree8 = 0;
    let err16 = 0;
    let err8 = 0;
    let sig = 0;
    for (let i = 0; i < N; i++) {
      const [a16, a8, af] = [argmax(sim16, i), argmax(sim8, i), argmax(float, i)];
      const y = Number(labels[i]);
      hit16 += a16 === y ? 1 : 0;
      hit8 += a8 === y ? 1 : 0;
      hitF += af === y ? 1 : 0;
      agree16 += a16 === af ? 1 : 0;
      agree8 += a8 === af ? 1 : 0;
    }
    for (let j = 0; j < N * CLASSES; j++) {
      sig += float[j]! ** 2;
      err16 += (float[j]! - sim16[j]!) ** 2;
      err8 += (float[j]! - sim8[j]!) ** 2;
    }
    const db = (e: number): string => (10 * Math.log10(sig / e)).toFixed(2);
    console.log(`top-1 float ${(hitF / 10).toFixed(1)} %, int8 ${(hit8 / 10).toFixed(1)} %, int16x8 ${(hit16 / 10).toFixed(1)} %; argmax agreement with float int8 ${agree8 / 10} %, int16x8 ${agree16 / 10} %; output SQNR int8 ${db(err8)} dB, int16x8 ${db(err16)} dB`);
    expect(hit16).toBeGreaterThanOrEqual(hit8);
    expect(Math.abs(hit16 - hitF)).toBeLessThanOrEqual(3);
    expect(agree16).toBeGreaterThanOrEqual(agree8);
    expect(err16).toBeLessThan(err8);
  }, 300_000);

  describe.skipIf(!HAS_HOST_CC)(`emitted C ${HAS_HOST_CC ? '' : MISSING_TOOLCHAIN}`, () => {
    let project: string;
    let want: Buffer;
    beforeAll(() => {
      project = writeCProject(p16, join(dir, 'fashion-m4-int16x8'));
      writeFileSync(join(project, 'in.f32'), images.subarray(0, N_C * PIXELS));
      want = Buffer.from(sim16.slice(0, N_C * CLASSES).buffer);
    });

    it('declares int16 I/O and int64 biases and uses only the int16 kernels', () => {
      const files = emitC(p16);
      expect(files['model.h']).toContain('#define MODEL_INT16X8 1');
      expect(files['model.h']).toContain('int16_t *model_input(int i);');
      expect(files['README.md']).toContain('qf_quantize16(&model_inputs[0], pixels, model_input(0));');
      expect(files['model_weights.h']).toMatch(/extern const int64_t w\d+_conv1_bias\[16\];/);
      expect(Object.keys(files).filter((f) => /^qf_.*\.c$/.test(f) && f !== 'qf_io.c').sort()).toEqual(['qf_conv_s16.c', 'qf_fully_connected_s16.c', 'qf_pool_s16.c']);
    });

    it(`host build (gcc -Werror -std=c99): ${N_C} eval images bit-identical to the simulator`, () => {
      run('make', ['host'], project);
      const r = run('./build/host/runner', ['in.f32', 'host.f32'], project);
      expect(r.stdout).toContain(`runner: ${N_C} samples`);
      expect(Buffer.compare(readFileSync(join(project, 'host.f32')), want)).toBe(0);
    });

    it.skipIf(!HAS_ARM)(`QEMU (cortex-m4): ${N_C} eval images bit-identical to the simulator ${HAS_ARM ? '' : MISSING_TOOLCHAIN}`, () => {
      run('make', ['qemu'], project);
      const r = run('make', ['qemu-run', 'IN=in.f32', 'OUT=qemu.f32'], project);
      expect(r.stdout).toContain(`runner: ${N_C} samples`);
      expect(Buffer.compare(readFileSync(join(project, 'qemu.f32')), want)).toBe(0);
    }, 180_000);
  });
});
