import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { definePlugin, quantforge, schemeProvider, tensor, type Program, type QuantizeResult, type Tensor } from '@quantforge/core';
import { decodeModel, qdqExporter, readNpy } from '@quantforge/onnx';
import { createExecutor, runnerFactory } from '@quantforge/runtime';
import { cortexMPlugin, quantizeInput, simulateCortexM } from '../src/index.js';
import { testScheme } from './helpers.js';

const DEMO = new URL('../../../examples/fashion-mnist/', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, DEMO));
const PIXELS = 28 * 28;

function samples(file: string, count: number): Float32Array[] {
  const t = readNpy(read(file));
  const data = t.data as Float32Array;
  return Array.from({ length: count }, (_, i) => data.slice(i * PIXELS, (i + 1) * PIXELS));
}

const argmax = (v: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
};

const schemePlugin = definePlugin({ name: 'scheme-affine-test', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0', schemes: { 'affine-test': schemeProvider(testScheme) } });

describe('fashion-mnist demo on cortex-m4', () => {
  let result: QuantizeResult;
  let program: Program;

  it('quantizes through the pipeline with the target shaping the plan, and lowers', async () => {
    const model = decodeModel(read('model/model.onnx'));
    const feeds = samples('data/calib/input.npy', 32).map((x) => ({ input: tensor('float32', [1, 1, 28, 28], x) }));
    result = await quantforge(model, { createRunner: runnerFactory({ prefer: 'reference' }), exporter: qdqExporter() })
      .use(schemePlugin).target(cortexMPlugin, { target: 'cortex-m4' }).calibrate(feeds).run({ workers: 1 });
    expect(result.plan.target).toBe('cortex-m4');
    expect(result.target?.diagnostics.map((d) => `${d.opType}:${d.status}`)).toEqual([
      'Conv:mapped', 'Relu:fused', 'MaxPool:mapped', 'Conv:mapped', 'Relu:fused', 'MaxPool:mapped', 'Flatten:mapped', 'Gemm:mapped', 'Relu:fused', 'Gemm:mapped',
    ]);
    program = result.target!.program!;
    expect(program.ops.map((o) => o.kernel)).toEqual([
      'arm_convolve_s8', 'arm_max_pool_s8', 'arm_convolve_s8', 'arm_max_pool_s8', 'arm_fully_connected_per_channel_s8', 'arm_fully_connected_per_channel_s8',
    ]);
  });

  it('needs 13,520 bytes of arena and 62,732 bytes of flash', () => {
    // Live at pool1: conv1 output 26·26·16 = 10,816 B + pool1 output 13·13·16 = 2,704 B = 13,520 B, the lower bound;
    // the greedy placement reaches it (10,816 is 16-byte aligned).
    expect(program.memory.liveLowerBoundBytes).toBe(13_520);
    expect(program.memory.arenaBytes).toBe(13_520);
    // weights 144 + 4,608 + 51,200 + 640 = 56,592 B; biases (16 + 32 + 64 + 10)·4 = 488 B; kernels conv 2,600 + max pool 700 + FC 1,000.
    expect(program.memory.flash).toMatchObject({ weightsBytes: 56_592, biasBytes: 488, codeBytes: 4_300 });
    // integers per op: conv1 12 dims + 10 scalars + 16 + 16 per channel + groups = 55; pool 16 each; conv2 87; fc1 136;
    // fc2 28 → 338 × 4 B = 1,352 B
    expect(program.memory.flash.paramsBytes).toBe(1_352);
    expect(program.memory.flash.totalBytes).toBe(62_732);
    expect(program.memory.fits).toMatchObject({ ram: true, flash: true });
  });

  it('agrees in argmax with QDQ fake-quant float evaluation on held-out samples, bit-exactly run', async () => {
    const inputs = samples('data/eval/input.npy', 200);
    const exec = createExecutor(result.model);
    const outs = simulateCortexM(program, inputs.map((x) => ({ input: quantizeInput(program, 'input', x) })));
    const logits = program.tensors[program.outputs[0]!]!;
    let agree = 0;
    let maxCodeGap = 0;
    for (let i = 0; i < inputs.length; i++) {
      const qdq = (await exec.run({ input: tensor('float32', [1, 1, 28, 28], inputs[i]!) })).logits as Tensor;
      const sim = outs[i]!.logits!;
      if (argmax(qdq.data as Float32Array) === argmax(sim)) agree++;
      (qdq.data as Float32Array).forEach((v, k) => {
        maxCodeGap = Math.max(maxCodeGap, Math.abs(Math.max(-128, Math.min(127, Math.round(v / logits.scale!) + logits.zeroPoint!)) - sim[k]!));
      });
    }
    expect(agree / inputs.length).toBeGreaterThanOrEqual(0.99);
    // Integer requantization vs float QDQ differ by rounding only: at most a couple of codes once the float logits are
    // saturated to int8 like the program output (the float logits leave the calibrated range on some samples).
    expect(maxCodeGap).toBeLessThanOrEqual(2);
    // Deterministic: the same program and inputs give the same integers.
    expect(simulateCortexM(program, [{ input: quantizeInput(program, 'input', inputs[0]!) }])[0]!.logits).toEqual(outs[0]!.logits);
  });
});
