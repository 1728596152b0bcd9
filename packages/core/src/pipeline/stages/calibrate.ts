import { QuantforgeError } from '../../errors/error.js';
import type { Model } from '../../ir/graph.js';
import type { ProgressListener } from '../../progress.js';
import { createCalibrator, type CalibrationStats, type SerializedCalibrationStats } from '../../quant/calibrator.js';
import type { QuantizedTensor } from '../../quant/encoding.js';
import { deserializeEncoding } from '../../quant/encoding-json.js';
import { createObserver, serializeObserverState, type ObserverState } from '../../quant/observers/index.js';
import type { PlanEntry, QuantPlan } from '../../quant/plan.js';
import { tensorSeed } from '../../quant/scheme.js';
import type { Tensor } from '../../ir/tensor.js';
import type { DataSource, Feed, FloatRunner, RunnerFactory } from '../services.js';
import { calibrationExposure } from './calibrate-exposure.js';
import { observeRanges, rangesUsable, reducibleValues } from './calibrate-reduce.js';
import { checkFeed, concatFeeds, knownLength, requiredInputs, take, type InputSpec } from './data.js';
import { quantInfo } from './quant-info.js';
import { SchemeTasks, type ActiveScheme } from './scheme-tasks.js';

/** Calibration outcome: merged statistics (JSON), each activation's clipping range, and the runner used. */
export interface CalibrationResult {
  samples: number;
  /** Finalized clipping range and observer kind per calibrated activation (tie-group members share theirs). */
  ranges: Record<string, { min: number; max: number; observer: string }>;
  /** The raw streaming statistics, one observer state per calibrated tensor. */
  statistics: SerializedCalibrationStats;
  /** The calibration runner's description (for the report); null when nothing needed calibration. */
  executor: string | null;
}

export interface CalibrateInput {
  model: Model;
  plan: QuantPlan;
  data: DataSource | undefined;
  samples: number | undefined;
  createRunner: RunnerFactory;
  onProgress: ProgressListener | undefined;
  /**
   * Samples per runner call (default {@link DEFAULT_CALIBRATION_BATCH}). Batching applies only when every model input
   * has a symbolic dim 0, every feed has dim 0 = 1 and no min/max observer uses momentum; otherwise samples run one
   * at a time. Without it, samples are stacked only while a call stays within 65536 input elements. Results do not
   * depend on it: each sample's slice is observed on its own, in order.
   */
  batch?: number;
}

/** Default samples per calibration runner call when the model's batch dim is symbolic. */
export const DEFAULT_CALIBRATION_BATCH = 16;

/**
 * The default batch only stacks small samples (at most this many input elements per runner call): batching saves the
 * per-run overhead, which only dominates for small models; large activations (e.g. 96×384 detection crops) get slower.
 */
const DEFAULT_BATCH_ELEMENTS = 1 << 16;

function batchable(inputs: readonly InputSpec[]): boolean {
  return inputs.length > 0 && inputs.every((i) => i.shape !== undefined && i.shape.length > 0 && typeof i.shape[0] !== 'number');
}

/** Whether feeds can be stacked: same names, dtypes and per-sample dims, dim 0 = 1, typed-array data. */
function stackable(feed: Feed, first: Feed): boolean {
  const names = Object.keys(feed);
  if (names.length !== Object.keys(first).length) return false;
  return names.every((name) => {
    const t = feed[name]!;
    const f = first[name];
    return f !== undefined && t.dtype === f.dtype && t.dims.length > 0 && t.dims[0] === 1 && t.dims.length === f.dims.length
      && t.dims.every((d, i) => d === f.dims[i]) && ArrayBuffer.isView(t.data) && !(t.data instanceof DataView);
  });
}

/**
 * Streams samples through one float runner and folds every planned activation into its observer; memory stays
 * O(observers), never O(samples). Graph-input activations are read from the feed itself.
 */
export async function collectStatistics(input: CalibrateInput): Promise<{ stats: CalibrationStats; executor: string | null }> {
  const calibrator = createCalibrator(input.plan);
  const stats = calibrator.init();
  if (calibrator.tensors.length === 0) return { stats, executor: null };
  if (input.data === undefined) {
    throw new QuantforgeError('QF_DATA_MISSING', `the plan needs calibration data for ${calibrator.tensors.length} activation(s), but none was given`, {
      details: { tensors: calibrator.tensors.slice(0, 10) },
      hint: 'Call pipeline.calibrate(samples) or use mode "dynamic" / "weight-only".',
    });
  }
  const inputs = requiredInputs(input.model);
  const allowed = new Set(input.model.graph.inputs.map((i) => i.name));
  // Graph inputs come from the feed, graph outputs are always returned and same-bytes aliases (Reshape, Flatten, …)
  // are read through their origin: expose only the remaining intermediate values.
  const { exposed, source, fetched } = calibrationExposure(input.model, calibrator.tensors);
  // Values only min/max observers read are reduced by the runner to per-sample extremes: a few numbers instead of a
  // copy of the whole activation. A group with a sample whose ranges are not provably finite is run again whole, and
  // a runner that cannot reduce is read whole throughout, so every state is the one observing the values gives.
  let reduced = reducibleValues(calibrator.tasks, exposed, source);
  const runner = await input.createRunner(input.model, { exposeOutputs: exposed, ...(reduced.length > 0 ? { exposeReductions: reduced } : {}), purpose: 'calibrate' });
  if (runner.runReduced === undefined) reduced = [];
  const len = knownLength(input.data);
  const total = input.samples === undefined ? (len ?? 0) : Math.min(input.samples, len ?? input.samples);
  const momentum = calibrator.tasks.some((t) => t.request.observer === 'minmax' && (t.request.options as { momentum?: unknown } | undefined)?.momentum != null);
  let k = momentum || !batchable(inputs) ? 1 : Math.max(1, Math.floor(input.batch ?? DEFAULT_CALIBRATION_BATCH));
  let sized = input.batch !== undefined;
  const pairs = calibrator.tensors.map((name) => [name, source.get(name)!] as const);
  const observe = (name: string, from: string, t: Tensor | undefined): void => {
    if (t === undefined || t.dtype !== 'float32') {
      throw new QuantforgeError('QF_CALIBRATION', `the calibration runner returned ${t === undefined ? 'no value' : `a ${t.dtype} value`} for ${from}`, {
        details: { tensor: from, executor: runner.description },
        hint: 'The runner must return every tensor named in exposeOutputs as float32.',
      });
    }
    calibrator.observe(stats, name, t.data as Float32Array, t.dims);
  };
  let n = 0;
  const done = (): void => {
    calibrator.addSamples(stats, 1);
    n++;
    input.onProgress?.({ stage: 'calibrate', done: n, total: Math.max(total, n) });
  };
  const runOneFull = async (feed: Feed): Promise<void> => {
    const out = await runner.run(feed);
    for (const [name, from] of pairs) observe(name, from, feed[from] ?? out[from]);
    done();
  };
  const runOne = async (feed: Feed): Promise<void> => {
    if (reduced.length === 0) return runOneFull(feed);
    const { outputs: out, ranges } = await runner.runReduced!(feed);
    if (!reduced.every((v) => out[v] !== undefined || rangesUsable(ranges[v], undefined))) return runOneFull(feed);
    for (const [name, from] of pairs) {
      const r = feed[from] === undefined && out[from] === undefined ? ranges[from] : undefined;
      if (r !== undefined) observeRanges(stats, name, r);
      else observe(name, from, feed[from] ?? out[from]);
    }
    done();
  };
  const runGroupFull = async (group: Feed[]): Promise<void> => {
    const split = splitBatch(await runner.run(concatFeeds(group)), group.length, fetched.filter((t) => group[0]![t] === undefined));
    if (split === undefined) {
      // Some wanted value does not carry the batch on axis 0: run this group and the rest one sample at a time.
      k = 1;
      for (const feed of group) await runOne(feed);
      return;
    }
    for (let i = 0; i < group.length; i++) {
      for (const [name, from] of pairs) observe(name, from, group[i]![from] ?? split[from]?.[i]);
      done();
    }
  };
  const runGroup = async (group: Feed[]): Promise<void> => {
    if (group.length === 1) return runOne(group[0]!);
    if (reduced.length === 0) return runGroupFull(group);
    const { outputs, ranges } = await runner.runReduced!(concatFeeds(group));
    const whole = fetched.filter((t) => group[0]![t] === undefined && ranges[t] === undefined);
    const split = splitBatch(outputs, group.length, whole);
    // A non-finite (or unreduced and missing) sample, or a batch not on axis 0: this group goes the full-exposure way.
    if (split === undefined || !reduced.every((v) => split[v] !== undefined || rangesUsable(ranges[v], group.length))) return runGroupFull(group);
    for (let i = 0; i < group.length; i++) {
      for (const [name, from] of pairs) {
        const r = group[i]![from] === undefined && split[from] === undefined ? ranges[from] : undefined;
        if (r !== undefined) observeRanges(stats, name, r, i);
        else observe(name, from, group[i]![from] ?? split[from]?.[i]);
      }
      done();
    }
  };
  try {
    let group: Feed[] = [];
    for await (const feed of take(input.data, input.samples)) {
      checkFeed(feed, inputs, allowed, 'calibration', n + group.length);
      if (!sized && k > 1) {
        sized = true;
        const elements = Object.values(feed).reduce((sum, t) => sum + t.data.length, 0);
        k = Math.max(1, Math.min(k, Math.floor(DEFAULT_BATCH_ELEMENTS / Math.max(elements, 1))));
      }
      if (k === 1) {
        await runOne(feed);
        continue;
      }
      if (group.length > 0 && !stackable(feed, group[0]!)) {
        await runGroup(group);
        group = [];
      }
      if (!stackable(feed, feed)) {
        await runOne(feed);
        continue;
      }
      group.push(feed);
      if (group.length >= k) {
        await runGroup(group);
        group = [];
      }
    }
    if (group.length > 0) await runGroup(group);
    if (n === 0) {
      throw new QuantforgeError('QF_DATA_MISSING', 'the calibration data source yielded no samples', { details: { stage: 'calibration' } });
    }
  } finally {
    await runner.close();
  }
  return { stats, executor: runner.description };
}

function mergeStates(entry: PlanEntry, states: ObserverState[]): ObserverState {
  const observer = createObserver(entry.stats!.observer, entry.stats!.options);
  // Observers refuse to merge states of different tensors; a tie group is one tensor as far as statistics go.
  const renamed = states.map((s) => ({ ...s, tensor: entry.tensor }) as ObserverState);
  return renamed.slice(1).reduce<ObserverState>((acc, s) => observer.merge(acc as never, s as never) as ObserverState, renamed[0]!);
}

/**
 * Finalizes every calibrated activation (tie groups merged first, in plan order) and encodes it with its scheme:
 * min/max states in-process, histogram states on the pool where the scheme has a worker module (same adapter, same
 * bytes). Fixed entries take their imposed encoding.
 */
export async function encodeActivations(
  plan: QuantPlan, stats: CalibrationStats, schemes: ReadonlyMap<string, ActiveScheme>, tasks: SchemeTasks, seed: number,
): Promise<{ encodings: Record<string, QuantizedTensor>; ranges: Record<string, { min: number; max: number; observer: string }> }> {
  const groups = new Map<string, PlanEntry[]>();
  const encodings: Record<string, QuantizedTensor> = {};
  for (const e of Object.values(plan.tensors)) {
    if (e.role !== 'activation') continue;
    if (e.fixed !== undefined) {
      encodings[e.tensor] = { encoding: deserializeEncoding(e.fixed), dims: [] };
      continue;
    }
    if (e.stats === null) continue;
    const key = e.tieGroup ?? e.tensor;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [e]);
    else g.push(e);
  }
  const empty = [...groups.values()].flat().filter((e) => (stats.states[e.tensor]?.count ?? 0) === 0).map((e) => e.tensor);
  if (empty.length > 0) {
    throw new QuantforgeError('QF_CALIBRATION', `no calibration data reached ${empty.length} tensor(s): ${empty.slice(0, 5).join(', ')}`, {
      details: { tensors: empty },
      hint: 'Check that the runner returns these tensors and that the samples are not empty.',
    });
  }
  // Finalizing a min/max state is O(1): a worker round trip (and, on a cold pool, the plugin's import in the worker)
  // costs far more. Those run in-process through the same adapter the worker module wraps, so the bytes do not
  // change; histogram threshold searches (entropy, MSE, percentile) stay on the pool. The choice depends only on the
  // plan, never on timing or worker count.
  const local = new SchemeTasks(undefined);
  const jobs = [...groups.values()].map(async (members) => {
    const lead = members[0]!;
    const scheme = schemes.get(lead.scheme)!;
    const merged = mergeStates(lead, members.map((m) => stats.states[m.tensor]!));
    const runOn = lead.stats!.observer === 'minmax' ? local : tasks;
    const value = await runOn.encodeActivation(scheme, {
      options: lead.options, info: quantInfo(lead, tensorSeed(seed, lead.tensor), {}), request: lead.stats!, state: serializeObserverState(merged),
    });
    return { members, value };
  });
  const settled = await Promise.allSettled(jobs);
  // The first failure in plan order is reported, whatever order the workers finished in.
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  const ranges: Record<string, { min: number; max: number; observer: string }> = {};
  for (const s of settled) {
    const { members, value } = (s as PromiseFulfilledResult<Awaited<(typeof jobs)[number]>>).value;
    for (const m of members) {
      encodings[m.tensor] = { encoding: deserializeEncoding(value.encoding), dims: (m.dims ?? []).every((d) => typeof d === 'number') ? (m.dims as number[]) : [] };
      ranges[m.tensor] = { min: value.range.min, max: value.range.max, observer: m.stats!.observer };
    }
  }
  return { encodings, ranges };
}

/**
 * Splits every wanted value (exposed activations, graph outputs) of a run over `k` stacked samples back into
 * per-sample tensors (zero-copy views); undefined when a wanted value is missing, not float32 or its dim 0 is not `k`.
 */
function splitBatch(out: Record<string, Tensor>, k: number, wanted: readonly string[]): Record<string, Tensor[]> | undefined {
  const split: Record<string, Tensor[]> = {};
  for (const name of wanted) {
    const t = out[name];
    // Missing or non-float values fall back to per-sample runs, which report them exactly as before.
    if (t === undefined || t.dtype !== 'float32' || t.dims.length === 0 || t.dims[0] !== k) return undefined;
    const per = t.data.length / k;
    const dims = [1, ...t.dims.slice(1)];
    const data = t.data as Float32Array;
    split[name] = Array.from({ length: k }, (_, i) => ({ dtype: 'float32', dims: [...dims], data: data.subarray(i * per, (i + 1) * per) }) as Tensor);
  }
  return split;
}
