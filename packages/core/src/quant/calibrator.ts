import { QuantforgeError } from '../errors/error.js';
import {
  createObserver, deserializeObserverState, serializeObserverState, type Observer, type ObserverState, type SerializedObserverState,
} from './observers/index.js';
import { statRequestKey, type QuantPlan, type StatRequest } from './plan.js';
import type { ActivationStats } from './scheme.js';

/** One tensor to calibrate and what to collect for it. */
export interface CalibrationTask {
  tensor: string;
  request: StatRequest;
}

/**
 * Calibration statistics of a run: one observer state per tensor, plus the number of samples seen. Plain data; merge
 * per-worker copies with {@link Calibrator.merge}.
 */
export interface CalibrationStats {
  version: 1;
  samples: number;
  states: Record<string, ObserverState>;
}

/** The run-level calibrator: the observer contract lifted to every tensor of a plan. */
export interface Calibrator {
  readonly tasks: readonly CalibrationTask[];
  /** Names of the tensors whose values `observe` wants (the runtime exposes exactly these). */
  readonly tensors: readonly string[];
  init(): CalibrationStats;
  /** Folds one batch of one tensor; `QF_CALIBRATION` for a tensor not in the plan. */
  observe(stats: CalibrationStats, tensor: string, values: Float32Array, dims: readonly number[]): void;
  /** Counts samples (call once per calibration sample or batch of samples). */
  addSamples(stats: CalibrationStats, count: number): void;
  merge(a: CalibrationStats, b: CalibrationStats): CalibrationStats;
  /** Final ranges; `QF_CALIBRATION` names the tensors that saw no data. */
  finalize(stats: CalibrationStats): Record<string, ActivationStats>;
}

/**
 * The tensors of a plan that need statistics, sorted by name (a stable order for workers and reports).
 *
 * @example
 * ```ts
 * calibrationTasks(plan).map((t) => t.tensor);
 * ```
 */
export function calibrationTasks(plan: QuantPlan): CalibrationTask[] {
  return Object.keys(plan.tensors)
    .sort()
    .flatMap((name) => {
      const request = plan.tensors[name]!.stats;
      return request === null ? [] : [{ tensor: name, request }];
    });
}

/**
 * A calibrator for a plan (or an explicit task list). Observer options are validated here.
 *
 * @example
 * ```ts
 * const cal = createCalibrator(plan);
 * const stats = cal.init();
 * for (const [name, t] of outputsOfOneSample) cal.observe(stats, name, t.data, t.dims);
 * cal.addSamples(stats, 1);
 * const ranges = cal.finalize(stats);
 * ```
 */
export function createCalibrator(source: QuantPlan | readonly CalibrationTask[]): Calibrator {
  const tasks = Array.isArray(source) ? [...(source as readonly CalibrationTask[])] : calibrationTasks(source as QuantPlan);
  const observers = new Map<string, { task: CalibrationTask; observer: Observer<ObserverState>; key: string }>();
  for (const task of tasks) {
    if (observers.has(task.tensor)) {
      throw new QuantforgeError('QF_CALIBRATION', `tensor ${task.tensor} is calibrated twice`, { details: { tensor: task.tensor } });
    }
    const observer = createObserver(task.request.observer, task.request.options) as unknown as Observer<ObserverState>;
    observers.set(task.tensor, { task, observer, key: statRequestKey(task.request) });
  }
  const get = (tensor: string) => {
    const o = observers.get(tensor);
    if (o === undefined) {
      throw new QuantforgeError('QF_CALIBRATION', `tensor ${tensor} is not calibrated by this plan`, { details: { tensor } });
    }
    return o;
  };
  return {
    tasks,
    tensors: tasks.map((t) => t.tensor),
    init() {
      const states: Record<string, ObserverState> = {};
      for (const [name, o] of observers) states[name] = o.observer.init(name);
      return { version: 1, samples: 0, states };
    },
    observe(stats, tensor, values, dims) {
      const o = get(tensor);
      const state = stats.states[tensor];
      if (state === undefined) throw new QuantforgeError('QF_CALIBRATION', `statistics hold no state for ${tensor}`, { details: { tensor } });
      o.observer.observe(state, values, dims);
    },
    addSamples(stats, count) {
      stats.samples += count;
    },
    merge(a, b) {
      const states: Record<string, ObserverState> = {};
      for (const [name, o] of observers) {
        const sa = a.states[name];
        const sb = b.states[name];
        if (sa === undefined || sb === undefined) {
          throw new QuantforgeError('QF_CALIBRATION', `cannot merge statistics: ${name} is missing on one side`, { details: { tensor: name } });
        }
        states[name] = o.observer.merge(sa, sb);
      }
      return { version: 1, samples: a.samples + b.samples, states };
    },
    finalize(stats) {
      const out: Record<string, ActivationStats> = {};
      const empty: string[] = [];
      for (const [name, o] of observers) {
        const state = stats.states[name];
        if (state === undefined || state.count === 0) {
          empty.push(name);
          continue;
        }
        out[name] = { range: o.observer.finalize(state, o.task.request.finalize), request: o.task.request, state };
      }
      if (empty.length > 0) {
        throw new QuantforgeError('QF_CALIBRATION', `no calibration data reached ${empty.length} tensor(s): ${empty.slice(0, 5).join(', ')}${empty.length > 5 ? ', …' : ''}`, {
          details: { tensors: empty },
          hint: 'Check that the runtime exposes these tensors and that calibration samples were given',
        });
      }
      return out;
    },
  };
}

/** Calibration statistics as plain JSON. */
export interface SerializedCalibrationStats {
  version: 1;
  samples: number;
  states: Record<string, SerializedObserverState>;
}

/**
 * Plain-JSON form of calibration statistics (to save them or resume a run).
 *
 * @example
 * ```ts
 * writeFileSync('stats.json', JSON.stringify(serializeCalibrationStats(stats)));
 * ```
 */
export function serializeCalibrationStats(stats: CalibrationStats): SerializedCalibrationStats {
  const states: Record<string, SerializedObserverState> = {};
  for (const [name, s] of Object.entries(stats.states)) states[name] = serializeObserverState(s);
  return { version: 1, samples: stats.samples, states };
}

/**
 * Inverse of {@link serializeCalibrationStats}; `QF_CALIBRATION` for malformed data.
 *
 * @example
 * ```ts
 * const stats = deserializeCalibrationStats(JSON.parse(readFileSync('stats.json', 'utf8')));
 * ```
 */
export function deserializeCalibrationStats(json: unknown): CalibrationStats {
  const j = json as Partial<SerializedCalibrationStats> | null;
  if (j === null || typeof j !== 'object' || j.version !== 1 || typeof j.samples !== 'number' || typeof j.states !== 'object' || j.states === null) {
    throw new QuantforgeError('QF_CALIBRATION', 'calibration statistics must be { version: 1, samples, states }', { details: {} });
  }
  const states: Record<string, ObserverState> = {};
  for (const [name, s] of Object.entries(j.states)) states[name] = deserializeObserverState(s);
  return { version: 1, samples: j.samples, states };
}
