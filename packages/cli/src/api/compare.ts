import { isAbsolute, resolve } from 'node:path';
import { evaluateModels, type Model, type ProgressListener, type QuantizeReport } from '@quantforge/core';
import { loadModel } from '@quantforge/onnx';
import type { ImageRecipe } from '@quantforge/runtime';
import { openData, openLabels, type DataInput, type LabelsInput } from './data.js';
import { defaultServices, type ServiceOptions } from './services.js';

/** Options of {@link compareModels}. */
export interface CompareOptions extends ServiceOptions {
  labels?: LabelsInput;
  /** Use at most this many samples. */
  samples?: number;
  image?: ImageRecipe;
  cwd?: string;
  onProgress?: ProgressListener;
}

/** Float vs quantized metrics on held-out data, in the report's `evaluation` shape, plus the executors used. */
export interface Comparison {
  schemaVersion: 1;
  float: string | null;
  quantized: string | null;
  data: string;
  evaluation: NonNullable<QuantizeReport['evaluation']>;
  executors: { float: string; quantized: string };
}

async function modelOf(m: Model | string, cwd: string): Promise<{ model: Model; path: string | null }> {
  if (typeof m !== 'string') return { model: m, path: null };
  const path = isAbsolute(m) ? m : resolve(cwd, m);
  return { model: await loadModel(path), path };
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Runs a float model and its quantized version on the same held-out samples and compares them with the pipeline's
 * own evaluation stage: output SQNR and cosine, argmax agreement and, with labels, top-1 of both. Both run on the
 * default runner with purpose `evaluate` (onnxruntime-node at runtime's evaluation level, `'disabled'` or `'basic'`,
 * which does not fuse QDQ into integer kernels; else the reference executor); `executors` names executor and level.
 *
 * @example
 * ```ts
 * const c = await compareModels('model.onnx', 'model.int8.onnx', 'data/eval', { labels: 'data/eval/labels.npy' });
 * console.log(c.evaluation.accuracy, c.executors.quantized);
 * ```
 */
export async function compareModels(floatModel: Model | string, quantModel: Model | string, data: DataInput, options: CompareOptions = {}): Promise<Comparison> {
  const cwd = options.cwd ?? process.cwd();
  const f = await modelOf(floatModel, cwd);
  const q = await modelOf(quantModel, cwd);
  const opened = await openData(data, f.model, options.image === undefined ? { cwd } : { cwd, image: options.image });
  const labels = options.labels === undefined ? undefined : await openLabels(options.labels, cwd);
  const ev = await evaluateModels({
    floatModel: f.model,
    exported: { model: q.model, valueMap: {} },
    activations: [],
    data: opened.source,
    samples: options.samples,
    labels,
    createRunner: defaultServices(options).createRunner,
    onProgress: options.onProgress,
  });
  return {
    schemaVersion: 1,
    float: f.path,
    quantized: q.path,
    data: opened.description,
    evaluation: {
      samples: ev.samples,
      outputs: ev.outputs.map((o) => ({ name: o.name, sqnrDb: finite(o.sqnrDb), cosine: o.cosine })),
      sqnrDb: finite(ev.sqnrDb),
      cosine: ev.cosine,
      argmaxAgreement: ev.argmaxAgreement,
      accuracy: ev.accuracy,
    },
    executors: ev.executors,
  };
}
