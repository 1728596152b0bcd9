// Fashion-MNIST top-1 over the whole 1000-image eval slice, four ways: the float model (onnxruntime-node, no graph
// optimisation), the cortex-m4 simulator, the emitted C on the host, and the same C on QEMU (one runner invocation
// reading all 1000 samples from one file). The simulator and both C builds must agree bit for bit.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor, type Program } from '@quantforge/core';
import { loadModel, readNpy } from '@quantforge/onnx';
import { runnerFactory } from '@quantforge/runtime';
import { writeCProject } from '../src/index.js';
import { EXAMPLE_DIR, evalImages, lowerFashionMnist, MODEL_PATH, simulatedLogits } from './emit-fashion-mnist.js';
import { HAS_ARM, HAS_HOST_CC, MISSING_TOOLCHAIN, run } from './emit-toolchain.js';

const N = 1000;
const PIXELS = 784;
const CLASSES = 10;
/** Allowed top-1 gap between the int8 program and the float model, in percentage points. */
const MAX_GAP_PP = 0.3;

/** Top-1 hits of `logits` (N × 10, row-major) against `labels`. */
function top1(logits: Float32Array, labels: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < N; i++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (logits[i * CLASSES + c]! > logits[i * CLASSES + best]!) best = c;
    if (best === Number(labels[i])) hits++;
  }
  return hits;
}

describe(`Fashion-MNIST top-1 on all ${N} eval images: float vs cortex-m4 simulator vs emitted C`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-top1-fm-'));
  let program: Program;
  let images: Float32Array;
  let labels: ArrayLike<number>;
  let sim: Float32Array;
  let simTop1: number;
  let project: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    program = await lowerFashionMnist();
    images = evalImages(N);
    labels = readNpy(readFileSync(`${EXAMPLE_DIR}data/eval/labels.npy`)).data as unknown as ArrayLike<number>;
    const t0 = Date.now();
    sim = simulatedLogits(program, images, N);
    simTop1 = top1(sim, labels);
    console.log(`simulator: ${N} images in ${Date.now() - t0} ms`);
  }, 180_000);

  it(`the simulator is within ${MAX_GAP_PP} pp of the float model (onnxruntime-node)`, async () => {
    expect(images.length).toBe(N * PIXELS);
    expect(labels.length).toBe(N);
    const runner = await runnerFactory()(await loadModel(MODEL_PATH), { purpose: 'evaluate', exposeOutputs: [] });
    const float = new Float32Array(N * CLASSES);
    for (let i = 0; i < N; i++) {
      const r = await runner.run({ input: tensor('float32', [1, 1, 28, 28], images.slice(i * PIXELS, (i + 1) * PIXELS)) });
      float.set(r.logits!.data as Float32Array, i * CLASSES);
    }
    await runner.close();
    const floatTop1 = top1(float, labels);
    console.log(`top-1 on ${N}: float ${floatTop1 / 10} %, simulator ${simTop1 / 10} % (${runner.description})`);
    expect(Math.abs(simTop1 - floatTop1) / (N / 100)).toBeLessThanOrEqual(MAX_GAP_PP);
  }, 120_000);

  describe.skipIf(!HAS_HOST_CC)(`emitted C ${HAS_HOST_CC ? '' : MISSING_TOOLCHAIN}`, () => {
    beforeAll(() => {
      project = writeCProject(program, join(dir, 'fashion-m4'));
      writeFileSync(join(project, 'in.f32'), images);
    });

    function check(file: string, what: string, ms: number): void {
      const got = readFileSync(join(project, file));
      expect(got.length).toBe(N * CLASSES * 4);
      expect(Buffer.compare(got, Buffer.from(sim.buffer, sim.byteOffset, sim.byteLength))).toBe(0);
      const logits = new Float32Array(got.buffer, got.byteOffset, N * CLASSES);
      expect(top1(logits, labels)).toBe(simTop1);
      console.log(`${what}: top-1 ${top1(logits, labels) / 10} %, ${N} images in ${ms} ms (one runner invocation)`);
    }

    it(`host C: all ${N} outputs bit-identical to the simulator, same top-1`, () => {
      run('make', ['host'], project);
      const r = run('./build/host/runner', ['in.f32', 'host.f32'], project);
      expect(r.stdout).toContain(`runner: ${N} samples`);
      check('host.f32', 'host C', r.ms);
    });

    it.skipIf(!HAS_ARM)(`QEMU mps2-an386 (cortex-m4): all ${N} outputs bit-identical to the simulator, same top-1`, () => {
      run('make', ['qemu'], project);
      const r = run('make', ['qemu-run', 'IN=in.f32', 'OUT=qemu.f32'], project);
      expect(r.stdout).toContain(`runner: ${N} samples`);
      check('qemu.f32', 'QEMU C', r.ms);
    }, 180_000);
  });
});
