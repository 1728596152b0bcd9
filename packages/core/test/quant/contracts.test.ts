import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import {
  affineEncoding, calibrationTasks, createCalibrator, defineScheme, dequantize, deserializeCalibrationStats, quantizeWith, reduceRanges,
  resolveSchemeOptions, schemeSupports, serializeCalibrationStats, sqnr, statRequestKey, tensorSeed, validateOptions, validatePlan,
  type QuantPlan, type SchemeDefinition, type StatRequest, type TensorQuantInfo,
} from '../../src/quant/index.js';
import { tensor } from '../../src/ir/index.js';
import { QuantforgeError } from '../../src/errors/index.js';
import { chunks, laplace, normal } from './rng.js';

function problemsOf(f: () => unknown): { code: string; problems: { path: string; message: string }[] } | undefined {
  try { f(); } catch (e) {
    const q = e as QuantforgeError;
    return { code: q.code, problems: (q.details.problems ?? []) as { path: string; message: string }[] };
  }
  return undefined;
}

const Options = Type.Object({
  bits: Type.Integer({ minimum: 2, maximum: 16 }),
  observer: Type.Union([Type.Literal('minmax'), Type.Literal('entropy'), Type.Literal('percentile'), Type.Literal('mse')]),
  perChannel: Type.Boolean(),
}, { additionalProperties: false });
interface Opts { bits: number; observer: 'minmax' | 'entropy' | 'percentile' | 'mse'; perChannel: boolean }

/** A minimal uniform scheme written against the contract, as a plugin would. */
const tinyUniform: SchemeDefinition<Opts> = defineScheme<Opts>({
  name: 'tiny-uniform',
  optionsSchema: Options,
  defaults: { bits: 8, observer: 'entropy', perChannel: true },
  supports: { roles: ['weight', 'activation'], encodings: ['affine'] },
  statsFor(role, _info, o): StatRequest | null {
    if (role !== 'activation') return null;
    return { observer: o.observer, options: {}, finalize: { bits: o.bits, signed: true, symmetric: true } } as StatRequest;
  },
  encodeActivation(stats, o) {
    return affineEncoding(stats.range, { bits: o.bits, signed: true, symmetric: true });
  },
  quantizeWeight(t, o, info) {
    const data = t.data as Float32Array;
    const format = { bits: o.bits, signed: true, symmetric: true, narrowRange: true };
    const e = o.perChannel ? affineEncoding(reduceRanges(data, t.dims, info.axis ?? 0), format, { axis: info.axis ?? 0 }) : affineEncoding({ min: -1, max: 1 }, format);
    return quantizeWith(e, data, t.dims);
  },
});

describe('validateOptions', () => {
  it('returns valid values and lists every problem with its JSON path', () => {
    expect(validateOptions(Options, { bits: 4, observer: 'mse', perChannel: false })).toEqual({ bits: 4, observer: 'mse', perChannel: false });
    const r = problemsOf(() => validateOptions(Options, { bits: 1.5, observer: 'kl', extra: 1 }, 'tiny-uniform'));
    expect(r?.code).toBe('QF_OPTIONS_INVALID');
    const paths = r!.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['/bits', '/observer', '/perChannel', '/extra']));
    expect(() => validateOptions(Options, null)).toThrow(/invalid options/);
  });
});

describe('scheme contract', () => {
  it('defineScheme checks defaults and required methods', () => {
    expect(problemsOf(() => defineScheme({ ...tinyUniform, defaults: { bits: 99, observer: 'mse', perChannel: true } }))?.code).toBe('QF_OPTIONS_INVALID');
    const { encodeActivation: _drop, ...noActivation } = tinyUniform;
    expect(problemsOf(() => defineScheme(noActivation))?.code).toBe('QF_INVALID_ARGUMENT');
    expect(problemsOf(() => defineScheme({ ...tinyUniform, name: '' }))?.code).toBe('QF_INVALID_ARGUMENT');
    expect(schemeSupports(tinyUniform, 'activation')).toBe(true);
    expect(schemeSupports(tinyUniform, 'gradient')).toBe(false);
  });
  it('resolveSchemeOptions applies defaults then validates', () => {
    expect(resolveSchemeOptions(tinyUniform, { bits: 4 })).toEqual({ bits: 4, observer: 'entropy', perChannel: true });
    expect(problemsOf(() => resolveSchemeOptions(tinyUniform, { bits: 40 }))?.problems.map((p) => p.path)).toEqual(['/bits']);
    expect(problemsOf(() => resolveSchemeOptions(tinyUniform, 'x'))?.code).toBe('QF_OPTIONS_INVALID');
  });
  it('quantizeWeight runs with structured-clonable inputs and outputs', async () => {
    const w = tensor('float32', [4, 16], normal(64, 2));
    const info: TensorQuantInfo = { name: 'w', role: 'weight', consumers: [], bits: 8, granularity: 'per-channel', axis: 0, seed: tensorSeed(1, 'w'), dependencies: {} };
    const q = await tinyUniform.quantizeWeight!(structuredClone(w), resolveSchemeOptions(tinyUniform, {}), structuredClone(info));
    const back = structuredClone(q);
    expect(sqnr(w.data as Float32Array, dequantize(back))).toBeGreaterThan(35);
  });
  it('tensorSeed is stable and name-sensitive', () => {
    expect(tensorSeed(42, 'conv1.weight')).toBe(tensorSeed(42, 'conv1.weight'));
    expect(tensorSeed(42, 'conv1.weight')).not.toBe(tensorSeed(42, 'conv2.weight'));
    expect(tensorSeed(42, 'a')).not.toBe(tensorSeed(43, 'a'));
    expect(Number.isInteger(tensorSeed(7, 'x')) && tensorSeed(7, 'x') >= 0 && tensorSeed(7, 'x') < 2 ** 32).toBe(true);
  });
});

function planFor(observer: 'entropy' | 'minmax'): QuantPlan {
  const opts = resolveSchemeOptions(tinyUniform, { observer });
  const entry = (tensorName: string, role: 'activation' | 'weight') => ({
    tensor: tensorName, role, scheme: 'tiny-uniform', options: { ...opts }, consumers: [{ node: 'Conv_0', opType: 'Conv', input: role === 'weight' ? 1 : 0 }],
    bits: 8, granularity: role === 'weight' ? ('per-channel' as const) : ('per-tensor' as const), ...(role === 'weight' ? { axis: 0 } : {}),
    stats: tinyUniform.statsFor(role, { name: tensorName, role, consumers: [], bits: 8, granularity: 'per-tensor' }, opts),
  });
  return {
    version: 1,
    tensors: { input: entry('input', 'activation'), 'conv.w': entry('conv.w', 'weight'), relu: entry('relu', 'activation') },
    excluded: [{ node: 'Softmax_3', opType: 'Softmax', reason: 'kept in float by recipe' }],
  };
}

describe('plan', () => {
  it('is JSON and validates', () => {
    const plan = planFor('entropy');
    expect(validatePlan(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
    expect(calibrationTasks(plan).map((t) => t.tensor)).toEqual(['input', 'relu']);
  });
  it('reports shape and consistency problems', () => {
    const plan = planFor('minmax');
    const broken = JSON.parse(JSON.stringify(plan)) as QuantPlan;
    broken.tensors['conv.w']!.granularity = 'per-group';
    broken.tensors['relu']!.dependsOn = { input: 'missing' };
    broken.tensors['input']!.tensor = 'other';
    const r = problemsOf(() => validatePlan(broken));
    expect(r?.code).toBe('QF_PIPELINE_INVALID');
    expect(r!.problems.map((p) => p.path)).toEqual(['/tensors/input/tensor', '/tensors/conv.w', '/tensors/relu/dependsOn/input']);
    const bad = JSON.parse(JSON.stringify(plan));
    bad.tensors.relu.stats.options = { momentum: 2 };
    bad.tensors.relu.role = 'weights';
    const r2 = problemsOf(() => validatePlan(bad));
    expect(r2?.code).toBe('QF_PIPELINE_INVALID');
    expect(r2!.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['/tensors/relu/role', '/tensors/relu/stats/options/momentum']));
  });
  it('statRequestKey is canonical', () => {
    const a = { observer: 'percentile', options: { percentile: 99.9, bins: 1024 }, finalize: { symmetric: true, bits: 8, signed: true } } as StatRequest;
    const b = { finalize: { bits: 8, signed: true, symmetric: true }, options: { bins: 1024, percentile: 99.9 }, observer: 'percentile' } as StatRequest;
    expect(statRequestKey(a)).toBe(statRequestKey(b));
    expect(statRequestKey(a)).not.toBe(statRequestKey({ ...b, options: { bins: 2048 } } as StatRequest));
  });
});

describe('calibrator', () => {
  it('per-worker statistics merge to exactly one pass, and feed encodeActivation', () => {
    const plan = planFor('entropy');
    const cal = createCalibrator(plan);
    expect(cal.tensors).toEqual(['input', 'relu']);
    const input = laplace(30000, 8, 1);
    const relu = Float32Array.from(input, (v) => Math.max(0, v));
    const single = cal.init();
    cal.observe(single, 'input', input, [input.length]);
    cal.observe(single, 'relu', relu, [relu.length]);
    cal.addSamples(single, 30);
    const workers = chunks(input, 3, 3).map((part, i) => {
      const s = cal.init();
      const r = Float32Array.from(part, (v) => Math.max(0, v));
      cal.observe(s, 'input', part, [part.length]);
      cal.observe(s, 'relu', r, [r.length]);
      cal.addSamples(s, [10, 10, 10][i]!);
      // stats cross a worker boundary as JSON
      return deserializeCalibrationStats(JSON.parse(JSON.stringify(serializeCalibrationStats(s))));
    });
    const merged = workers.reduce((a, b) => cal.merge(a, b));
    expect(merged).toEqual(single);
    const ranges = cal.finalize(merged);
    expect(ranges['relu']!.range.max).toBeLessThan(Math.max(...relu));
    const opts = resolveSchemeOptions(tinyUniform, {});
    const info: TensorQuantInfo = { name: 'relu', role: 'activation', consumers: [], bits: 8, granularity: 'per-tensor', seed: 0, dependencies: {} };
    const e = tinyUniform.encodeActivation!(ranges['relu']!, opts, info);
    expect(e.kind).toBe('affine');
  });
  it('names tensors without data and unknown tensors', () => {
    const cal = createCalibrator(planFor('minmax'));
    const s = cal.init();
    cal.observe(s, 'input', new Float32Array([1, -1]), [2]);
    const r = problemsOf(() => cal.finalize(s));
    expect(r?.code).toBe('QF_CALIBRATION');
    expect(() => cal.observe(s, 'nope', new Float32Array(1), [1])).toThrow(/not calibrated/);
    expect(problemsOf(() => createCalibrator([{ tensor: 'a', request: { observer: 'mse', options: { bins: 3 }, finalize: { bits: 8, signed: true, symmetric: true } } }]))?.code).toBe('QF_OPTIONS_INVALID');
  });
});
