import { inferShapes, QuantforgeError, type Model, type Tensor, type ValueInfo } from '@quantforge/core';
import { decodeModel, encodeModel, loadModel } from '@quantforge/onnx';
import type { InferenceSession } from 'onnxruntime-node';
import { fromOrtTensor, toOrtTensor, type OrtModule } from './convert.js';

/** Options of {@link createOrtSession}. */
export interface OrtSessionOptions {
  /**
   * onnxruntime graph optimisation level. Default `'basic'`: at `'extended'`/`'all'` onnxruntime fuses QDQ graphs
   * into u8 x s8 integer kernels, which saturate their int16 pair sums on AVX2 CPUs without VNNI (such as the machine
   * these numbers come from), so reference comparisons would depend on the CPU. `'basic'` keeps DQ -> float op -> Q.
   */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Threads inside one op. Default 1, which makes runs reproducible and comparable with the reference executor. */
  intraOpNumThreads?: number;
  /** Intermediate values to return as extra outputs (calibration reads activations this way). */
  exposeOutputs?: string[];
}

/** A loaded onnxruntime-node session that speaks core tensors. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  /** Graph outputs followed by the exposed values. */
  readonly outputNames: readonly string[];
  /** Runs the model; `outputs` restricts what is fetched (default: all of {@link outputNames}). */
  run(feeds: Record<string, Tensor>, options?: { outputs?: string[] }): Promise<Record<string, Tensor>>;
  /** Frees the native session. */
  release(): Promise<void>;
}

function ortError(message: string, cause: unknown, details: Record<string, unknown> = {}): QuantforgeError {
  const msg = cause instanceof Error ? cause.message : String(cause);
  return new QuantforgeError('QF_ORT_FAILED', `${message}: ${msg}`, { details: { ...details, cause: msg }, cause, hint: 'The model may use an op or type onnxruntime does not support.' });
}

async function loadOrt(): Promise<OrtModule> {
  try {
    const mod = (await import('onnxruntime-node')) as OrtModule & { default?: OrtModule };
    return mod.default && 'InferenceSession' in mod.default ? mod.default : mod;
  } catch (e) {
    throw ortError('onnxruntime-node could not be loaded', e);
  }
}

/**
 * A shallow copy of `model` with `names` added as graph outputs, typed from the graph's value info, initializers or
 * shape inference (element type only: a guessed static shape could make onnxruntime reject a run).
 *
 * @example
 * ```ts
 * const bytes = encodeModel(withExposedOutputs(model, ['conv1_out']));
 * ```
 */
export function withExposedOutputs(model: Model, names: readonly string[]): Model {
  const graph = model.graph;
  const present = new Set(graph.outputs.map((o) => o.name));
  const notYetOutputs = names.filter((n) => !present.has(n));
  if (notYetOutputs.length === 0) return model;
  const declared = new Map<string, ValueInfo>();
  for (const v of [...graph.inputs, ...graph.valueInfo]) declared.set(v.name, v);
  let inferred: ReturnType<typeof inferShapes> | undefined;
  const extra: ValueInfo[] = notYetOutputs.map((name) => {
    const known = declared.get(name);
    if (known?.type && known.type.kind === 'tensor' && known.type.elemType !== 'undefined') return { name, type: known.type };
    const init = graph.initializers.get(name);
    if (init) return { name, type: { kind: 'tensor', elemType: init.tensor.dtype, shape: [...init.tensor.dims] } };
    inferred ??= inferShapes(model);
    const vt = inferred.values.get(name);
    if (!vt || !vt.dtype) {
      throw new QuantforgeError('QF_ORT_FAILED', `cannot expose "${name}": its element type is unknown`, {
        details: { value: name },
        hint: 'onnxruntime needs an element type for every graph output; add value_info for it or check the name.',
      });
    }
    // The shape is left out on purpose: a wrong static shape would make onnxruntime reject the run.
    return { name, type: { kind: 'tensor', elemType: vt.dtype } };
  });
  return { ...model, graph: { ...graph, outputs: [...graph.outputs, ...extra] } };
}

/**
 * Opens a model in onnxruntime-node (CPU), optionally exposing intermediate values as outputs.
 *
 * @example
 * ```ts
 * const s = await createOrtSession(model, { exposeOutputs: ['conv1_out'] });
 * const { conv1_out } = await s.run({ x });
 * await s.release();
 * ```
 */
export async function createOrtSession(source: Model | Uint8Array | string, options: OrtSessionOptions = {}): Promise<OrtSession> {
  const ort = await loadOrt();
  let input: Uint8Array | string;
  if (options.exposeOutputs && options.exposeOutputs.length > 0) {
    let model: Model;
    if (typeof source === 'string') model = await loadModel(source);
    else model = source instanceof Uint8Array ? decodeModel(source) : source;
    input = encodeModel(withExposedOutputs(model, options.exposeOutputs));
  } else {
    input = typeof source === 'string' || source instanceof Uint8Array ? source : encodeModel(source);
  }
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(input as Uint8Array, {
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'basic',
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
  } catch (e) {
    throw ortError('onnxruntime could not load the model', e);
  }
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds, runOptions = {}) {
      const ortFeeds: Record<string, ReturnType<typeof toOrtTensor>> = {};
      for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrtTensor(ort, v);
      let res: InferenceSession.ReturnType;
      try {
        res = runOptions.outputs ? await session.run(ortFeeds, runOptions.outputs) : await session.run(ortFeeds);
      } catch (e) {
        throw ortError('onnxruntime failed to run the model', e, { inputs: Object.keys(feeds) });
      }
      const out: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(res)) out[k] = fromOrtTensor(v);
      return out;
    },
    async release() {
      await session.release();
    },
  };
}
