import type { CalibrationStats, CalibrationTask } from '../../quant/calibrator.js';
import { observeFiniteRange, type MinMaxState } from '../../quant/observers/minmax.js';
import type { SampleRanges } from '../services.js';

/**
 * The exposed values the runner may reduce in-graph to per-sample min/max: every calibrated tensor observed through
 * the value has a plain min/max observer (no momentum), which reads nothing else — the state is the extremes of the
 * finite values, their count and the number of batches. Values with any histogram observer, and graph outputs (never
 * in `exposed`: they are returned anyway), keep the full fetch.
 *
 * @example
 * ```ts
 * reducibleValues(calibrator.tasks, ['relu_out'], new Map([['relu_out', 'relu_out']])); // ['relu_out'] for min/max
 * ```
 */
export function reducibleValues(tasks: readonly CalibrationTask[], exposed: readonly string[], source: ReadonlyMap<string, string>): string[] {
  const plain = new Map<string, boolean>();
  for (const t of tasks) {
    const from = source.get(t.tensor) ?? t.tensor;
    const ok = t.request.observer === 'minmax' && (t.request.options as { momentum?: unknown } | undefined)?.momentum == null;
    plain.set(from, (plain.get(from) ?? true) && ok);
  }
  return exposed.filter((v) => plain.get(v) === true);
}

/** Whether every sample of `r` is finite (so its extremes stand for the whole value) and axis 0 holds `samples`. */
export function rangesUsable(r: SampleRanges | undefined, samples: number | undefined): boolean {
  if (r === undefined) return false;
  if (samples !== undefined && r.samples !== samples) return false;
  for (let i = 0; i < r.samples; i++) if (r.finite[i] !== 1) return false;
  return true;
}

/**
 * Folds reduced extremes into `tensor`'s min/max state: sample `at` only (a batched run, one observer batch per
 * sample), or, without `at`, all of axis 0 as one batch (a single-sample run observes the whole value at once). For
 * all-finite samples this leaves the state exactly as observing the values would: same extremes (zeros canonical,
 * see {@link observeFiniteRange}), same count, one batch.
 */
export function observeRanges(stats: CalibrationStats, tensor: string, r: SampleRanges, at?: number): void {
  const state = stats.states[tensor] as MinMaxState;
  const per = r.perSample;
  if (at !== undefined) {
    observeFiniteRange(state, r.min[at]!, r.max[at]!, per);
    return;
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < r.samples; i++) {
    if (r.min[i]! < min) min = r.min[i]!;
    if (r.max[i]! > max) max = r.max[i]!;
  }
  observeFiniteRange(state, min, max, per * r.samples);
}
