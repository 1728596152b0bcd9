/** Plan facts of one tensor as a scheme sees them, with the defaults a planner gives a Conv weight. */
import {
  createObserver, serializeObserverState, type ObserverKind, type SerializedObserverState, type SerializedQuantInfo, type TensorQuantInfo,
} from '@quantforge/core';

/**
 * {@link TensorQuantInfo} of a Conv weight (`w`, input 1 of node `conv`, 8 bits, per-channel on axis 0, seed 1), with
 * `over` on top.
 *
 * @example
 * ```ts
 * scheme.quantizeWeight!(w, options, quantInfo({ bits: 4, granularity: 'per-tensor', axis: undefined }));
 * ```
 */
export function quantInfo(over: Partial<TensorQuantInfo> = {}): TensorQuantInfo {
  return {
    name: 'w', role: 'weight', consumers: [{ node: 'conv', opType: 'Conv', input: 1 }], bits: 8, granularity: 'per-channel', axis: 0,
    seed: 1, dependencies: {}, ...over,
  };
}

/**
 * The same defaults as {@link quantInfo}, as the JSON a worker task carries ({@link SerializedQuantInfo}).
 *
 * @example
 * ```ts
 * const info = serializedQuantInfo({ consumers: [{ node: 'gemm', opType: 'Gemm', input: 1 }], seed: 9 });
 * await pool.run({ workerUrl, export: 'quantizeWeight', options: { options, info }, tensors: { tensor: w } });
 * ```
 */
export function serializedQuantInfo(over: Partial<SerializedQuantInfo> = {}): SerializedQuantInfo {
  return {
    name: 'w', role: 'weight', consumers: [{ node: 'conv', opType: 'Conv', input: 1 }], bits: 8, granularity: 'per-channel', axis: 0,
    seed: 1, dependencies: {}, ...over,
  };
}

/**
 * The serialized state of a core observer of `kind` (default options) after observing `values` once as one flat
 * tensor named `name`, ready to be the `state` of an `encodeActivation` task.
 *
 * @example
 * ```ts
 * const state = observedState('entropy', gaussian([4096], 5).data.map(Math.abs));
 * const task = { options, info, request, state };
 * ```
 */
export function observedState(kind: ObserverKind, values: Float32Array, name = 'act'): SerializedObserverState {
  const observer = createObserver(kind);
  const state = observer.init(name);
  observer.observe(state as never, values, [values.length]);
  return serializeObserverState(state);
}
