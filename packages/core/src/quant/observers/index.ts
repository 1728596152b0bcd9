import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { QuantforgeError } from '../../errors/error.js';
import { assertSchema, validateOptions } from '../options.js';
import { entropyObserver } from './entropy.js';
import { isPowerOfTwoBins, type HistogramState } from './histogram.js';
import { minMaxObserver, type MinMaxState } from './minmax.js';
import { logHistogramObserver, type LogHistogramState } from './log-histogram.js';
import { mseObserver } from './mse.js';
import { percentileObserver } from './percentile.js';
import type { EntropyOptions, LogHistogramOptions, MinMaxOptions, MseOptions, Observer, ObserverKind, PercentileOptions } from './types.js';

export * from './types.js';
export {
  createHistogram, growHistogram, observeHistogram, mergeHistograms, foldAbsolute, binWidth, DEFAULT_BINS, HISTOGRAM_MIN_EXPONENT, type HistogramState,
} from './histogram.js';
export { minMaxObserver, type MinMaxState } from './minmax.js';
export { percentileObserver, percentileRange, histogramQuantile } from './percentile.js';
export { entropyObserver, entropyRange, entropyThresholdBins, klDivergenceAt, ENTROPY_DEFAULT_BINS } from './entropy.js';
export { mseObserver, mseRange, expectedQuantError } from './mse.js';
export { logHistogramObserver, createLogHistogram, logBinEdge, type LogHistogramState } from './log-histogram.js';

/** Every observer kind core provides, in a stable order. */
export const OBSERVER_KINDS: readonly ObserverKind[] = ['minmax', 'percentile', 'entropy', 'mse', 'log-histogram'];

/** Any observer state core produces. */
export type ObserverState = MinMaxState | HistogramState | LogHistogramState;

const Bins = Type.Optional(Type.Integer({ minimum: 4, maximum: 2 ** 24, description: 'Histogram bins over [−R, R); a power of two' }));
const closed = { additionalProperties: false } as const;

/** TypeBox schemas of each observer's options (the recipe JSON Schema uses them). */
export const OBSERVER_OPTION_SCHEMAS = {
  minmax: Type.Object({ momentum: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })) }, closed),
  percentile: Type.Object({ percentile: Type.Optional(Type.Number({ exclusiveMinimum: 50, maximum: 100 })), bins: Bins }, closed),
  entropy: Type.Object({
    bins: Bins,
    zeroBin: Type.Optional(Type.Union([Type.Literal('smooth'), Type.Literal('keep')])),
    threshold: Type.Optional(Type.Union([Type.Literal('edge'), Type.Literal('center')])),
  }, closed),
  mse: Type.Object({ bins: Bins }, closed),
  'log-histogram': Type.Object({
    binsPerOctave: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
    minLog2: Type.Optional(Type.Integer({ minimum: -1100, maximum: 1100 })),
    octaves: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
  }, closed),
} satisfies Record<ObserverKind, TSchema>;

/** Options of each observer kind. */
export interface ObserverOptionsByKind {
  minmax: MinMaxOptions;
  percentile: PercentileOptions;
  entropy: EntropyOptions;
  mse: MseOptions;
  'log-histogram': LogHistogramOptions;
}

/** Observer type of each kind. */
export interface ObserverByKind {
  minmax: Observer<MinMaxState, MinMaxOptions>;
  percentile: Observer<HistogramState, PercentileOptions>;
  entropy: Observer<HistogramState, EntropyOptions>;
  mse: Observer<HistogramState, MseOptions>;
  'log-histogram': Observer<LogHistogramState, LogHistogramOptions>;
}

/**
 * Creates an observer by kind, validating its options (`QF_OPTIONS_INVALID` listing every problem, also an unknown
 * kind).
 *
 * @example
 * ```ts
 * const obs = createObserver('percentile', { percentile: 99.9 });
 * const state = obs.init('relu_3');
 * ```
 */
export function createObserver<K extends ObserverKind>(kind: K, options: ObserverOptionsByKind[K] | Record<string, unknown> = {}): ObserverByKind[K] {
  if (!(OBSERVER_KINDS as readonly string[]).includes(kind)) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `unknown observer kind ${String(kind)}`, {
      details: { owner: 'observer', problems: [{ path: '/observer', message: `Expected one of ${OBSERVER_KINDS.join(', ')}` }] },
    });
  }
  const opts = validateOptions(OBSERVER_OPTION_SCHEMAS[kind], options, `${kind} observer options`) as { bins?: number };
  if (opts.bins !== undefined && !isPowerOfTwoBins(opts.bins)) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `invalid ${kind} observer options: /bins: Expected a power of two`, {
      details: { owner: `${kind} observer options`, problems: [{ path: '/bins', message: 'Expected a power of two' }] },
    });
  }
  switch (kind) {
    case 'minmax': return minMaxObserver(opts as MinMaxOptions) as ObserverByKind[K];
    case 'percentile': return percentileObserver(opts as PercentileOptions) as ObserverByKind[K];
    case 'entropy': return entropyObserver(opts as EntropyOptions) as ObserverByKind[K];
    case 'mse': return mseObserver(opts as MseOptions) as ObserverByKind[K];
    default: return logHistogramObserver(opts as LogHistogramOptions) as ObserverByKind[K];
  }
}

const SerializedStateSchema = Type.Union([
  Type.Object({
    kind: Type.Literal('minmax'), tensor: Type.String(), momentum: Type.Union([Type.Number(), Type.Null()]), batches: Type.Integer(), count: Type.Number(),
    nonFinite: Type.Number(), min: Type.Number(), max: Type.Number(), avgMin: Type.Number(), avgMax: Type.Number(), zMin: Type.Number(), zMax: Type.Number(),
  }),
  Type.Object({
    kind: Type.Literal('histogram'), tensor: Type.String(), bins: Type.Integer(), exponent: Type.Integer(), counts: Type.Array(Type.Number()),
    count: Type.Number(), min: Type.Number(), max: Type.Number(), nonFinite: Type.Number(),
  }),
  Type.Object({
    kind: Type.Literal('log-histogram'), tensor: Type.String(), binsPerOctave: Type.Integer(), minLog2: Type.Integer(), counts: Type.Array(Type.Number()),
    zeros: Type.Number(), negatives: Type.Number(), count: Type.Number(), min: Type.Number(), max: Type.Number(), nonFinite: Type.Number(),
  }),
]);

/** An observer state as plain JSON (histogram counts as a number array). */
export type SerializedObserverState = Static<typeof SerializedStateSchema>;

/**
 * Plain-JSON form of an observer state, for saving calibration statistics.
 *
 * @example
 * ```ts
 * const text = JSON.stringify(serializeObserverState(state));
 * ```
 */
export function serializeObserverState(state: ObserverState): SerializedObserverState {
  return state.kind === 'minmax' ? { ...state } : { ...state, counts: Array.from(state.counts) };
}

/**
 * Inverse of {@link serializeObserverState}; `QF_CALIBRATION` for malformed data.
 *
 * @example
 * ```ts
 * const state = deserializeObserverState(JSON.parse(text));
 * ```
 */
export function deserializeObserverState(json: unknown): ObserverState {
  const s = assertSchema(SerializedStateSchema, json, 'QF_CALIBRATION', 'observer state');
  if (s.kind === 'minmax') return { ...s };
  if (s.kind === 'log-histogram') return { ...s, counts: Float64Array.from(s.counts) };
  if (!isPowerOfTwoBins(s.bins) || s.counts.length !== s.bins) {
    throw new QuantforgeError('QF_CALIBRATION', `histogram state has ${s.counts.length} counts for ${s.bins} bins`, { details: { bins: s.bins, counts: s.counts.length } });
  }
  return { ...s, counts: Float64Array.from(s.counts) };
}
