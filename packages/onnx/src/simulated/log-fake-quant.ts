import { QuantforgeError, type LogEncoding, type Node } from '@quantforge/core';
import type { GraphEdit } from '../qdq/graph-edit.js';
import { logLadder } from './log-ladder.js';

/** Default-domain opset the log fake-quantization ops need (Where, Less on float with broadcasting). */
export const LOG_FAKE_QUANT_OPSET = 9;

const FLOAT32_MAX = 3.4028234663852886e38;
const SMALLEST_NORMAL = 2 ** -126;
/** Ladders whose thresholds reach below 2^-100 (in octaves) need the subnormal rescaling. */
const SUBNORMAL_LADDER = -100;
const DTYPE_INT32 = 6;
const DTYPE_FLOAT = 1;

/** Shape of a per-channel parameter for a value of `rank` dims: `[1, …, C, …, 1]`, or a scalar per-tensor. */
function paramShape(e: LogEncoding, rank: number, channels: number): number[] {
  if (e.axis === undefined) return [];
  const axis = e.axis < 0 ? e.axis + rank : e.axis;
  if (!(axis >= 0 && axis < rank)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `log encoding axis ${e.axis} does not fit a rank-${rank} activation`, { details: { axis: e.axis, rank } });
  }
  const shape = new Array<number>(rank).fill(1);
  shape[axis] = channels;
  return shape;
}

/**
 * Writes `x → dequantize(quantizeWith(e, x))` for a log encoding as ONNX ops and returns the nodes (placed by the
 * caller) and the output name. The code is found without trusting float32 `Log`: a first guess
 * `floor(ln(a) / (ln 2 · step) − minExponent / step + 1.5)` is corrected by one comparison against the exact
 * threshold below and above it (Gather from a table computed by core's quantizer), so ties and near-ties round as
 * the reference does (ties away from zero in the log domain). The value is then looked up in the reference's own
 * level table, so it is bit-exact. Zero, NaN and (unsigned) negatives take the underflow code, as in core.
 *
 * @example
 * ```ts
 * const { nodes, output } = logFakeQuant(edit, 'relu_out', encoding, 4);
 * edit.insertAfterProducerOf('relu_out', nodes);
 * ```
 */
export function logFakeQuant(edit: GraphEdit, x: string, e: LogEncoding, rank: number): { nodes: Node[]; output: string } {
  const ladder = logLadder(e);
  const { levels: L, channels } = ladder;
  const shape = paramShape(e, rank, channels);
  const nodes: Node[] = [];
  const v = (suffix: string) => edit.names.take(`${x}_log_${suffix}`);
  const op = (opType: string, inputs: string[], suffix: string, attributes: Node['attributes'] = []): string => {
    const out = v(suffix);
    nodes.push(edit.node(opType, `${x}_log_${suffix}_${opType}`, inputs, [out], attributes));
    return out;
  };
  const constant = (suffix: string, dtype: 'float32' | 'int32', dims: number[], values: ArrayLike<number>) => edit.addConstant(`${x}_log_${suffix}`, dtype, dims, values);
  const perChannel = (suffix: string, dtype: 'float32' | 'int32', f: (c: number) => number) =>
    constant(suffix, dtype, shape, Array.from({ length: channels }, (_, c) => f(c)));
  const cast = (value: string, to: number, suffix: string) => op('Cast', [value], suffix, [{ name: 'to', type: 'int', value: to }]);

  const mins = ladder.minExponents;
  const a = op('Abs', [x], 'abs');
  // Unsigned encodings send x ≤ 0 to the underflow code; Greater is false for NaN, which core also underflows.
  const ok = op('Greater', [e.signed ? a : x, constant('zero', 'float32', [], [0])], 'positive');
  const s = op('Where', [ok, a, constant('one', 'float32', [], [1])], 'safe');
  // Logarithms of subnormals are unreliable (vectorised kernels flush them to the smallest normal), so ladders that
  // reach down there take tiny values up by an exact 2^64 first and shift the guess back by 64 octaves.
  const subnormal = mins.some((m) => m - e.step < SUBNORMAL_LADDER);
  let positive = s;
  let shift = perChannel('offset', 'float32', (c) => -mins[c]! / e.step + 1.5);
  if (subnormal) {
    const tiny = op('Less', [s, constant('tiny', 'float32', [], [2 ** -64])], 'tiny');
    positive = op('Where', [tiny, op('Mul', [s, constant('up', 'float32', [], [2 ** 64])], 'scaled_up'), s], 'normal');
    shift = op('Add', [shift, op('Where', [tiny, constant('down', 'float32', [], [-64 / e.step]), constant('no_shift', 'float32', [], [0])], 'octave_shift')], 'offset_shifted');
  }
  // Clamping keeps the logarithm finite; values outside the ladder are resolved by the comparisons below.
  const clamped = op('Min', [op('Max', [positive, constant('clamp_min', 'float32', [], [SMALLEST_NORMAL])], 'clamp_low'), constant('clamp_max', 'float32', [], [FLOAT32_MAX])], 'clamped');
  const ln = op('Log', [clamped], 'ln');
  const scaled = op('Mul', [ln, constant('inv_ln2_step', 'float32', [], [1 / (Math.LN2 * e.step)])], 'log2_steps');
  const shifted = op('Add', [scaled, shift], 'shifted');
  const guessF = op('Min', [op('Max', [op('Floor', [shifted], 'floor'), constant('code_min', 'float32', [], [0])], 'guess_low'), constant('code_max', 'float32', [], [L])], 'guess');
  const guess = cast(guessF, DTYPE_INT32, 'guess_int');
  const thresholds = constant('thresholds', 'float32', [ladder.thresholds.length], ladder.thresholds);
  const lowAt = e.axis === undefined ? guess : op('Add', [guess, perChannel('threshold_row', 'int32', (c) => c * (L + 2))], 'threshold_index');
  const highAt = op('Add', [lowAt, constant('one_int', 'int32', [], [1])], 'threshold_next');
  const below = op('Less', [s, op('Gather', [thresholds, lowAt], 'threshold_low')], 'below');
  const reaches = op('Not', [op('Less', [s, op('Gather', [thresholds, highAt], 'threshold_high')], 'under_next')], 'reaches');
  const corrected = op('Sub', [op('Add', [guessF, cast(reaches, DTYPE_FLOAT, 'up')], 'raised'), cast(below, DTYPE_FLOAT, 'down')], 'corrected');
  const code = op('Min', [corrected, constant('code_top', 'float32', [], [L])], 'code');
  const underflow = e.zeroCode ? 0 : 1;
  const finalCode = cast(op('Where', [ok, code, constant('underflow', 'float32', [], [underflow])], 'code_or_underflow'), DTYPE_INT32, 'code_int');
  const magnitudes = constant('levels', 'float32', [ladder.magnitudes.length], ladder.magnitudes);
  const levelAt = e.axis === undefined ? finalCode : op('Add', [finalCode, perChannel('level_row', 'int32', (c) => c * (L + 1))], 'level_index');
  const magnitude = op('Gather', [magnitudes, levelAt], e.signed ? 'magnitude' : 'dequantized');
  if (!e.signed) return { nodes, output: magnitude };
  const negative = op('Less', [x, constant('sign_zero', 'float32', [], [0])], 'negative');
  const output = op('Where', [negative, op('Neg', [magnitude], 'negated'), magnitude], 'dequantized');
  return { nodes, output };
}
