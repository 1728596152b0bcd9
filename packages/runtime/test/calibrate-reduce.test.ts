import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { quantforge, tensor, type FloatRunner, type Model, type RunnerFactory, type SampleRanges, type Tensor } from '@quantforge/core';
import { encodeModel, loadModel, qdqExporter, readNpy } from '@quantforge/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { withReductions } from '../src/ort/index.js';
import { runnerFactory } from '../src/runner/index.js';
import { sampleRanges } from '../src/runner/reference-runner.js';

// In-graph per-sample min/max (onnxruntime: Reshape → ReduceMin / ReduceMax / ReduceSum, reference executor: a JS
// scan) must match the whole values: exact extremes where a sample is finite, "not finite" wherever it holds NaN or
// ±∞ — wherever in the sample they sit, since onnxruntime's ReduceMax lets a later value win over an earlier NaN.

const FASHION = fileURLToPath(new URL('../../../examples/fashion-mnist/model/model.onnx', import.meta.url));
const CALIB = fileURLToPath(new URL('../../../examples/fashion-mnist/data/calib/input.npy', import.meta.url));

interface Affine8 { affine8LocalPlugin: never }
let fx: Affine8;
beforeAll(async () => {
  fx = (await import(new URL('../../core/test/fixtures/affine8-scheme.mjs', import.meta.url).href)) as Affine8;
});

/** a, b [N,6] → d = a / b, l = Log(a), m = a · b; y = m + a. d and l hold NaN, ±∞ and −0 for the data below. */
function divLog(opset: number): Model {
  const n = (opType: string, inputs: string[], output: string) => ({ name: output, opType, domain: '', inputs, outputs: [output], attributes: [] });
  const io = (name: string) => ({ name, type: { kind: 'tensor', elemType: 'float32', shape: ['N', 6] } });
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    graph: {
      name: 'div-log', nodes: [n('Div', ['a', 'b'], 'd'), n('Log', ['a'], 'l'), n('Mul', ['a', 'b'], 'm'), n('Add', ['m', 'a'], 'y')],
      inputs: [io('a'), io('b')], outputs: [io('y')], valueInfo: [], initializers: new Map(), sparseInitializers: [],
    },
  } as Model;
}

/** Six samples: finite; 0/0 and log(0), log(−1); −0 extremes; x/0 = +∞; a NaN last only; −0 / 0 mixes in m. */
const A = [[1, 2, 3, 4, 5, 6], [0, -1, 2, 3, 4, 5], [-0, 1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, -1], [2, 0, -0, 3, 1, 4]];
const B = [[1, 1, 2, 2, 3, 3], [0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [1, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [1, -1, 1, 1, 1, 1]];
const feed = () => ({ a: tensor('float32', [6, 6], Float32Array.from(A.flat())), b: tensor('float32', [6, 6], Float32Array.from(B.flat())) });

/** Every sample's finiteness and extremes as a scalar scan of the whole value gives them. */
function expected(t: Tensor) {
  const per = t.data.length / t.dims[0]!;
  return Array.from({ length: t.dims[0]! }, (_, i) => {
    const s = Array.from((t.data as Float32Array).subarray(i * per, (i + 1) * per));
    return { finite: s.every(Number.isFinite), min: Math.min(...s), max: Math.max(...s) };
  });
}

function check(r: SampleRanges | undefined, whole: Tensor): { finite: number; nonFinite: number } {
  expect(r).toBeDefined();
  expect([r!.samples, r!.perSample]).toEqual([whole.dims[0], whole.data.length / whole.dims[0]!]);
  let finite = 0;
  expected(whole).forEach((e, i) => {
    expect(r!.finite[i]).toBe(e.finite ? 1 : 0);
    if (!e.finite) return;
    finite++;
    // Equal as numbers: the sign of a zero extreme is unspecified (the calibrator stores +0).
    expect(r!.min[i] === e.min && r!.max[i] === e.max).toBe(true);
  });
  return { finite, nonFinite: whole.dims[0]! - finite };
}

describe('per-sample min/max reductions', () => {
  const cases: [string, RunnerFactory, number][] = [
    ['onnxruntime, opset 11 (axes attributes)', runnerFactory(), 11],
    ['onnxruntime, opset 13 (ReduceSum axes input)', runnerFactory(), 13],
    ['onnxruntime, opset 18 (axes inputs)', runnerFactory(), 18],
    ['reference executor', runnerFactory({ prefer: 'reference' }), 13],
  ];
  for (const [label, factory, opset] of cases) {
    it(`${label}: equal to the whole values, NaN / ±∞ samples reported as not finite`, async () => {
      const runner = await factory(divLog(opset), { exposeOutputs: ['d', 'l', 'm'], exposeReductions: ['d', 'l', 'm'], purpose: 'calibrate' });
      const whole = await runner.run(feed());
      const { outputs, ranges } = await runner.runReduced!(feed());
      expect(Object.keys(outputs)).toEqual(['y']);
      expect(outputs.y!.data).toEqual(whole.y!.data);
      const d = check(ranges.d, whole.d!);
      const l = check(ranges.l, whole.l!);
      const m = check(ranges.m, whole.m!);
      // The data do reach NaN, ±∞ and zero extremes.
      expect(d.nonFinite).toBe(2);
      expect(l.nonFinite).toBe(4);
      expect(m).toEqual({ finite: 6, nonFinite: 0 });
      expect(Array.from(whole.d!.data as Float32Array).some((v) => Object.is(v, -0))).toBe(true);
      expect(ranges.m!.min[2] === 0 && ranges.m!.min[5] === 0).toBe(true);
      await runner.close();
    });
  }

  it('withReductions leaves values it cannot reduce alone (not float32, rank 0) and names outputs freshly', () => {
    const model = divLog(13);
    model.graph.valueInfo.push({ name: 'm', type: { kind: 'tensor', elemType: 'float32', shape: [] } });
    const { model: rewritten, outputs } = withReductions(model, ['d', 'm', 'd']);
    expect([...outputs.keys()]).toEqual(['d']);
    expect(rewritten.graph.outputs.map((o) => o.name)).toEqual(['y', 'd_qf_min', 'd_qf_max', 'd_qf_sum', 'd_qf_shape']);
    expect(model.graph.outputs).toHaveLength(1);
  });

  it('sampleRanges: exact finiteness per sample', () => {
    const r = sampleRanges(tensor('float32', [3, 2], new Float32Array([1, Number.NaN, -0, 2, 5, -3])))!;
    expect(Array.from(r.finite)).toEqual([0, 1, 1]);
    expect([r.min[1], r.max[1], r.min[2], r.max[2]]).toEqual([-0, 2, -3, 5]);
    expect(sampleRanges(tensor('int64', [1], new BigInt64Array([1n])))).toBeUndefined();
  });
});

/** The runner factory with `runReduced` hidden: the stage then reads every exposed value whole (the old path). */
const wholeOnly = (inner: RunnerFactory): RunnerFactory => async (model, options) => {
  const r = await inner(model, options);
  return { description: r.description, run: (f) => r.run(f), close: () => r.close() } satisfies FloatRunner;
};

describe('Fashion-MNIST CNN: reduced calibration is byte-identical to reading whole values', () => {
  for (const batch of ['batched', 'batch 1'] as const) {
    for (const [label, inner] of [['onnxruntime', runnerFactory()], ['reference executor', runnerFactory({ prefer: 'reference' })]] as const) {
      it(`${label}, ${batch}: statistics, ranges, encodings and the exported model`, async () => {
        const all = readNpy(readFileSync(CALIB));
        const count = label === 'onnxruntime' ? 64 : 12;
        const data = Array.from({ length: count }, (_, i) => ({ input: tensor('float32', [1, 1, 28, 28], (all.data as Float32Array).slice(i * 784, (i + 1) * 784)) }));
        let reduced: readonly string[] = [];
        const recording: RunnerFactory = async (model, options) => {
          if (options.purpose === 'calibrate') reduced = options.exposeReductions ?? [];
          return inner(model, options);
        };
        const run = async (factory: RunnerFactory) => {
          const model = await loadModel(FASHION);
          // A fixed batch dim makes the stage run one sample per call.
          if (batch === 'batch 1') (model.graph.inputs[0]!.type as { shape: (number | string)[] }).shape[0] = 1;
          const result = await quantforge(model, { createRunner: factory, exporter: qdqExporter() }).use(fx.affine8LocalPlugin).calibrate(data).run({ seed: 1 });
          return { stats: result.stats!, bytes: encodeModel(result.model), encodings: JSON.stringify(result.toJSON?.().encodings ?? null) };
        };
        const fast = await run(recording);
        expect(reduced.length).toBe(5);
        const old = await run(wholeOnly(inner));
        expect(fast.stats.statistics).toEqual(old.stats.statistics);
        expect(JSON.stringify(fast.stats)).toBe(JSON.stringify(old.stats));
        expect(fast.encodings).toBe(old.encodings);
        expect(Buffer.from(fast.bytes).equals(Buffer.from(old.bytes))).toBe(true);
      });
    }
  }
});
