import type { Range } from '../affine.js';

/** What the quantizer will do with a range, so an observer can pick the clipping range that suits it. */
export interface FinalizeRequest {
  bits: number;
  signed: boolean;
  /** Symmetric requests get `[−T, T]`; asymmetric ones get each side separately (clipped to the observed data). */
  symmetric: boolean;
  narrowRange?: boolean;
}

/**
 * A calibration observer: streaming, mergeable statistics of one activation tensor.
 *
 * - `init(tensor)` makes an empty state carrying the tensor name;
 * - `observe` folds one batch into the state in place (memory stays O(bins), never O(samples));
 * - `merge(a, b)` returns a new state, leaving `a` and `b` untouched. It is exact and associative: merging per-worker
 *   states in any grouping gives bit-identical results to one observer over all the data in order (the moving-average
 *   min/max is the documented exception, see {@link MinMaxOptions});
 * - `finalize(state, request)` returns the clipping range; `QF_CALIBRATION` when nothing was observed.
 *
 * States are plain data (numbers, strings, typed arrays): they cross worker boundaries by structured clone and are
 * saved with {@link serializeObserverState}.
 *
 * @example
 * ```ts
 * const obs = createObserver('entropy');
 * const s = obs.init('conv1_out');
 * obs.observe(s, batch, [1, 64, 56, 56]);
 * obs.finalize(s, { bits: 8, signed: true, symmetric: true }); // { min: -T, max: T }
 * ```
 */
export interface Observer<State, Options = unknown> {
  kind: ObserverKind;
  options: Options;
  init(tensor?: string): State;
  observe(state: State, values: Float32Array, dims: readonly number[]): void;
  merge(a: State, b: State): State;
  finalize(state: State, request: FinalizeRequest): Range;
}

/** The observer kinds core provides. */
export type ObserverKind = 'minmax' | 'percentile' | 'entropy' | 'mse' | 'log-histogram';

/** Options of the min/max observer. */
export interface MinMaxOptions {
  /**
   * Moving-average weight of each new batch, `m ← m + momentum·(batchMin − m)` (the first batch sets m). This is
   * order-dependent: the result depends on batch order, so it is only reproducible with a fixed order. Its merge
   * treats `b`'s batches as following `a`'s, `m = (1 − c)^{n_b}·m_a + z_b` with `z_b` the zero-started average of b;
   * that equals one sequential pass in exact arithmetic and is associative, but float rounding may differ in the last
   * bits between groupings. Without momentum, min/max are exact in any grouping.
   */
  momentum?: number;
}

/** Options shared by the histogram observers. */
export interface HistogramOptions {
  /** Number of bins over [−R, R); a power of two ≥ 4. Default 2048 (entropy: 8192, see {@link EntropyOptions}). */
  bins?: number;
}

/** Options of the percentile observer. */
export interface PercentileOptions extends HistogramOptions {
  /** Percentile of |x| (symmetric) or of each side (asymmetric: [100 − p, p]); default 99.99. */
  percentile?: number;
}

/** Options of the entropy (KL) observer. */
export interface EntropyOptions extends HistogramOptions {
  /**
   * `'smooth'` (default) copies the count of |x| bin 1 into bin 0 before the search, so the spike of exact zeros
   * (ReLU) does not pull the threshold down; `'keep'` uses the raw counts.
   */
  zeroBin?: 'smooth' | 'keep';
  /** `'edge'` (default): threshold `i·w`, where P was clipped; `'center'`: TensorRT's slide, `(i + 0.5)·w`. */
  threshold?: 'edge' | 'center';
}

/** Options of the log2|x| histogram observer (see {@link LogHistogramState}). */
export interface LogHistogramOptions {
  /** Bins per octave, 1–64; default 16. */
  binsPerOctave?: number;
  /** log2 of the lowest edge, an integer; default −64. */
  minLog2?: number;
  /** Octaves covered, 1–256; default 128. */
  octaves?: number;
}

/** Options of the MSE observer. */
export type MseOptions = HistogramOptions;
