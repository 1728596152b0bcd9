import { affineEncoding, dequantize, tensor, type AffineEncoding, type QuantizedTensor, type QuantPlan } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, qdqExporter, validateModel } from '../src/index.js';
import { entry, f32, fit, matmul, maxAbsDiff, model, node, quantized, randomFloats, runOrt } from './qdq-helpers.js';

// The opset policy: the lowest default-domain opset that holds the written types, never below the model's, with the
// IR version raised to match; int4 per-group weights at opset 21 run in onnxruntime.

const W = tensor('float32', [16, 4], randomFloats(64, 31));
const x = randomFloats(32, 32);

function mm(opset: number, irVersion: number) {
  return model([node('MatMul', ['x', 'W'], ['y'], {}, 'mm')], [f32('x', [2, 16])], [f32('y', [2, 4])], { W }, opset, irVersion);
}

function weightOnly(e: AffineEncoding): { plan: QuantPlan; encodings: Record<string, QuantizedTensor> } {
  return { plan: { version: 1, excluded: [], tensors: { W: entry('W', 'weight', e) } }, encodings: { W: quantized(e, W) } };
}

const wd = W.data as Float32Array;
const CASES: { name: string; e: AffineEncoding; model: [number, number]; opset: number; ir: number; mode?: 'dynamic' }[] = [
  { name: 'per-tensor int8 on an opset-7 model', e: fit(wd, W.dims, { bits: 8, signed: true, symmetric: true }), model: [7, 3], opset: 10, ir: 5 },
  { name: 'per-tensor uint8 on an opset-13 model', e: fit(wd, W.dims, { bits: 8, signed: false, symmetric: false }), model: [13, 7], opset: 13, ir: 7 },
  { name: 'per-channel int8 on an opset-10 model', e: fit(wd, W.dims, { bits: 8, signed: true, symmetric: true }, 1), model: [10, 5], opset: 13, ir: 7 },
  { name: 'per-tensor int16', e: fit(wd, W.dims, { bits: 16, signed: true, symmetric: true }), model: [13, 7], opset: 21, ir: 10 },
  { name: 'per-channel uint16', e: fit(wd, W.dims, { bits: 12, signed: false, symmetric: false }, 1), model: [13, 7], opset: 21, ir: 10 },
  { name: 'per-tensor uint4', e: fit(wd, W.dims, { bits: 4, signed: false, symmetric: false }), model: [13, 7], opset: 21, ir: 10 },
  { name: 'per-group int4 (block 8 along K)', e: fit(wd, W.dims, { bits: 4, signed: true, symmetric: true }, 0, 8), model: [13, 7], opset: 21, ir: 10 },
  { name: 'per-tensor int8 on an opset-17 model (kept)', e: fit(wd, W.dims, { bits: 8, signed: true, symmetric: true }), model: [17, 8], opset: 17, ir: 8 },
  { name: 'dynamic uint8 on an opset-10 model', e: fit(wd, W.dims, { bits: 8, signed: false, symmetric: false }), model: [10, 5], opset: 11, ir: 6, mode: 'dynamic' },
];

describe('opset choice', () => {
  for (const c of CASES) {
    it(`${c.name} → opset ${c.opset}, IR ${c.ir}; runs in onnxruntime`, async () => {
      const { plan, encodings } = weightOnly(c.e);
      const r = qdqExporter().export({ model: mm(...c.model), plan, encodings, mode: c.mode ?? 'weight-only' });
      expect(r.model.opsetImports).toEqual([{ domain: '', version: c.opset }]);
      expect(r.model.irVersion).toBe(c.ir);
      validateModel(r.model);
      const got = await runOrt(r.model, { x: tensor('float32', [2, 16], x) }, ['y']);
      if (c.mode === 'dynamic') {
        const want = matmul(x, 2, 16, wd, 4);
        expect(maxAbsDiff(got.y!, want)).toBeLessThan(0.05);
      } else {
        const want = matmul(x, 2, 16, dequantize(encodings.W!), 4);
        expect(maxAbsDiff(got.y!, want)).toBeLessThan(1e-5);
      }
    });
  }

  it('writes int4 per-group weights with block_size and a [blocks, N] scale', () => {
    const e = fit(wd, W.dims, { bits: 4, signed: true, symmetric: true }, 0, 8);
    const { plan, encodings } = weightOnly(e);
    const g = qdqExporter().export({ model: mm(13, 7), plan, encodings, mode: 'weight-only' }).model.graph;
    expect(g.initializers.get('W_quantized')!.tensor.dtype).toBe('int4');
    expect(g.initializers.get('W_scale')!.tensor.dims).toEqual([2, 4]);
    expect(g.initializers.get('W_zero_point')!.tensor.dtype).toBe('int4');
    const dq = g.nodes.find((n) => n.opType === 'DequantizeLinear')!;
    expect(dq.attributes).toEqual([{ name: 'axis', type: 'int', value: 0 }, { name: 'block_size', type: 'int', value: 8 }]);
    // int4 codes survive the codec's packing.
    const back = decodeModel(encodeModel({ ...mm(13, 7), graph: g })).graph.initializers.get('W_quantized')!.tensor;
    expect(Array.from(back.data as Int8Array)).toEqual(Array.from(encodings.W!.codes!.data as Int8Array));
  });

  it('honours a requested higher opset and refuses one below what the encodings need', () => {
    const { plan, encodings } = weightOnly(fit(wd, W.dims, { bits: 8, signed: true, symmetric: true }, 1));
    expect(qdqExporter({ opset: 17 }).export({ model: mm(13, 7), plan, encodings, mode: 'weight-only' }).model.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(() => qdqExporter({ opset: 11 }).export({ model: mm(11, 6), plan, encodings, mode: 'weight-only' })).toThrow(
      expect.objectContaining({ code: 'QF_ENCODING_UNSUPPORTED', details: { requested: 11, needed: 13 } }),
    );
    expect(() => qdqExporter({ opset: 9 })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });

  it('keeps other domains and adds a default-domain import when the model has none', () => {
    const m = mm(13, 7);
    m.opsetImports = [{ domain: 'com.example', version: 2 }];
    const { plan, encodings } = weightOnly(affineEncoding({ min: -1, max: 1 }, { bits: 8, signed: true, symmetric: true }));
    // A model without a default-domain import is at opset 1, below what the adapter converts.
    expect(() => qdqExporter().export({ model: m, plan, encodings, mode: 'weight-only' })).toThrow(expect.objectContaining({ code: 'QF_ENCODING_UNSUPPORTED' }));
    const m2 = mm(13, 7);
    m2.opsetImports.push({ domain: 'com.example', version: 2 });
    expect(qdqExporter().export({ model: m2, plan, encodings, mode: 'weight-only' }).model.opsetImports).toEqual([{ domain: '', version: 13 }, { domain: 'com.example', version: 2 }]);
  });
});
