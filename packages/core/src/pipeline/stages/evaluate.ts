import { QuantforgeError } from '../../errors/error.js';
import type { Model } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { ProgressListener } from '../../progress.js';
import type { DataSource, ExportResult, RunnerFactory } from '../services.js';
import { checkFeed, knownLength, requiredInputs, take } from './data.js';

/** Running sums for SQNR and cosine over many samples (float64, no per-sample arrays kept). */
class Agreement {
  signal = 0;
  noise = 0;
  dot = 0;
  na = 0;
  nb = 0;

  add(ref: ArrayLike<number>, approx: ArrayLike<number>): void {
    for (let i = 0; i < ref.length; i++) {
      const r = ref[i]!;
      const a = approx[i]!;
      const e = r - a;
      this.signal += r * r;
      this.noise += e * e;
      this.dot += r * a;
      this.na += r * r;
      this.nb += a * a;
    }
  }

  sqnr(): number {
    return this.noise === 0 ? Infinity : 10 * Math.log10(this.signal / this.noise);
  }

  cosine(): number {
    if (this.na === 0 && this.nb === 0) return 1;
    if (this.na === 0 || this.nb === 0) return 0;
    return this.dot / (Math.sqrt(this.na) * Math.sqrt(this.nb));
  }
}

/** Float-vs-quantized comparison on held-out samples. */
export interface EvaluationResult {
  samples: number;
  outputs: { name: string; sqnrDb: number; cosine: number }[];
  /** Over all graph outputs together. */
  sqnrDb: number;
  cosine: number;
  /** Fraction of rows (last axis of the first output) whose argmax agrees. */
  argmaxAgreement: number;
  /** With labels: top-1 accuracy of each model over the labelled rows. */
  accuracy: { float: number; quantized: number; rows: number } | null;
  /** SQNR (dB) of each mapped activation in the quantized model against the float one. */
  activations: Record<string, number>;
  executors: { float: string; quantized: string };
}

export interface EvaluateInput {
  floatModel: Model;
  exported: ExportResult;
  /** Activations of the plan (float-model names). */
  activations: readonly string[];
  data: DataSource;
  samples: number | undefined;
  labels: readonly number[] | undefined;
  createRunner: RunnerFactory;
  onProgress: ProgressListener | undefined;
}

function floats(t: Tensor | undefined, name: string, which: string): ArrayLike<number> {
  if (t === undefined || Array.isArray(t.data) || typeof (t.data as ArrayLike<unknown>)[0] === 'bigint') {
    throw new QuantforgeError('QF_PIPELINE_INVALID', `the ${which} model did not return a numeric value for ${name}`, { details: { tensor: name, model: which } });
  }
  return t.data as ArrayLike<number>;
}

function argmaxRows(values: ArrayLike<number>, dims: readonly number[]): Int32Array {
  const cols = dims.length === 0 ? 1 : dims[dims.length - 1]!;
  const rows = cols === 0 ? 0 : Math.floor(values.length / cols);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c]! > values[r * cols + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * Runs the float model and the exported model on the same samples with reference runners (purpose 'evaluate') and
 * compares graph outputs and mapped activations. Labels, when given, are consumed one per argmax row of the first
 * output, in sample order.
 *
 * @example
 * ```ts
 * const ev = await evaluateModels({ floatModel, exported, activations: ['conv1_out'], data: heldOut, samples: 100,
 *   labels, createRunner, onProgress: undefined });
 * console.log(ev.sqnrDb, ev.accuracy);
 * ```
 */
export async function evaluateModels(input: EvaluateInput): Promise<EvaluationResult> {
  const { valueMap, model: qModel } = input.exported;
  const mapped = input.activations.filter((a) => valueMap[a] !== undefined);
  const graphInputs = new Set(input.floatModel.graph.inputs.map((i) => i.name));
  const outputs = input.floatModel.graph.outputs.map((o) => o.name);
  const floatRunner = await input.createRunner(input.floatModel, { exposeOutputs: mapped.filter((a) => !graphInputs.has(a) && !outputs.includes(a)), purpose: 'evaluate' });
  let quantRunner;
  try {
    const qOutputs = new Set(qModel.graph.outputs.map((o) => o.name));
    quantRunner = await input.createRunner(qModel, { exposeOutputs: mapped.map((a) => valueMap[a]!).filter((v) => !qOutputs.has(v)), purpose: 'evaluate' });
  } catch (e) {
    await floatRunner.close();
    throw e;
  }
  const perOutput = outputs.map(() => new Agreement());
  const overall = new Agreement();
  const perActivation = mapped.map(() => new Agreement());
  let rows = 0;
  let agree = 0;
  let labelled = 0;
  let floatHits = 0;
  let quantHits = 0;
  const inputs = requiredInputs(input.floatModel);
  const len = knownLength(input.data);
  const total = input.samples === undefined ? (len ?? 0) : Math.min(input.samples, len ?? input.samples);
  let n = 0;
  try {
    for await (const feed of take(input.data, input.samples)) {
      checkFeed(feed, inputs, graphInputs, 'evaluation', n);
      const f = await floatRunner.run(feed);
      const q = await quantRunner.run(feed);
      outputs.forEach((name, i) => {
        const a = floats(f[name], name, 'float');
        const b = floats(q[name], name, 'quantized');
        if (a.length !== b.length) {
          throw new QuantforgeError('QF_PIPELINE_INVALID', `output ${name} has ${a.length} values in the float model but ${b.length} in the quantized one`, { details: { output: name } });
        }
        perOutput[i]!.add(a, b);
        overall.add(a, b);
      });
      mapped.forEach((name, i) => {
        const a = floats(f[name] ?? feed[name], name, 'float');
        const b = floats(q[valueMap[name]!], valueMap[name]!, 'quantized');
        if (a.length === b.length) perActivation[i]!.add(a, b);
      });
      const first = outputs[0];
      if (first !== undefined) {
        const fa = argmaxRows(floats(f[first], first, 'float'), f[first]!.dims);
        const qa = argmaxRows(floats(q[first], first, 'quantized'), q[first]!.dims);
        for (let r = 0; r < fa.length; r++) {
          if (fa[r] === qa[r]) agree++;
          const label = input.labels?.[rows + r];
          if (label !== undefined) {
            labelled++;
            if (fa[r] === label) floatHits++;
            if (qa[r] === label) quantHits++;
          }
        }
        rows += fa.length;
      }
      n++;
      input.onProgress?.({ stage: 'evaluate', done: n, total: Math.max(total, n) });
    }
  } finally {
    await Promise.all([floatRunner.close(), quantRunner.close()]);
  }
  if (n === 0) throw new QuantforgeError('QF_DATA_MISSING', 'the evaluation data source yielded no samples', { details: { stage: 'evaluation' } });
  if (input.labels !== undefined && labelled < rows) {
    throw new QuantforgeError('QF_DATA_MISMATCH', `evaluation has ${rows} predictions but only ${labelled} labels`, {
      details: { rows, labels: input.labels.length },
      hint: 'Give one integer label per row of the first model output (per sample when the batch is 1).',
    });
  }
  const activations: Record<string, number> = {};
  mapped.forEach((name, i) => {
    activations[name] = perActivation[i]!.sqnr();
  });
  return {
    samples: n,
    outputs: outputs.map((name, i) => ({ name, sqnrDb: perOutput[i]!.sqnr(), cosine: perOutput[i]!.cosine() })),
    sqnrDb: overall.sqnr(),
    cosine: overall.cosine(),
    argmaxAgreement: rows === 0 ? 1 : agree / rows,
    accuracy: input.labels === undefined ? null : { float: floatHits / Math.max(labelled, 1), quantized: quantHits / Math.max(labelled, 1), rows: labelled },
    activations,
    executors: { float: floatRunner.description, quantized: quantRunner.description },
  };
}
