import { QuantforgeError } from '../../errors/error.js';
import { sizeOf } from '../../ir/tensor.js';
import type { Range } from '../affine.js';
import { requireData } from './histogram.js';
import type { LogHistogramOptions, Observer } from './types.js';

/**
 * A histogram of log2|x| with fixed edges: `binsPerOctave` bins per octave from `2^minLog2` over `octaves` octaves
 * (defaults 16, −64, 128: Park et al.'s 1/16-octave grid with room on both sides). Magnitudes below the first edge
 * count in bin 0 and above the last in the top bin. Exact zeros and negative values are counted separately (the
 * magnitude of a negative value is binned too). Merging adds counts, so it is exact in any grouping. This is the
 * statistic log-domain schemes (LogQuant fsr search, weighted-entropy activations) read from the state.
 */
export interface LogHistogramState {
  kind: 'log-histogram';
  tensor: string;
  binsPerOctave: number;
  minLog2: number;
  counts: Float64Array;
  zeros: number;
  negatives: number;
  count: number;
  min: number;
  max: number;
  nonFinite: number;
}

/**
 * Lower edge, as log2, of bin `k` of a log histogram.
 *
 * @example
 * ```ts
 * logBinEdge(state, 0); // state.minLog2
 * ```
 */
export function logBinEdge(h: LogHistogramState, k: number): number {
  return h.minLog2 + k / h.binsPerOctave;
}

/**
 * An empty log histogram.
 *
 * @example
 * ```ts
 * const h = createLogHistogram('relu_out', { binsPerOctave: 16 });
 * ```
 */
export function createLogHistogram(tensor: string, options: LogHistogramOptions = {}): LogHistogramState {
  const binsPerOctave = options.binsPerOctave ?? 16;
  const octaves = options.octaves ?? 128;
  return {
    kind: 'log-histogram', tensor, binsPerOctave, minLog2: options.minLog2 ?? -64, counts: new Float64Array(binsPerOctave * octaves),
    zeros: 0, negatives: 0, count: 0, min: 0, max: 0, nonFinite: 0,
  };
}

function observe(h: LogHistogramState, values: Float32Array, dims: readonly number[]): void {
  if (sizeOf(dims) !== values.length) {
    throw new QuantforgeError('QF_CALIBRATION', `observed dims [${dims.join(', ')}] do not match ${values.length} values`, { details: { dims: [...dims], length: values.length } });
  }
  const top = h.counts.length - 1;
  const counts = h.counts;
  let min = Infinity;
  let max = -Infinity;
  let bad = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      bad++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) {
      h.zeros++;
      continue;
    }
    if (v < 0) h.negatives++;
    const k = Math.floor((Math.log2(Math.abs(v)) - h.minLog2) * h.binsPerOctave);
    counts[k < 0 ? 0 : k > top ? top : k]! += 1;
  }
  h.nonFinite += bad;
  const finite = values.length - bad;
  if (finite === 0) return;
  h.min = h.count === 0 ? min : Math.min(h.min, min);
  h.max = h.count === 0 ? max : Math.max(h.max, max);
  h.count += finite;
}

function merge(a: LogHistogramState, b: LogHistogramState): LogHistogramState {
  if (a.tensor !== b.tensor || a.binsPerOctave !== b.binsPerOctave || a.minLog2 !== b.minLog2 || a.counts.length !== b.counts.length) {
    throw new QuantforgeError('QF_CALIBRATION', `cannot merge log histograms of ${a.tensor} and ${b.tensor} with different grids`, {
      details: { a: { tensor: a.tensor, binsPerOctave: a.binsPerOctave, minLog2: a.minLog2 }, b: { tensor: b.tensor, binsPerOctave: b.binsPerOctave, minLog2: b.minLog2 } },
    });
  }
  const counts = a.counts.slice();
  for (let k = 0; k < counts.length; k++) counts[k]! += b.counts[k]!;
  return {
    ...a, counts, zeros: a.zeros + b.zeros, negatives: a.negatives + b.negatives, count: a.count + b.count, nonFinite: a.nonFinite + b.nonFinite,
    min: a.count === 0 ? b.min : b.count === 0 ? a.min : Math.min(a.min, b.min),
    max: a.count === 0 ? b.max : b.count === 0 ? a.max : Math.max(a.max, b.max),
  };
}

/**
 * The log-histogram observer. `finalize` gives the exact observed range (symmetric requests: `[−max|x|, max|x|]`);
 * log-domain schemes choose their exponents from the state itself (`ActivationStats.state`).
 *
 * @example
 * ```ts
 * const obs = logHistogramObserver();
 * const s = obs.init('relu_1');
 * obs.observe(s, batch, dims);
 * ```
 */
export function logHistogramObserver(options: LogHistogramOptions = {}): Observer<LogHistogramState, LogHistogramOptions> {
  return {
    kind: 'log-histogram',
    options,
    init: (tensor = '') => createLogHistogram(tensor, options),
    observe,
    merge,
    finalize(s, request): Range {
      requireData(s);
      if (!request.symmetric) return { min: s.min, max: s.max };
      const amax = Math.max(Math.abs(s.min), Math.abs(s.max));
      return { min: -amax, max: amax };
    },
  };
}
