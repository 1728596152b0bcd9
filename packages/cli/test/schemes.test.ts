import { join } from 'node:path';
import { QuantforgeError, validateRecipe } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { createExporter, SCHEME_NAMES, schemeFromFlags, type SchemeFlags } from '../src/api/schemes.js';
import { quantforge } from '../src/index.js';
import { REPO } from './helpers.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof QuantforgeError) return e.code;
    throw e;
  }
  return undefined;
}

describe('schemeFromFlags — names to plugin factories', () => {
  it('maps uniform bits and granularity into the recipe and the nested uniform options, exporting QDQ', () => {
    const s = schemeFromFlags('uniform', { weightBits: '4', activationBits: '8', granularity: 'per-channel', compress: true });
    expect(s.use.plugin.name).toBe('scheme-uniform');
    expect(s.use.scheme).toBe('uniform');
    expect(s.recipe).toEqual({ scheme: 'uniform', mode: 'static', weights: { bits: 4, granularity: 'per-channel' }, activations: { bits: 8 } });
    const o = s.use.options as { weights: Record<string, unknown>; activations: Record<string, unknown> };
    expect(o.weights.bits).toBe(4);
    expect(o.weights.granularity).toBe('per-channel');
    expect(o.weights.symmetric).toBe(true);
    expect(o.activations.bits).toBe(8);
    expect(s.exporter).toBe('qdq');
  });

  it('passes logquant bits, activation bits and extras, per-channel as perChannel, simulated unless compressed', () => {
    const s = schemeFromFlags('logquant', { weightBits: 3, activationBits: 4, granularity: 'per-channel', schemeOptions: '{"fsr":"search","base":"sqrt2"}' });
    expect(s.use.plugin.name).toBe('scheme-logquant');
    expect(s.use.options).toMatchObject({ bits: 3, activationBits: 4, perChannel: true, fsr: 'search', base: 'sqrt2' });
    expect(s.recipe).toEqual({ scheme: 'logquant', mode: 'static', weights: { bits: 3, granularity: 'per-channel' }, activations: { bits: 4 } });
    expect(s.exporter).toBe('simulated');
    expect(schemeFromFlags('logquant', { weightBits: 3, compress: true }).exporter).toBe('codebook');
  });

  it('maps weighted-entropy, keeping levels from --scheme-options', () => {
    const s = schemeFromFlags('weighted-entropy', { activationBits: 3, schemeOptions: { levels: 12, activationObjective: 'error' } });
    expect(s.use.scheme).toBe('weighted-entropy');
    expect(s.use.options).toMatchObject({ levels: 12, activationBits: 3, activationObjective: 'error', profile: 'uniform' });
    expect(s.use.options).not.toHaveProperty('bits');
    expect(s.recipe.mode).toBe('static');
  });

  it('makes kmeans and pq weight-only and takes --pq-dim / --pq-centroids', () => {
    const k = schemeFromFlags('kmeans', { weightBits: '3', granularity: 'per-channel', compress: true });
    expect(k.use.options).toMatchObject({ method: 'kmeans', bits: 3, perChannel: true });
    expect(k.recipe).toEqual({ scheme: 'kmeans', mode: 'weight-only', weights: { bits: 3, granularity: 'per-channel' } });
    expect(k.exporter).toBe('codebook');
    const p = schemeFromFlags('pq', { pqDim: '8', pqCentroids: '64' });
    expect(p.use.options).toMatchObject({ method: 'pq', pqDim: 8, pqCentroids: 64, init: 'kmeans++' });
    expect(p.recipe).toEqual({ scheme: 'pq', mode: 'weight-only' });
    expect(p.exporter).toBe('simulated');
  });

  it('gives 1-bit weights to the schemes that allow them without putting them in the recipe', () => {
    const s = schemeFromFlags('weighted-entropy', { weightBits: 1, mode: 'weight-only' });
    expect(s.use.options).toMatchObject({ bits: 1 });
    expect(s.recipe).toEqual({ scheme: 'weighted-entropy', mode: 'weight-only' });
  });

  it('returns recipes the recipe schema accepts for every scheme', () => {
    const flags: Record<string, SchemeFlags> = {
      uniform: { weightBits: 2, activationBits: 3 }, logquant: { weightBits: 2 }, 'weighted-entropy': { weightBits: 3, activationBits: 4 },
      kmeans: { weightBits: 2 }, pq: { pqDim: 4, pqCentroids: 16 },
    };
    for (const name of SCHEME_NAMES) expect(validateRecipe(schemeFromFlags(name, flags[name]).recipe).scheme).toBe(name);
  });
});

describe('schemeFromFlags — bad combinations', () => {
  const cases: [string, string, SchemeFlags, string][] = [
    ['unknown scheme', 'ternary', {}, 'QF_CLI_USAGE'],
    ['--pq-dim with logquant', 'logquant', { pqDim: 4 }, 'QF_CLI_USAGE'],
    ['--pq-centroids with kmeans', 'kmeans', { pqCentroids: 16 }, 'QF_CLI_USAGE'],
    ['--weight-bits with pq', 'pq', { weightBits: 4 }, 'QF_CLI_USAGE'],
    ['--activation-bits with kmeans', 'kmeans', { activationBits: 4 }, 'QF_CLI_USAGE'],
    ['--activation-bits in weight-only mode', 'uniform', { activationBits: 4, mode: 'weight-only' }, 'QF_CLI_USAGE'],
    ['static mode with pq', 'pq', { mode: 'static' }, 'QF_CLI_USAGE'],
    ['dynamic mode with logquant', 'logquant', { mode: 'dynamic' }, 'QF_CLI_USAGE'],
    ['unknown mode', 'uniform', { mode: 'fast' }, 'QF_CLI_USAGE'],
    ['non-integer bits', 'uniform', { weightBits: '4.5' }, 'QF_CLI_USAGE'],
    ['bits out of range', 'uniform', { weightBits: '1' }, 'QF_CLI_USAGE'],
    ['per-channel weighted-entropy', 'weighted-entropy', { granularity: 'per-channel' }, 'QF_CLI_USAGE'],
    ['per-group granularity', 'kmeans', { granularity: 'per-group' }, 'QF_CLI_USAGE'],
    ['malformed JSON', 'logquant', { schemeOptions: '{fsr: search}' }, 'QF_CLI_USAGE'],
    ['JSON that is not an object', 'logquant', { schemeOptions: '[1, 2]' }, 'QF_CLI_USAGE'],
    ['flag contradicting --scheme-options', 'logquant', { weightBits: 3, schemeOptions: '{"bits":4}' }, 'QF_CLI_USAGE'],
    ['method in --scheme-options', 'kmeans', { schemeOptions: '{"method":"pq"}' }, 'QF_CLI_USAGE'],
    ['unknown scheme option', 'logquant', { schemeOptions: '{"levels":5}' }, 'QF_OPTIONS_INVALID'],
    ['logquant bits above its range', 'logquant', { weightBits: 12 }, 'QF_OPTIONS_INVALID'],
    ['bits and levels for weighted-entropy', 'weighted-entropy', { weightBits: 3, schemeOptions: '{"levels":7}' }, 'QF_OPTIONS_INVALID'],
    ['pq option rules (init)', 'pq', { schemeOptions: '{"init":"linear"}' }, 'QF_OPTIONS_INVALID'],
  ];
  for (const [what, name, flags, code] of cases) {
    it(`${what} → ${code}`, () => expect(codeOf(() => schemeFromFlags(name, flags))).toBe(code));
  }

  it('names the offending flag in the usage error', () => {
    try {
      schemeFromFlags('logquant', { pqDim: '4' });
      expect.unreachable();
    } catch (e) {
      expect((e as QuantforgeError).message).toMatch(/--pq-dim applies to --scheme pq only/);
      expect((e as QuantforgeError).details).toMatchObject({ command: 'quantize', flag: '--pq-dim', scheme: 'logquant' });
    }
  });
});

describe('createExporter', () => {
  it('builds the exporter each choice names, with the encoding kinds it writes', () => {
    expect(createExporter('qdq').kinds).toEqual(['affine']);
    expect(createExporter('codebook').name).toBe('codebook');
    expect(createExporter('simulated').kinds).toContain('log');
    expect(codeOf(() => createExporter('tflite' as never))).toBe('QF_INVALID_ARGUMENT');
  });

  it('runs a selection end to end: 2-bit per-channel k-means on the demo model, compressed', async () => {
    const s = schemeFromFlags('kmeans', { weightBits: 2, granularity: 'per-channel', compress: true });
    const result = await quantforge(join(REPO, 'examples/fashion-mnist/model/model.onnx'), { services: { exporter: createExporter(s.exporter) } })
      .use(s.use).recipe(s.recipe).run({ workers: 1, seed: 0 });
    expect(result.report.exporter).toBe('codebook');
    const kinds = new Set(Object.values(result.encodings).map((q) => q.encoding.kind));
    expect([...kinds]).toEqual(['codebook']);
    for (const q of Object.values(result.encodings)) if (q.encoding.kind === 'codebook') expect(q.encoding.k).toBe(4);
    expect(result.model.graph.nodes.some((n) => n.opType === 'Gather')).toBe(true);
    expect(result.report.model.bytesAfter).toBeLessThan(result.report.model.bytesBefore! / 3);
  });
});
