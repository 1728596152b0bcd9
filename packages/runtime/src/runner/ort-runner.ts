import type { FloatRunner, Model, SampleRanges, Tensor } from '@quantforge/core';
import { createOrtSession, withReductions, type OrtSession, type ReductionOutputs } from '../ort/index.js';

/** onnxruntime graph optimisation levels, as its session options spell them. */
export type OrtOptimizationLevel = 'all' | 'extended' | 'basic' | 'disabled';

let version: Promise<string> | undefined;

/** The loaded onnxruntime-node's version (from `ort.env.versions`), for runner descriptions. */
function ortVersion(): Promise<string> {
  version ??= import('onnxruntime-node').then(
    (m) => {
      const mod = m as { env?: { versions?: { node?: string } }; default?: { env?: { versions?: { node?: string } } } };
      return mod.env?.versions?.node ?? mod.default?.env?.versions?.node ?? 'unknown';
    },
    () => 'unknown',
  );
  return version;
}

/** One value's reduction outputs as {@link SampleRanges}; finite only where min, max and sum all are (see withReductions). */
function rangesOf(out: Record<string, Tensor>, names: ReductionOutputs): SampleRanges {
  const min = out[names.min]!.data as Float32Array;
  const max = out[names.max]!.data as Float32Array;
  const sum = out[names.sum]!.data as Float32Array;
  const finite = new Uint8Array(min.length);
  for (let i = 0; i < min.length; i++) finite[i] = Number.isFinite(sum[i]!) && Number.isFinite(min[i]!) && Number.isFinite(max[i]!) ? 1 : 0;
  const shape = out[names.shape]!.data as BigInt64Array;
  return { samples: Number(shape[0]), perSample: Number(shape[1]), min, max, finite };
}

/**
 * A runner on onnxruntime-node. Session creation errors (`QF_ORT_FAILED`) propagate so that the factory can fall
 * back to the reference executor; run-time errors propagate to the caller unchanged. With `exposeReductions`,
 * `runReduced` uses a session whose graph reduces those values ({@link withReductions}; values it cannot reduce are
 * exposed whole) and `run` a second session exposing every value whole, created at its first call. Two sessions,
 * because exposing a value as a graph output costs onnxruntime a separate buffer even when it is not fetched.
 */
export async function ortRunner(
  model: Model,
  exposeOutputs: readonly string[],
  level: OrtOptimizationLevel,
  threads: number,
  exposeReductions: readonly string[] = [],
): Promise<FloatRunner> {
  const options = { graphOptimizationLevel: level, intraOpNumThreads: threads };
  const reduced = withReductions(model, exposeReductions);
  const description = `onnxruntime-node ${await ortVersion()} (graphOptimizationLevel=${level}, intraOpNumThreads=${threads})`;
  if (reduced.outputs.size === 0) {
    const session = await createOrtSession(model, { ...options, exposeOutputs: [...exposeOutputs] });
    return { description, run: (feed) => session.run(feed), close: () => session.release() };
  }
  const primary = await createOrtSession(reduced.model, { ...options, exposeOutputs: exposeOutputs.filter((v) => !reduced.outputs.has(v)) });
  const extra = new Set([...reduced.outputs.values()].flatMap((o) => [o.min, o.max, o.sum, o.shape]));
  let whole: Promise<OrtSession> | undefined;
  return {
    description,
    async run(feed) {
      whole ??= createOrtSession(model, { ...options, exposeOutputs: [...exposeOutputs] });
      return (await whole).run(feed);
    },
    async runReduced(feed) {
      const all = await primary.run(feed);
      const outputs: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(all)) if (!extra.has(k)) outputs[k] = v;
      const ranges: Record<string, SampleRanges> = {};
      for (const [name, names] of reduced.outputs) ranges[name] = rangesOf(all, names);
      return { outputs, ranges };
    },
    async close() {
      await primary.release();
      if (whole !== undefined) await (await whole).release();
    },
  };
}
