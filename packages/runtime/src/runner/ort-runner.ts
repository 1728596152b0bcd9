import type { FloatRunner, Model } from '@quantforge/core';
import { createOrtSession } from '../ort/index.js';

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

/**
 * A runner on onnxruntime-node. Session creation errors (`QF_ORT_FAILED`) propagate so that the factory can fall
 * back to the reference executor; run-time errors propagate to the caller unchanged.
 */
export async function ortRunner(
  model: Model,
  exposeOutputs: readonly string[],
  level: OrtOptimizationLevel,
  threads: number,
): Promise<FloatRunner> {
  const session = await createOrtSession(model, {
    graphOptimizationLevel: level,
    intraOpNumThreads: threads,
    exposeOutputs: [...exposeOutputs],
  });
  const description = `onnxruntime-node ${await ortVersion()} (graphOptimizationLevel=${level}, intraOpNumThreads=${threads})`;
  return {
    description,
    run: (feed) => session.run(feed),
    close: () => session.release(),
  };
}
