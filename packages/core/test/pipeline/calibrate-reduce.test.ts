// In-graph min/max reductions: the calibrate stage asks the runner for per-sample ranges of the values only min/max
// observers read, falls back to whole values for non-finite samples, and must leave every state byte-identical to
// observing the whole values.
import { beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '../../src/ir/tensor.js';
import { prepareGraph } from '../../src/passes/prepare-graph.js';
import { quantforge, type CalibrateOptions } from '../../src/pipeline/index.js';
import type { Feed, FloatRunner, RunnerFactory, RunnerOptions, SampleRanges } from '../../src/pipeline/services.js';
import { reducibleValues } from '../../src/pipeline/stages/calibrate-reduce.js';
import { collectStatistics } from '../../src/pipeline/stages/calibrate.js';
import { serializeCalibrationStats, type CalibrationTask } from '../../src/quant/calibrator.js';
import { minMaxObserver, observeFiniteRange } from '../../src/quant/observers/minmax.js';
import type { QuantPlan } from '../../src/quant/plan.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { seeded } from '../passes/helpers.js';
import { fakeQuantExporter, jsRunners, runModel } from './doubles.js';
import { affineFixture, mlp, type AffineFixture } from './models.js';

let fx: AffineFixture;
beforeAll(async () => {
  fx = await affineFixture();
});

/** Per-sample ranges scanned in JS, the way a reducing runner must report them. */
function ranges(t: Tensor): SampleRanges {
  const n = t.dims[0]!;
  const per = t.data.length / n;
  const data = t.data as Float32Array;
  const r: SampleRanges = { samples: n, perSample: per, min: new Float32Array(n), max: new Float32Array(n), finite: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    const s = Array.from(data.subarray(i * per, (i + 1) * per));
    r.finite[i] = s.every(Number.isFinite) ? 1 : 0;
    // Reversed scan order: a zero extreme may come out with the other sign than a forward scan gives.
    r.min[i] = s.reduceRight((a, b) => (b < a ? b : a), Infinity);
    r.max[i] = s.reduceRight((a, b) => (b > a ? b : a), -Infinity);
  }
  return r;
}

/** The JS runner double with `runReduced`, counting which entry point ran; `reduce: false` leaves it out. */
function reducingRunners(reduce: boolean) {
  const log = { created: [] as RunnerOptions[], runs: 0, reducedRuns: 0, factory: undefined as unknown as RunnerFactory };
  log.factory = async (model, options): Promise<FloatRunner> => {
    log.created.push(options);
    const runner: FloatRunner = {
      description: 'js-reducing-test-runner',
      run: async (feed) => {
        log.runs++;
        return runModel(model, feed, options.exposeOutputs);
      },
      close: async () => {},
    };
    if (reduce) {
      runner.runReduced = async (feed) => {
        log.reducedRuns++;
        const want = new Set(options.exposeReductions ?? []);
        const all = runModel(model, feed, options.exposeOutputs);
        const outputs: Record<string, Tensor> = {};
        const r: Record<string, SampleRanges> = {};
        for (const [k, v] of Object.entries(all)) {
          if (want.has(k)) r[k] = ranges(v);
          else outputs[k] = v;
        }
        return { outputs, ranges: r };
      };
    }
    return runner;
  };
  return log;
}

async function planFor(cal: CalibrateOptions, data: Feed[]): Promise<QuantPlan> {
  return (await quantforge(mlp(), { createRunner: jsRunners().factory, exporter: fakeQuantExporter() }).use(fx.affine8LocalPlugin).calibrate(data, cal).run()).plan;
}

async function statsOf(plan: QuantPlan, data: Feed[], factory: RunnerFactory, batch: number) {
  const model = mlp();
  prepareGraph(model);
  const { stats } = await collectStatistics({ model, plan, data, samples: undefined, createRunner: factory, onProgress: undefined, batch });
  return serializeCalibrationStats(stats);
}

/** x[1,4] rows; rows 5 and 23 hold +∞ / −∞ (non-finite activations downstream), row 9 is all zeros (±0 extremes). */
function rows(count: number): Feed[] {
  return Array.from({ length: count }, (_, i) => {
    const v = seeded(4, 60 + i).map((x) => x * (1 + (i % 5)));
    if (i === 5) v[1] = Infinity;
    if (i === 23) v[2] = -Infinity;
    if (i === 9) v.fill(0);
    return { x: tensor('float32', [1, 4], v) };
  });
}

describe('calibration with in-graph min/max reductions', () => {
  it('asks for reductions of the exposed min/max values only', async () => {
    const data = rows(8);
    for (const [cal, reduced] of [[{ calibrator: 'minmax' }, true], [{ calibrator: 'percentile', options: { bins: 256 } }, false], [{ calibrator: 'minmax', options: { momentum: 0.1 } }, false]] as const) {
      const plan = await planFor(cal as CalibrateOptions, data);
      const log = reducingRunners(true);
      await statsOf(plan, data, log.factory, 16);
      const options = log.created[0]!;
      expect(options.exposeOutputs.length).toBeGreaterThan(0);
      expect(options.exposeReductions).toEqual(reduced ? options.exposeOutputs : undefined);
    }
  });

  it('reducibleValues: a value is reduced only when every tensor read through it is plain min/max', () => {
    const task = (tensor: string, observer: string, options?: unknown): CalibrationTask => ({ tensor, request: { observer, options } as never });
    const source = new Map([['a', 'a'], ['a_flat', 'a'], ['b', 'b'], ['c', 'c'], ['d', 'd']]);
    const tasks = [task('a', 'minmax'), task('a_flat', 'minmax'), task('b', 'minmax'), task('b', 'minmax'), task('c', 'minmax', { momentum: 0.5 }), task('d', 'entropy')];
    expect(reducibleValues(tasks, ['a', 'b', 'c', 'd'], source)).toEqual(['a', 'b']);
    expect(reducibleValues([task('a', 'minmax'), task('a_flat', 'percentile')], ['a'], source)).toEqual([]);
  });

  for (const batch of [1, 16]) {
    it(`batch ${batch}: statistics are byte-identical to whole values, non-finite samples go the whole-value way`, async () => {
      const data = rows(37);
      const plan = await planFor({ calibrator: 'minmax' }, data);
      const whole = reducingRunners(false);
      const reduced = reducingRunners(true);
      const expected = await statsOf(plan, data, whole.factory, batch);
      const got = await statsOf(plan, data, reduced.factory, batch);
      // toEqual tells −0 from +0; the JSON form is what the report holds.
      expect(got).toEqual(expected);
      expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
      // The data reach the non-finite and the zero cases, so the comparison covers them.
      const states = expected.states as Record<string, { nonFinite: number; min: number }>;
      expect(Object.values(states).some((s) => s.nonFinite > 0)).toBe(true);
      expect(Object.values(states).some((s) => s.min === 0)).toBe(true);
      // Whole values are fetched again only for the groups holding rows 5 and 23.
      expect(reduced.reducedRuns).toBe(batch === 1 ? 37 : 3);
      expect(reduced.runs).toBe(2);
    });
  }
});

describe('min/max observer: zero extremes and observeFiniteRange', () => {
  it('stores a zero extreme as +0 whatever zero comes first', () => {
    const obs = minMaxObserver();
    for (const first of [-0, 0]) {
      const v = new Float32Array(600).map((_, i) => (i % 3) + 1);
      v[7] = first;
      v[100] = -first;
      const s = obs.init('t');
      obs.observe(s, v, [600]);
      expect(Object.is(s.min, 0)).toBe(true);
      const short = obs.init('t');
      obs.observe(short, new Float32Array([3, first, -first, 2]), [4]);
      expect(Object.is(short.min, 0)).toBe(true);
      const neg = obs.init('t');
      obs.observe(neg, new Float32Array([-3, first, -first, -2]), [4]);
      expect(Object.is(neg.max, 0)).toBe(true);
    }
  });

  it('observeFiniteRange leaves the state observe leaves, batch by batch', () => {
    const obs = minMaxObserver();
    const a = obs.init('t');
    const b = obs.init('t');
    for (let i = 0; i < 6; i++) {
      const v = seeded(300, 5 + i).map((x) => (i === 2 ? Math.abs(x) : x));
      if (i === 2) v[0] = -0;
      obs.observe(a, v, [1, 300]);
      const sorted = [...v].sort((p, q) => p - q);
      observeFiniteRange(b, i === 2 ? -0 : sorted[0]!, sorted[sorted.length - 1]!, 300);
    }
    observeFiniteRange(b, 5, 6, 0);
    expect(b).toEqual(a);
    expect(Object.is(b.min, a.min)).toBe(true);
  });
});
