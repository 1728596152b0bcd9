import { isQuantforgeError, quantizeWith, tensor, type CodebookEncoding, type Encoding, type ExportInput, type PlanEntry, type QuantizedTensor } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { codebookExporter } from '../src/index.js';
import { f32, model, node, randomFloats } from './qdq-helpers.js';

// Coded refusals of the codebook exporter, and what it leaves alone.

function entry(name: string, role: PlanEntry['role']): PlanEntry {
  return { tensor: name, role, scheme: 'test', options: {}, consumers: [], bits: 4, granularity: 'per-tensor', stats: null };
}

const W = tensor('float32', [4, 3], randomFloats(12, 8));
const m = model([node('MatMul', ['x', 'W'], ['h'], {}, 'mm'), node('Relu', ['h'], ['y'], {}, 'relu')], [f32('x', [2, 4])], [f32('y', [2, 3])], { W });
const cb: CodebookEncoding = { kind: 'codebook', k: 4, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 3 }, centroids: Float32Array.of(-1, -0.3, 0.3, 1) };

function input(entries: PlanEntry[], encodings: Record<string, QuantizedTensor>, mode: ExportInput['mode'] = 'static'): ExportInput {
  return { model: m, plan: { version: 1, excluded: [], tensors: Object.fromEntries(entries.map((e) => [e.tensor, e])) }, encodings, mode };
}

function codeOf(f: () => unknown): { code: string; details: Record<string, unknown> } {
  try {
    f();
  } catch (err) {
    if (isQuantforgeError(err)) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a QuantforgeError');
}

const exporter = codebookExporter();

describe('codebook exporter errors', () => {
  it('declares codebook, log and affine', () => {
    expect(exporter.name).toBe('codebook');
    expect([...exporter.kinds].sort()).toEqual(['affine', 'codebook', 'log']);
  });

  it('refuses ternary weights and codebook activations with QF_ENCODING_UNSUPPORTED', () => {
    const ternary: Encoding = { kind: 'ternary', scale: new Float32Array([0.5]) };
    const r = codeOf(() => exporter.export(input([entry('W', 'weight')], { W: quantizeWith(ternary, W.data as Float32Array, W.dims) })));
    expect(r.code).toBe('QF_ENCODING_UNSUPPORTED');
    expect(r.details).toMatchObject({ tensor: 'W', kind: 'ternary', exporter: 'codebook' });
    expect(codeOf(() => exporter.export(input([entry('h', 'activation')], { h: { encoding: cb, dims: [2, 3] } }))).code).toBe('QF_ENCODING_UNSUPPORTED');
  });

  it('rejects indices outside the codebook (QF_INVALID_ARGUMENT) and missing encodings (QF_PIPELINE_INVALID)', () => {
    const codes = tensor('uint8', [1, 4, 3], new Uint8Array(12).fill(4));
    expect(codeOf(() => exporter.export(input([entry('W', 'weight')], { W: { encoding: cb, dims: [4, 3], codes } }))).code).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => exporter.export(input([entry('W', 'weight')], {}))).code).toBe('QF_PIPELINE_INVALID');
  });

  it('refuses a model older than the version adapter converts, and checks its options', () => {
    const old = { ...m, opsetImports: [{ domain: '', version: 6 }] };
    const q = quantizeWith(cb, W.data as Float32Array, W.dims);
    const r = codeOf(() => exporter.export({ ...input([entry('W', 'weight')], { W: q }), model: old }));
    expect(r.code).toBe('QF_ENCODING_UNSUPPORTED');
    expect(r.details).toMatchObject({ from: 6 });
    expect(codeOf(() => codebookExporter({ packIndices: 'always' as never })).code).toBe('QF_INVALID_ARGUMENT');
  });

  it('quantizes a codebook weight without codes by nearest centroid and does not mutate the input model', () => {
    const before = [...m.graph.initializers.keys()];
    const { model: out, valueMap } = exporter.export(input([entry('W', 'weight')], { W: { encoding: cb, dims: [4, 3] } }, 'weight-only'));
    expect([...m.graph.initializers.keys()]).toEqual(before);
    expect(m.graph.nodes[0]!.inputs[1]).toBe('W');
    // 12 indices: too few for sub-byte packing to pay for its unpacking ops.
    const indices = out.graph.initializers.get('W_indices')!.tensor;
    expect(Array.from(indices.data as Uint8Array)).toEqual(Array.from(quantizeWith(cb, W.data as Float32Array, W.dims).codes!.data as Uint8Array));
    expect(out.graph.nodes.find((n) => n.name === 'mm')!.inputs[1]).toBe(valueMap.W);
  });
});
