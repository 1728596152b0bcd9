import { QuantforgeError } from '../../errors/error.js';
import type { Model } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { ProgressListener } from '../../progress.js';
import type { QuantizedTensor } from '../../quant/encoding.js';
import { deserializeEncoding, serializeEncoding, type SerializedEncoding } from '../../quant/encoding-json.js';
import type { PlanEntry, QuantPlan } from '../../quant/plan.js';
import { tensorSeed } from '../../quant/scheme.js';
import { quantInfo } from './quant-info.js';
import type { ActiveScheme, SchemeTasks } from './scheme-tasks.js';

function weightTensor(model: Model, e: PlanEntry): Tensor<'float32'> {
  const t = model.graph.initializers.get(e.tensor)?.tensor;
  if (t === undefined || t.dtype !== 'float32') {
    throw new QuantforgeError('QF_PIPELINE_INVALID', `plan entry ${e.tensor} (${e.role}) is not a float32 initializer of the model`, {
      details: { tensor: e.tensor, role: e.role, dtype: t?.dtype ?? null },
    });
  }
  const data = t.data as Float32Array;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      throw new QuantforgeError('QF_NAN_WEIGHTS', `${e.role} ${e.tensor} holds ${Number.isNaN(v) ? 'NaN' : 'infinite'} values (first at element ${i})`, {
        details: { tensor: e.tensor, role: e.role, index: i, value: String(v) },
        hint: 'The model was saved with diverged weights; re-export it from a healthy checkpoint.',
      });
    }
  }
  return t as Tensor<'float32'>;
}

function dependencies(e: PlanEntry, encodings: Readonly<Record<string, QuantizedTensor>>): Record<string, SerializedEncoding> {
  const out: Record<string, SerializedEncoding> = {};
  for (const [key, name] of Object.entries(e.dependsOn ?? {})) {
    const q = encodings[name];
    if (q === undefined) {
      throw new QuantforgeError('QF_PIPELINE_INVALID', `${e.tensor} depends on ${name} (${key}), which has no encoding`, {
        details: { tensor: e.tensor, dependsOn: name, key },
        hint: 'A bias needs its input activation calibrated (static mode) and its weight quantized.',
      });
    }
    out[key] = serializeEncoding(q.encoding);
  }
  return out;
}

export interface QuantizeInput {
  model: Model;
  plan: QuantPlan;
  schemes: ReadonlyMap<string, ActiveScheme>;
  tasks: SchemeTasks;
  seed: number;
  /** Encodings known so far (activations); weights and biases are added to it. */
  encodings: Record<string, QuantizedTensor>;
  onProgress: ProgressListener | undefined;
}

/**
 * Quantizes every constant of the plan: weights (and gradients) first, then biases, whose scale derives from their
 * input and weight encodings. Tasks run concurrently on the pool; results are stored in plan order whatever order
 * workers finish in, and every tensor gets its own seed, so any worker count gives the same bytes.
 */
export async function quantizeConstants(input: QuantizeInput): Promise<void> {
  const entries = Object.values(input.plan.tensors).filter((e) => e.role !== 'activation');
  const waves = [entries.filter((e) => e.dependsOn === undefined), entries.filter((e) => e.dependsOn !== undefined)];
  const total = entries.length;
  let done = 0;
  for (const wave of waves) {
    const jobs = wave.map(async (e) => {
      const tensor = weightTensor(input.model, e);
      const scheme = input.schemes.get(e.scheme)!;
      const deps = dependencies(e, input.encodings);
      const r = await input.tasks.quantizeWeight(scheme, { options: e.options, info: quantInfo(e, tensorSeed(input.seed, e.tensor), deps) }, tensor);
      done++;
      input.onProgress?.({ stage: 'quantize', done, total, item: e.tensor });
      const q: QuantizedTensor = { encoding: deserializeEncoding(r.value.encoding), dims: r.value.dims };
      if (r.codes !== undefined) q.codes = r.codes;
      return q;
    });
    const settled = await Promise.allSettled(jobs);
    // The first failure in plan order is reported, so the error does not depend on scheduling either.
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    wave.forEach((e, i) => {
      input.encodings[e.tensor] = (settled[i] as PromiseFulfilledResult<QuantizedTensor>).value;
    });
  }
}
