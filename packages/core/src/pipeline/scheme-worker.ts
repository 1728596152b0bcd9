import { QuantforgeError } from '../errors/error.js';
import type { Tensor } from '../ir/tensor.js';
import type { Range } from '../quant/affine.js';
import type { Encoding } from '../quant/encoding.js';
import { deserializeEncoding, serializeEncoding, type SerializedEncoding } from '../quant/encoding-json.js';
import { createObserver, deserializeObserverState, type SerializedObserverState } from '../quant/observers/index.js';
import type { StatRequest } from '../quant/plan.js';
import type { SchemeDefinition, TensorQuantInfo } from '../quant/scheme.js';
import { withTensors, type TensorResult } from '../workers/protocol.js';

/**
 * The named exports a scheme worker module must have; the pipeline calls them by these names.
 *
 * @example
 * ```ts
 * await pool.run({ workerUrl, export: SCHEME_WORKER_EXPORTS.quantizeWeight, options: task, tensors: { tensor: w } });
 * ```
 */
export const SCHEME_WORKER_EXPORTS = { quantizeWeight: 'quantizeWeight', encodeActivation: 'encodeActivation' } as const;

/** {@link TensorQuantInfo} as JSON: dependency encodings serialized. */
export type SerializedQuantInfo = Omit<TensorQuantInfo, 'dependencies'> & { dependencies: Record<string, SerializedEncoding> };

/** Options of the `quantizeWeight` task (tensors: `{ tensor }`, the float weight or bias). */
export interface WeightTaskOptions {
  /** The plan entry's resolved scheme options. */
  options: Record<string, unknown>;
  info: SerializedQuantInfo;
}

/** What `quantizeWeight` answers: the encoding and dims as value, the codes as tensor `codes` (when any). */
export interface WeightTaskValue {
  encoding: SerializedEncoding;
  dims: number[];
}

/** Options of the `encodeActivation` task (no tensors): merged observer state plus the plan's request. */
export interface ActivationTaskOptions {
  options: Record<string, unknown>;
  info: SerializedQuantInfo;
  request: StatRequest;
  state: SerializedObserverState;
}

/** What `encodeActivation` answers: the finalized clipping range and the encoding. */
export interface ActivationTaskValue {
  range: Range;
  encoding: SerializedEncoding;
}

/** The functions {@link defineSchemeWorker} returns; a scheme's worker module re-exports them. */
export interface SchemeWorkerExports {
  quantizeWeight(task: WeightTaskOptions, tensors: Record<string, Tensor>): Promise<TensorResult<WeightTaskValue>>;
  encodeActivation(task: ActivationTaskOptions, tensors?: Record<string, Tensor>): ActivationTaskValue;
}

function info(s: SerializedQuantInfo): TensorQuantInfo {
  const dependencies: Record<string, Encoding> = {};
  for (const [k, e] of Object.entries(s.dependencies)) dependencies[k] = deserializeEncoding(e);
  return { ...s, dependencies };
}

/**
 * The worker side of a scheme: adapts a {@link SchemeDefinition} to the worker protocol (JSON options + tensors in,
 * serialized encodings + code tensors out). Heavy calibration finalization (entropy / MSE threshold searches) runs
 * here too, inside `encodeActivation`. A scheme plugin's `src/worker.ts` is one line.
 *
 * @example
 * ```ts
 * // plugins/scheme-uniform/src/worker.ts
 * export const { quantizeWeight, encodeActivation } = defineSchemeWorker(uniformScheme);
 * ```
 */
export function defineSchemeWorker<O>(definition: SchemeDefinition<O>): SchemeWorkerExports {
  return {
    async quantizeWeight(task, tensors) {
      const t = tensors.tensor;
      if (definition.quantizeWeight === undefined || t === undefined) {
        throw new QuantforgeError('QF_QUANTIZE', `scheme ${definition.name} cannot quantize ${task.info.name}: ${t === undefined ? 'no tensor was sent' : 'it has no quantizeWeight'}`, {
          details: { scheme: definition.name, tensor: task.info.name },
        });
      }
      const q = await definition.quantizeWeight(t, task.options as O, info(task.info));
      const value: WeightTaskValue = { encoding: serializeEncoding(q.encoding), dims: [...q.dims] };
      return withTensors(value, q.codes === undefined ? {} : { codes: q.codes });
    },
    encodeActivation(task) {
      if (definition.encodeActivation === undefined) {
        throw new QuantforgeError('QF_QUANTIZE', `scheme ${definition.name} does not encode activations (${task.info.name})`, {
          details: { scheme: definition.name, tensor: task.info.name },
        });
      }
      const state = deserializeObserverState(task.state);
      const range = createObserver(task.request.observer, task.request.options).finalize(state as never, task.request.finalize);
      const encoding = definition.encodeActivation({ range, request: task.request, state }, task.options as O, info(task.info));
      return { range: { min: range.min, max: range.max }, encoding: serializeEncoding(encoding) };
    },
  };
}
