/**
 * Pieces for running a scheme plugin inside core's pipeline in tests: a byte fingerprint of a result, the in-process
 * variant of a scheme use, and an exporter double for encodings no ONNX exporter is needed for.
 */
import {
  dequantize, serializeQuantizedTensor, tensor, type Encoding, type EncodingKind, type Exporter, type QuantforgePlugin, type QuantizeResult, type SchemeUse,
} from '@quantforge/core';

/**
 * Every encoding of a pipeline result (codes included) as one JSON string, in plan order: equal strings mean
 * byte-identical encodings.
 *
 * @example
 * ```ts
 * expect(encodingBytes(onTwoWorkers)).toBe(encodingBytes(onOneWorker));
 * ```
 */
export function encodingBytes(result: QuantizeResult): string {
  return JSON.stringify(Object.entries(result.encodings).map(([name, q]) => [name, serializeQuantizedTensor(q)]));
}

/**
 * The encoding of tensor `name` in a pipeline result, which must be of `kind` (else this throws, failing the test).
 *
 * @example
 * ```ts
 * expect(encodingOf(result, 'w2', 'affine').scale.length).toBe(3);
 * ```
 */
export function encodingOf<K extends EncodingKind>(result: QuantizeResult, name: string, kind: K): Extract<Encoding, { kind: K }> {
  const e = result.encodings[name]?.encoding;
  if (e?.kind !== kind) throw new Error(`${name} has no ${kind} encoding`);
  return e as Extract<Encoding, { kind: K }>;
}

/**
 * The same scheme use with its plugin stripped of `workerUrl`, so the pipeline runs the scheme on the main thread.
 *
 * @example
 * ```ts
 * const local = await quantforge(model, services).use(inProcess(uniform())).run();
 * ```
 */
export function inProcess(use: SchemeUse): SchemeUse {
  const { workerUrl: _, ...plugin } = use.plugin;
  return { ...use, plugin: plugin as QuantforgePlugin };
}

/**
 * An exporter double declaring `kinds`: it writes the dequantized weights back into a copy of the float model and
 * leaves activations float (they get no fake-quant node), which is all an evaluation stage needs to compare outputs.
 *
 * @example
 * ```ts
 * const services = { createRunner, exporter: dequantizingExporter(['codebook', 'log']) };
 * ```
 */
export function dequantizingExporter(kinds: readonly EncodingKind[]): Exporter {
  return {
    name: 'dequantizing-test-exporter',
    kinds,
    export(input) {
      const model = structuredClone(input.model);
      for (const [name, q] of Object.entries(input.encodings)) {
        const init = model.graph.initializers.get(name);
        if (init !== undefined && q.codes !== undefined) init.tensor = tensor('float32', init.tensor.dims, dequantize(q));
      }
      return { model, valueMap: {} };
    },
  };
}
