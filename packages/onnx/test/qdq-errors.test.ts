import { affineEncoding, tensor, type QuantizedTensor, type QuantPlan } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { qdqExporter, validateModel } from '../src/index.js';
import { entry, f32, fit, model, node, quantized, randomFloats } from './qdq-helpers.js';

// Coded errors for what the QDQ exporter cannot write or for plans that do not fit the model, and its naming rules.

const W = tensor('float32', [4, 3], randomFloats(12, 71));
const S8 = { bits: 8, signed: true, symmetric: true };
const eW = fit(W.data as Float32Array, W.dims, S8);
const eAct = affineEncoding({ min: -1, max: 1 }, { bits: 8, signed: false, symmetric: false });

function mm() {
  return model([node('MatMul', ['x', 'W'], ['h'], {}, 'mm'), node('Relu', ['h'], ['y'], {}, 'relu')], [f32('x', [2, 4])], [f32('y', [2, 3])], { W });
}

function base(): { plan: QuantPlan; encodings: Record<string, QuantizedTensor> } {
  return {
    plan: { version: 1, excluded: [], tensors: { W: entry('W', 'weight', eW), h: entry('h', 'activation', eAct, { producer: 'mm' }) } },
    encodings: { W: quantized(eW, W), h: { encoding: eAct, dims: [2, 3] } },
  };
}

describe('qdq exporter errors', () => {
  const exporter = qdqExporter();

  it('says what it writes', () => {
    expect(exporter.name).toBe('qdq');
    expect(exporter.kinds).toEqual(['affine']);
  });

  it('refuses non-affine encodings with QF_ENCODING_UNSUPPORTED, in every mode', () => {
    for (const mode of ['static', 'dynamic', 'weight-only'] as const) {
      const { plan, encodings } = base();
      encodings.h = { encoding: { kind: 'log', bits: 4, signed: true, step: 1, fsr: 0, minExponent: -7, zeroCode: true }, dims: [2, 3] };
      expect(() => exporter.export({ model: mm(), plan, encodings, mode })).toThrow(
        expect.objectContaining({ code: 'QF_ENCODING_UNSUPPORTED', details: expect.objectContaining({ tensor: 'h', kind: 'log' }) }),
      );
    }
  });

  it('reports plan / model mismatches with QF_PIPELINE_INVALID', () => {
    const missing = base();
    delete missing.encodings.h;
    expect(() => exporter.export({ model: mm(), ...missing, mode: 'static' })).toThrow(expect.objectContaining({ code: 'QF_PIPELINE_INVALID' }));

    const consumer = base();
    consumer.plan.tensors.h!.consumers = [{ node: 'nope', opType: 'Relu', input: 0 }];
    expect(() => exporter.export({ model: mm(), ...consumer, mode: 'static' })).toThrow(expect.objectContaining({ code: 'QF_PIPELINE_INVALID' }));

    const notInit = base();
    notInit.plan.tensors.h = entry('h', 'weight', eW);
    expect(() => exporter.export({ model: mm(), ...notInit, mode: 'weight-only' })).toThrow(expect.objectContaining({ code: 'QF_PIPELINE_INVALID' }));

    const absent = base();
    absent.plan.tensors.ghost = entry('ghost', 'activation', eAct);
    absent.encodings.ghost = { encoding: eAct, dims: [1] };
    expect(() => exporter.export({ model: mm(), ...absent, mode: 'static' })).toThrow(expect.objectContaining({ code: 'QF_PIPELINE_INVALID' }));

    const ties = base();
    ties.plan.tensors.x = entry('x', 'activation', eAct, { tieGroup: 't' });
    ties.plan.tensors.h!.tieGroup = 't';
    ties.encodings.x = { encoding: affineEncoding({ min: -2, max: 2 }, { bits: 8, signed: false, symmetric: false }), dims: [2, 4] };
    expect(() => exporter.export({ model: mm(), ...ties, mode: 'static' })).toThrow(expect.objectContaining({ code: 'QF_PIPELINE_INVALID', details: expect.objectContaining({ tieGroup: 't' }) }));
  });

  it('needs activation encodings only in static mode', () => {
    const { plan, encodings } = base();
    delete encodings.h;
    expect(qdqExporter().export({ model: mm(), plan, encodings, mode: 'weight-only' }).valueMap).toEqual({ W: 'W_dequantized' });
    // Dynamic: W runs in MatMulInteger, so no DQ output carries it.
    expect(qdqExporter().export({ model: mm(), plan, encodings, mode: 'dynamic' }).model.graph.nodes.map((n) => n.opType)).toContain('MatMulInteger');
  });

  it('refuses int32 activations and unknown modes', () => {
    const { plan, encodings } = base();
    const e32 = affineEncoding({ min: -1, max: 1 }, { bits: 32, signed: true, symmetric: true });
    plan.tensors.h = entry('h', 'activation', e32);
    encodings.h = { encoding: e32, dims: [2, 3] };
    expect(() => exporter.export({ model: mm(), plan, encodings, mode: 'static' })).toThrow(expect.objectContaining({ code: 'QF_ENCODING_UNSUPPORTED' }));
    expect(() => exporter.export({ model: mm(), ...base(), mode: 'fancy' as never })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });
});

describe('qdq exporter naming and graph rules', () => {
  it('avoids names the model already uses, deterministically', () => {
    const m = mm();
    m.graph.nodes.push(node('Identity', ['y'], ['W_quantized'], {}, 'h_QuantizeLinear'));
    m.graph.outputs.push({ name: 'W_quantized', type: { kind: 'tensor', elemType: 'float32' } });
    const r = qdqExporter().export({ model: m, ...base(), mode: 'static' });
    validateModel(r.model);
    expect(r.model.graph.initializers.has('W_quantized_1')).toBe(true);
    expect(r.model.graph.nodes.filter((n) => n.name.startsWith('h_QuantizeLinear')).map((n) => n.name).sort()).toEqual(['h_QuantizeLinear', 'h_QuantizeLinear_1']);
  });

  it('quantizes a weight without codes from its float initializer, and drops it from old-style graph inputs', () => {
    const m = mm();
    m.graph.inputs.push(f32('W', [4, 3]));
    const { plan, encodings } = base();
    encodings.W = { encoding: eW, dims: [4, 3] };
    const r = qdqExporter().export({ model: m, plan, encodings, mode: 'weight-only' });
    expect(Array.from(r.model.graph.initializers.get('W_quantized')!.tensor.data as Int8Array)).toEqual(Array.from(quantized(eW, W).codes!.data as Int8Array));
    expect(r.model.graph.inputs.map((v) => v.name)).toEqual(['x']);
  });

  it('keeps a planned activation that is a graph output as the float output, and skips gradient entries', () => {
    const { plan, encodings } = base();
    plan.tensors.y = entry('y', 'activation', eAct, { producer: 'relu' });
    encodings.y = { encoding: eAct, dims: [2, 3] };
    plan.tensors.g = entry('g', 'gradient', eAct);
    const r = qdqExporter().export({ model: mm(), plan, encodings, mode: 'static' });
    expect(r.model.graph.outputs.map((o) => o.name)).toEqual(['y']);
    expect(r.valueMap.y).toBe('y_dequantized');
    expect(r.valueMap.g).toBeUndefined();
  });
});
