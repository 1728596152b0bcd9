import { QuantforgeError } from '../errors/error.js';
import type { Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { evaluateModels } from '../pipeline/stages/evaluate.js';
import type { TargetReport } from '../pipeline/report.js';
import type { DataSource, Feed, FloatRunner, RunnerFactory } from '../pipeline/services.js';
import type { ProgressListener } from '../progress.js';
import type { BackendDefinition, IntegerFeed, RecordedSamples } from './definition.js';
import type { Program } from './program.js';
import { dequantizeProgramOutput, programOnnxDims, quantizeProgramInput } from './program-io.js';

const count = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** A `FloatRunner` over a program: float feeds in, dequantized simulator outputs out; keeps the first samples. */
export interface ProgramRunner extends FloatRunner {
  recorded(): RecordedSamples;
}

/** The part of a backend a {@link ProgramRunner} needs. */
export type ProgramSimulator = Pick<BackendDefinition, 'name' | 'simulate'>;

function requireSimulate(backend: ProgramSimulator): NonNullable<BackendDefinition['simulate']> {
  if (typeof backend.simulate !== 'function') {
    throw new QuantforgeError('QF_TARGET_UNSUPPORTED', `backend ${backend.name} has no simulate step`, { details: { backend: backend.name, step: 'simulate' } });
  }
  return backend.simulate.bind(backend);
}

/**
 * Wraps a lowered program as a float runner, as deployed code treats a sample: each input is quantized with the
 * program's input scale and zero point into the program's layout ({@link quantizeProgramInput}), the backend's
 * bit-exact `simulate` runs it, each output is dequantized back to ONNX layout ({@link dequantizeProgramOutput}). A
 * feed whose inputs hold k samples stacked along axis 0 is one `simulate` call of k samples. The first `record`
 * samples' float inputs and outputs are kept, for comparing emitted code with the simulator (`backend.verify`).
 *
 * @example
 * ```ts
 * const runner = createProgramRunner(program, cortexMBackend, { record: 200 });
 * const out = await runner.run({ input: { dtype: 'float32', dims: [1, 1, 28, 28], data: pixels } });
 * out.logits!.data; // Float32Array(10)
 * ```
 */
export function createProgramRunner(program: Program, backend: ProgramSimulator, options: { record?: number } = {}): ProgramRunner {
  const simulate = requireSimulate(backend);
  const ins = program.inputs.map((id) => program.tensors[id]!);
  const outs = program.outputs.map((id) => program.tensors[id]!);
  const inSize = ins.reduce((a, t) => a + count(t.dims), 0);
  const outSize = outs.reduce((a, t) => a + count(t.dims), 0);
  const limit = options.record ?? 0;
  const recIn: Float32Array[] = [];
  const recOut: Float32Array[] = [];
  return {
    description: `${program.target} integer program on the bit-exact ${backend.name} simulator (${program.rounding} rounding)`,
    async run(feed: Feed): Promise<Record<string, Tensor>> {
      let rows: number | undefined;
      const data = ins.map((t) => {
        const x = feed[t.name];
        const per = count(t.dims);
        if (x === undefined || !(x.data instanceof Float32Array) || x.data.length % per !== 0 || x.data.length === 0) {
          throw new QuantforgeError('QF_RUNTIME_INPUT', `program input ${t.name} needs float32 data of ${per} values per sample`, { details: { input: t.name, got: x?.data.length, dtype: x?.dtype } });
        }
        const k = x.data.length / per;
        if (rows !== undefined && rows !== k) throw new QuantforgeError('QF_RUNTIME_INPUT', 'program inputs hold different sample counts', { details: { input: t.name } });
        rows = k;
        return x.data;
      });
      const k = rows ?? 1;
      const sample = (i: number, r: number): Float32Array => {
        const per = count(ins[i]!.dims);
        return data[i]!.subarray(r * per, (r + 1) * per);
      };
      const intFeeds: IntegerFeed[] = [];
      for (let r = 0; r < k; r++) {
        const f: IntegerFeed = {};
        ins.forEach((t, i) => { f[t.name] = quantizeProgramInput(program, t.name, sample(i, r)); });
        intFeeds.push(f);
      }
      const simulated = await simulate(program, intFeeds);
      const results = outs.map((t) => new Float32Array(count(t.dims) * k));
      for (let r = 0; r < k; r++) {
        const sampleOut = new Float32Array(outSize);
        let at = 0;
        outs.forEach((t, i) => {
          const codes = simulated[r]?.[t.name];
          if (codes === undefined) throw new QuantforgeError('QF_INTERNAL', `backend ${backend.name} simulated no output ${t.name} for sample ${r}`, { details: { backend: backend.name, output: t.name } });
          const v = dequantizeProgramOutput(program, t.name, codes);
          results[i]!.set(v, r * v.length);
          sampleOut.set(v, at);
          at += v.length;
        });
        if (recOut.length < limit) {
          const sampleIn = new Float32Array(inSize);
          let p = 0;
          ins.forEach((t, i) => { sampleIn.set(sample(i, r), p); p += count(t.dims); });
          recIn.push(sampleIn);
          recOut.push(sampleOut);
        }
      }
      const out: Record<string, Tensor> = {};
      outs.forEach((t, i) => { out[t.name] = { dtype: 'float32', dims: programOnnxDims(program, t.dims, k), data: results[i]! }; });
      return out;
    },
    async close(): Promise<void> {},
    recorded(): RecordedSamples {
      const inputs = new Float32Array(recIn.length * inSize);
      const outputs = new Float32Array(recOut.length * outSize);
      recIn.forEach((x, i) => inputs.set(x, i * inSize));
      recOut.forEach((x, i) => outputs.set(x, i * outSize));
      return { samples: recOut.length, inputs, outputs, valuesPerSample: outSize };
    },
  };
}

/** What {@link evaluateProgram} needs. */
export interface ProgramEvaluationInput {
  program: Program;
  /** The backend whose `simulate` runs the program. */
  backend: ProgramSimulator;
  /** The float model the program was lowered from (its graph outputs are the program's outputs). */
  floatModel: Model;
  data: DataSource;
  samples?: number;
  /** One integer label per row of the first output, in sample order (top-1). */
  labels?: readonly number[];
  /** Runs the float model (purpose `evaluate`). */
  createRunner: RunnerFactory;
  onProgress?: ProgressListener;
  /** Keep the first this many samples' float inputs and simulated outputs (for `backend.verify`). */
  record?: number;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * The lowered program on its backend's simulator against the float model on held-out samples, with core's
 * evaluation (output SQNR and cosine, argmax agreement, top-1 with labels) in the report's `target.evaluation`
 * shape; plus the recorded samples for checking emitted code. `QF_TARGET_UNSUPPORTED` when the backend has no
 * `simulate`.
 *
 * @example
 * ```ts
 * const { evaluation, recorded } = await evaluateProgram({ program, backend, floatModel, data: feeds, labels, createRunner, record: 200 });
 * evaluation.accuracy?.simulated; // top-1 of the integer program
 * ```
 */
export async function evaluateProgram(input: ProgramEvaluationInput): Promise<{ evaluation: NonNullable<TargetReport['evaluation']>; recorded: RecordedSamples }> {
  const runner = createProgramRunner(input.program, input.backend, { record: input.record ?? 0 });
  // A copy with its own identity tells the program's runner apart from the float model's (same graph, same outputs).
  const simulated: Model = { ...input.floatModel };
  const createRunner: RunnerFactory = async (m, o) => (m === simulated ? runner : input.createRunner(m, o));
  const ev = await evaluateModels({
    floatModel: input.floatModel, exported: { model: simulated, valueMap: {} }, activations: [], data: input.data,
    samples: input.samples, labels: input.labels, createRunner, onProgress: input.onProgress,
  });
  return {
    evaluation: {
      samples: ev.samples, executor: runner.description,
      outputs: ev.outputs.map((o) => ({ name: o.name, sqnrDb: finite(o.sqnrDb), cosine: o.cosine })),
      sqnrDb: finite(ev.sqnrDb), cosine: ev.cosine, argmaxAgreement: ev.argmaxAgreement,
      accuracy: ev.accuracy === null ? null : { float: ev.accuracy.float, simulated: ev.accuracy.quantized, rows: ev.accuracy.rows },
    },
    recorded: runner.recorded(),
  };
}
