import { QuantforgeError } from '../../errors/error.js';
import { sizeOf } from '../../ir/tensor.js';
import type { Range } from '../affine.js';
import { finiteRange } from './finite-range.js';
import { requireData } from './histogram.js';
import type { FinalizeRequest, MinMaxOptions, Observer } from './types.js';

/**
 * Min/max statistics of one tensor. Without momentum only `min`/`max` matter (exact). With momentum, `avgMin`/`avgMax`
 * are the moving averages (first batch sets them) and `zMin`/`zMax` the same averages started from 0, which is what
 * lets a later block of batches be appended by merge.
 */
export interface MinMaxState {
  kind: 'minmax';
  tensor: string;
  momentum: number | null;
  /** Number of batches with at least one finite value. */
  batches: number;
  /** Number of finite values. */
  count: number;
  nonFinite: number;
  min: number;
  max: number;
  avgMin: number;
  avgMax: number;
  zMin: number;
  zMax: number;
}

function symmetricOrNot(min: number, max: number, request: FinalizeRequest): Range {
  if (!request.symmetric) return { min, max };
  const amax = Math.max(Math.abs(min), Math.abs(max));
  return { min: -amax, max: amax };
}

/**
 * Folds one batch's finite extremes and finite-value count into `s`. A zero extreme is stored as +0: which zero a
 * scan meets first is an accident of order (a vectorized or in-graph reduction may pick the other one), and +0 and −0
 * quantize identically, so the state is canonical whichever path computed the extremes.
 */
function fold(s: MinMaxState, batchMin: number, batchMax: number, finite: number): void {
  const min = batchMin === 0 ? 0 : batchMin;
  const max = batchMax === 0 ? 0 : batchMax;
  if (s.batches === 0) {
    s.min = min;
    s.max = max;
  } else {
    if (min < s.min) s.min = min;
    if (max > s.max) s.max = max;
  }
  if (s.momentum !== null) {
    const c = s.momentum;
    s.avgMin = s.batches === 0 ? min : s.avgMin + c * (min - s.avgMin);
    s.avgMax = s.batches === 0 ? max : s.avgMax + c * (max - s.avgMax);
    s.zMin = s.zMin + c * (min - s.zMin);
    s.zMax = s.zMax + c * (max - s.zMax);
  }
  s.batches++;
  s.count += finite;
}

/**
 * Observes a batch known only by its extremes: `count` values, all finite, from `min` to `max`. Leaves `s` exactly as
 * {@link minMaxObserver}'s `observe` would for any such batch (calibration uses it with in-graph reductions).
 *
 * @example
 * ```ts
 * const s = minMaxObserver().init('t');
 * observeFiniteRange(s, -1, 3, 784); // same state as observe(s, values, [1, 784]) for finite values in [-1, 3]
 * ```
 */
export function observeFiniteRange(s: MinMaxState, min: number, max: number, count: number): void {
  if (count === 0) return;
  fold(s, min, max, count);
}

/**
 * The min/max observer (TensorRT MinMax, ONNX Runtime MinMax): the exact range, or its moving average over batches.
 *
 * @example
 * ```ts
 * const obs = minMaxObserver({ momentum: 0.01 });
 * ```
 */
export function minMaxObserver(options: MinMaxOptions = {}): Observer<MinMaxState, MinMaxOptions> {
  const momentum = options.momentum ?? null;
  return {
    kind: 'minmax',
    options,
    init(tensor = '') {
      return { kind: 'minmax', tensor, momentum, batches: 0, count: 0, nonFinite: 0, min: 0, max: 0, avgMin: 0, avgMax: 0, zMin: 0, zMax: 0 };
    },
    observe(s, values, dims) {
      if (sizeOf(dims) !== values.length) {
        throw new QuantforgeError('QF_CALIBRATION', `observed dims [${dims.join(', ')}] do not match ${values.length} values`, {
          details: { dims: [...dims], length: values.length },
        });
      }
      let min = Infinity;
      let max = -Infinity;
      let bad = 0;
      const fast = finiteRange(values);
      if (fast !== undefined) ({ min, max } = fast);
      else {
        for (let i = 0; i < values.length; i++) {
          const v = values[i]!;
          if (v - v !== 0) bad++;
          else {
            if (v < min) min = v;
            if (v > max) max = v;
          }
        }
      }
      s.nonFinite += bad;
      if (bad === values.length) return;
      fold(s, min, max, values.length - bad);
    },
    merge(a, b) {
      if (a.tensor !== b.tensor || a.momentum !== b.momentum) {
        throw new QuantforgeError('QF_CALIBRATION', `cannot merge min/max states of ${a.tensor} (momentum ${a.momentum}) and ${b.tensor} (momentum ${b.momentum})`, {
          details: { a: { tensor: a.tensor, momentum: a.momentum }, b: { tensor: b.tensor, momentum: b.momentum } },
        });
      }
      if (b.batches === 0) return { ...a, nonFinite: a.nonFinite + b.nonFinite };
      if (a.batches === 0) return { ...b, nonFinite: a.nonFinite + b.nonFinite };
      const out: MinMaxState = {
        ...a,
        batches: a.batches + b.batches,
        count: a.count + b.count,
        nonFinite: a.nonFinite + b.nonFinite,
        min: Math.min(a.min, b.min),
        max: Math.max(a.max, b.max),
      };
      if (a.momentum !== null) {
        const decay = (1 - a.momentum) ** b.batches;
        out.avgMin = decay * a.avgMin + b.zMin;
        out.avgMax = decay * a.avgMax + b.zMax;
        out.zMin = decay * a.zMin + b.zMin;
        out.zMax = decay * a.zMax + b.zMax;
      }
      return out;
    },
    finalize(s, request) {
      requireData(s);
      return s.momentum === null ? symmetricOrNot(s.min, s.max, request) : symmetricOrNot(s.avgMin, s.avgMax, request);
    },
  };
}
