import type { FloatRunner, Model, SampleRanges, Tensor } from '@quantforge/core';
import { createExecutor } from '../engine/index.js';

/** What {@link referenceRunner} reports as its executor. */
export const REFERENCE_DESCRIPTION = 'reference executor (@quantforge/runtime)';

/**
 * Per-sample extremes of a float32 value of rank ≥ 1, scanned in JS: `finite[i]` is exact (every element of sample i
 * finite), and min/max are the scan's (meaningful only where finite). Undefined for other values (returned whole).
 */
export function sampleRanges(t: Tensor): SampleRanges | undefined {
  if (t.dtype !== 'float32' || t.dims.length === 0) return undefined;
  const data = t.data as Float32Array;
  const n = t.dims[0]!;
  const per = n === 0 ? 0 : data.length / n;
  const min = new Float32Array(n);
  const max = new Float32Array(n);
  const finite = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let lo = Infinity;
    let hi = -Infinity;
    let ok = 1;
    for (let j = i * per; j < (i + 1) * per; j++) {
      const v = data[j]!;
      if (v - v !== 0) ok = 0;
      else {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    min[i] = lo;
    max[i] = hi;
    finite[i] = ok;
  }
  return { samples: n, perSample: per, min, max, finite };
}

/**
 * A runner on the TypeScript reference executor. Building the executor is what checks that every op has a kernel
 * (`QF_OP_UNSUPPORTED` otherwise), so a caller learns at creation, not at the first run, that the model cannot run.
 * `exposeReductions` values are computed whole and reduced in JS ({@link sampleRanges}), like the onnxruntime
 * runner's in-graph reductions.
 */
export function referenceRunner(model: Model, exposeOutputs: readonly string[], exposeReductions: readonly string[] = []): FloatRunner {
  const exec = createExecutor(model);
  const outputs = [...new Set([...exec.outputNames, ...exposeOutputs, ...exposeReductions])];
  const graphOutputs = new Set(exec.outputNames);
  return {
    description: REFERENCE_DESCRIPTION,
    run: async (feed) => exec.run(feed, { outputs }),
    async runReduced(feed) {
      const out = exec.run(feed, { outputs });
      const ranges: Record<string, SampleRanges> = {};
      for (const name of exposeReductions) {
        const r = out[name] === undefined || graphOutputs.has(name) ? undefined : sampleRanges(out[name]!);
        if (r === undefined) continue;
        ranges[name] = r;
        delete out[name];
      }
      return { outputs: out, ranges };
    },
    close: async () => {},
  };
}
