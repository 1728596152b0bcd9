import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { buildReport, QuantizeReportSchema, type ReportInput } from '../../src/pipeline/report.js';
import { affineEncoding } from '../../src/quant/affine.js';
import { quantizeWith } from '../../src/quant/quantize.js';
import type { QuantPlan } from '../../src/quant/plan.js';
import { mlp } from './models.js';

const DOC = readFileSync(new URL('../../docs/report-schema.md', import.meta.url), 'utf8');
/** Every identifier written inside a code span of the doc (`{ samples, executor }` counts both). */
const DOCUMENTED = new Set([...DOC.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1]!.match(/[A-Za-z$]+/g) ?? []));

function keysOf(schema: unknown, out = new Set<string>()): Set<string> {
  if (schema === null || typeof schema !== 'object') return out;
  const s = schema as { properties?: Record<string, unknown>; anyOf?: unknown[]; items?: unknown };
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    out.add(k);
    keysOf(v, out);
  }
  for (const m of s.anyOf ?? []) keysOf(m, out);
  keysOf(s.items, out);
  return out;
}

describe('report', () => {
  it('documents every field of the schema in docs/report-schema.md', () => {
    const missing = [...keysOf(QuantizeReportSchema)].filter((k) => !DOCUMENTED.has(k));
    expect(missing).toEqual([]);
  });

  it('reports weight SQNR from the dequantized codes and null for non-finite metrics', () => {
    const m = mlp();
    const w1 = m.graph.initializers.get('w1')!.tensor.data as Float32Array;
    const q = quantizeWith(affineEncoding({ min: -1, max: 1 }, { bits: 8, signed: true, symmetric: true }), w1, [4, 8]);
    const exact = quantizeWith(affineEncoding({ min: 0, max: 0 }, { bits: 8, signed: true, symmetric: true }), new Float32Array(3), [3]);
    m.graph.initializers.set('z', { name: 'z', tensor: { dtype: 'float32', dims: [3], data: new Float32Array(3) } });
    const plan: QuantPlan = {
      version: 1, excluded: [],
      tensors: {
        w1: { tensor: 'w1', role: 'weight', scheme: 's', options: {}, consumers: [], bits: 8, granularity: 'per-tensor', stats: null },
        z: { tensor: 'z', role: 'weight', scheme: 's', options: {}, consumers: [], bits: 8, granularity: 'per-tensor', stats: null },
      },
    };
    const input: ReportInput = {
      mode: 'weight-only', schemes: [], exporter: 'x', floatModel: m, plan, encodings: { w1: q, z: exact }, calibration: null, evaluation: null,
      bytesBefore: null, bytesAfter: null, timingsMs: { load: 0, prepare: 0, calibrate: 0, quantize: 0, export: 0, evaluate: 0, total: 0 }, warnings: [],
    };
    const r = buildReport(input);
    expect(Value.Check(QuantizeReportSchema, r)).toBe(true);
    expect(r.weights[0]!.sqnrDb).toBeGreaterThan(30);
    expect(r.weights[1]!.sqnrDb).toBeNull();
    expect(r.model.compression).toBeNull();
    expect(JSON.stringify(buildReport(input))).toBe(JSON.stringify(r));
  });
});
