import { dequantize, isQuantforgeError, quantizeWith, tensor, type Encoding, type ExportInput, type PlanEntry, type QuantizedTensor } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { simulatedExporter } from '../src/index.js';
import { f32, model, node, randomFloats, runOrt } from './qdq-helpers.js';

// Coded refusals of the simulated exporter.

const log: Encoding = { kind: 'log', bits: 4, signed: true, step: 1, fsr: 0, minExponent: -7, zeroCode: true };

function entry(name: string, role: PlanEntry['role'], extra: Partial<PlanEntry> = {}): PlanEntry {
  return { tensor: name, role, scheme: 'test', options: {}, consumers: [], bits: 4, granularity: 'per-tensor', stats: null, ...extra };
}

function setup(opset = 13) {
  const W = tensor('float32', [4, 3], randomFloats(12, 3));
  const m = model([node('MatMul', ['x', 'W'], ['h'], {}, 'mm'), node('Relu', ['h'], ['y'], {}, 'relu')], [f32('x', [2, 4])], [f32('y', [2, 3])], { W }, opset);
  return { m, W };
}

function input(entries: PlanEntry[], encodings: Record<string, QuantizedTensor>, opset = 13, mode: ExportInput['mode'] = 'static'): ExportInput {
  return { model: setup(opset).m, plan: { version: 1, excluded: [], tensors: Object.fromEntries(entries.map((e) => [e.tensor, e])) }, encodings, mode };
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

const exporter = simulatedExporter();

describe('simulated exporter errors', () => {
  it('declares all four kinds', () => {
    expect(exporter.name).toBe('simulated');
    expect([...exporter.kinds].sort()).toEqual(['affine', 'codebook', 'log', 'ternary']);
  });

  it('refuses ternary and codebook activations with QF_ENCODING_UNSUPPORTED', () => {
    const ternary: Encoding = { kind: 'ternary', scale: new Float32Array([0.1]) };
    const r = codeOf(() => exporter.export(input([entry('h', 'activation')], { h: { encoding: ternary, dims: [2, 3] } })));
    expect(r.code).toBe('QF_ENCODING_UNSUPPORTED');
    expect(r.details).toMatchObject({ tensor: 'h', kind: 'ternary', supported: ['affine', 'log'] });
    const cb: Encoding = { kind: 'codebook', k: 2, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 3 }, centroids: Float32Array.of(0, 1) };
    expect(codeOf(() => exporter.export(input([entry('h', 'activation')], { h: { encoding: cb, dims: [2, 3] } }))).code).toBe('QF_ENCODING_UNSUPPORTED');
  });

  it('needs an encoding for every weight and every static activation (QF_PIPELINE_INVALID)', () => {
    expect(codeOf(() => exporter.export(input([entry('W', 'weight')], {}))).code).toBe('QF_PIPELINE_INVALID');
    expect(codeOf(() => exporter.export(input([entry('h', 'activation')], {}))).code).toBe('QF_PIPELINE_INVALID');
    // Weight-only mode ignores activations, encoded or not.
    expect(() => exporter.export(input([entry('h', 'activation')], {}, 13, 'weight-only'))).not.toThrow();
  });

  it('refuses activations the model lacks, weights that are no initializer, and codes of the wrong shape', () => {
    expect(codeOf(() => exporter.export(input([entry('nope', 'activation')], { nope: { encoding: log, dims: [2, 3] } }))).code).toBe('QF_PIPELINE_INVALID');
    expect(codeOf(() => exporter.export(input([entry('h', 'weight')], { h: { encoding: log, dims: [2, 3] } }))).code).toBe('QF_PIPELINE_INVALID');
    const codes = tensor('int8', [12], new Int8Array(12).fill(1));
    expect(codeOf(() => exporter.export(input([entry('W', 'weight')], { W: { encoding: log, dims: [12], codes } }))).code).toBe('QF_PIPELINE_INVALID');
  });

  it('rejects out-of-range codes (QF_INVALID_ARGUMENT) and unknown modes', () => {
    const codes = tensor('int8', [4, 3], new Int8Array(12).fill(9));
    expect(codeOf(() => exporter.export(input([entry('W', 'weight')], { W: { encoding: log, dims: [4, 3], codes } }))).code).toBe('QF_INVALID_ARGUMENT');
    expect(codeOf(() => exporter.export(input([], {}, 13, 'fast' as never))).code).toBe('QF_INVALID_ARGUMENT');
  });

  it('refuses tied log activations with different encodings', () => {
    const other: Encoding = { ...log, fsr: 1, minExponent: -6 } as Encoding;
    const r = codeOf(() => exporter.export(input(
      [entry('h', 'activation', { tieGroup: 't' }), entry('y', 'activation', { tieGroup: 't' })],
      { h: { encoding: log, dims: [2, 3] }, y: { encoding: other, dims: [2, 3] } },
    )));
    expect(r.code).toBe('QF_PIPELINE_INVALID');
    expect(r.details).toMatchObject({ tieGroup: 't' });
  });

  it('raises an older model through the version adapter, and refuses one below what it converts', async () => {
    const { model: out } = exporter.export(input([entry('h', 'activation')], { h: { encoding: log, dims: [2, 3] } }, 8));
    expect(out.opsetImports.find((o) => o.domain === '')!.version).toBe(10);
    const x = tensor('float32', [2, 4], randomFloats(8, 4));
    const h = (await runOrt(setup(8).m, { x }, ['h'])).h!;
    expect((await runOrt(out, { x }, ['y'])).y).toEqual(dequantize(quantizeWith(log, h, [2, 3])).map((v) => Math.max(v, 0)));
    const r = codeOf(() => exporter.export(input([entry('h', 'activation')], { h: { encoding: log, dims: [2, 3] } }, 6)));
    expect(r.code).toBe('QF_ENCODING_UNSUPPORTED');
    expect(r.details).toMatchObject({ from: 6 });
  });

  it('refuses a per-channel log axis outside the activation', () => {
    const perChannel: Encoding = { ...log, axis: 3, channelFsr: new Float32Array([0, 0, 0]) } as Encoding;
    expect(codeOf(() => exporter.export(input([entry('h', 'activation')], { h: { encoding: perChannel, dims: [2, 3] } }))).code).toBe('QF_INVALID_ARGUMENT');
  });
});
