import type { Model } from '../../ir/graph.js';

/**
 * Ops whose output holds the data input's elements unchanged and in the same row-major order: only the dims differ.
 * An observer fed the input's buffer therefore sees exactly the bytes it would see for the output. Range-preserving
 * ops that drop, repeat or reorder elements (MaxPool, Slice, Gather, Transpose, nearest Resize) are not here: their
 * statistics differ from their input's (counts, histogram bins, which zero comes first), so they stay exposed.
 */
const SAME_BYTES_OPS = new Set(['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

/** Which values the calibration runner must return, and where each calibrated tensor's values come from. */
export interface CalibrationExposure {
  /** Intermediate values to expose as extra runner outputs (graph inputs come from the feed, outputs are returned anyway). */
  exposed: string[];
  /** Calibrated tensor → the value whose buffer is observed for it (itself, or the origin of a same-bytes chain). */
  source: ReadonlyMap<string, string>;
  /** The distinct values the stage reads per sample (feed or runner output), in first-use order of `tensors`. */
  fetched: string[];
}

/**
 * Reduces the set of values a calibration run must expose: a calibrated tensor produced by a same-bytes op
 * (Reshape, Flatten, Squeeze, Unsqueeze, Identity) is observed through its data input's buffer when that input is
 * read anyway (calibrated itself, a graph input or a graph output), transitively. Every other calibrated value is
 * read as before, so every observer state stays byte-identical to exposing all of them.
 *
 * @example
 * ```ts
 * // Conv → Relu → MaxPool → Reshape: Relu, MaxPool and Reshape outputs are calibrated; Reshape is read via MaxPool.
 * const { exposed, source } = calibrationExposure(model, ['relu_out', 'pool_out', 'flat']);
 * exposed;               // ['relu_out', 'pool_out']
 * source.get('flat');    // 'pool_out'
 * ```
 */
export function calibrationExposure(model: Model, tensors: readonly string[]): CalibrationExposure {
  const graph = model.graph;
  const inputs = new Set(graph.inputs.map((i) => i.name));
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const calibrated = new Set(tensors);
  const readable = (name: string) => calibrated.has(name) || inputs.has(name) || outputs.has(name);
  const origin = new Map<string, string>();
  for (const n of graph.nodes) {
    const x = n.inputs[0];
    const y = n.outputs[0];
    if (!SAME_BYTES_OPS.has(n.opType) || x === undefined || x === '' || y === undefined || y === '' || n.outputs.length !== 1) continue;
    origin.set(y, x);
  }
  const source = new Map<string, string>();
  const resolve = (name: string): string => {
    const known = source.get(name);
    if (known !== undefined) return known;
    let best = name;
    // Walk up the same-bytes chain; the highest value still read anyway is where the bytes are taken from.
    const seen = new Set<string>([name]);
    for (let cur = origin.get(name); cur !== undefined && !seen.has(cur); cur = origin.get(cur)) {
      seen.add(cur);
      if (readable(cur)) best = cur;
    }
    return best;
  };
  for (const t of tensors) source.set(t, resolve(t));
  const fetched = [...new Set(tensors.map((t) => source.get(t)!))];
  // Graph outputs need no copy: the runner returns them whatever it exposes.
  const exposed = fetched.filter((t) => !inputs.has(t) && !outputs.has(t));
  return { exposed, source, fetched };
}
