import {
  evaluateModels, QuantforgeError, type DataSource, type Feed, type FloatRunner, type Model, type Program, type ProgressListener,
  type RunnerFactory, type Tensor, type TargetReport,
} from '@quantforge/core';
import { simulateCortexM } from '../simulate.js';
import { dequantizeOutput, quantizeInput } from '../simulate-io.js';

const count = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Program output dims in ONNX layout (NHWC → NCHW for 4-D), for `rows` samples stacked along the batch axis. */
function onnxDims(dims: readonly number[], rows: number): number[] {
  if (dims.length === 4) return [dims[0]! * rows, dims[3]!, dims[1]!, dims[2]!];
  return dims.length === 0 ? [] : [dims[0]! * rows, ...dims.slice(1)];
}

/** Float samples taken by the runner, packed as the emitted C runner's files hold them. */
export interface RecordedSamples {
  samples: number;
  /** Every sample's inputs back to back (program input order, ONNX layout, float32). */
  inputs: Float32Array;
  /** Every sample's dequantized outputs back to back (program output order). */
  outputs: Float32Array;
  valuesPerSample: number;
}

/** A `FloatRunner` over a program: float feeds in, dequantized simulator outputs out; keeps the first samples. */
export interface ProgramRunner extends FloatRunner {
  recorded(): RecordedSamples;
}

/**
 * Wraps a lowered program as a float runner, exactly as the emitted C runner treats a sample: each input is quantized
 * with the program's input parameters (`quantizeInput`), the program runs on the bit-exact simulator, each output is
 * dequantized (`dequantizeOutput`). A feed whose inputs hold k samples stacked along axis 0 runs k times. The first
 * `record` samples' float inputs and outputs are kept for comparison with the C runner.
 *
 * @example
 * ```ts
 * const runner = createProgramRunner(program, { record: 200 });
 * const out = await runner.run({ input: { dtype: 'float32', dims: [1, 1, 28, 28], data: pixels } });
 * out.logits!.data; // Float32Array(10)
 * ```
 */
export function createProgramRunner(program: Program, options: { record?: number } = {}): ProgramRunner {
  const ins = program.inputs.map((id) => program.tensors[id]!);
  const outs = program.outputs.map((id) => program.tensors[id]!);
  const inSize = ins.reduce((a, t) => a + count(t.dims), 0);
  const outSize = outs.reduce((a, t) => a + count(t.dims), 0);
  const limit = options.record ?? 0;
  const recIn: Float32Array[] = [];
  const recOut: Float32Array[] = [];
  return {
    description: `${program.target} integer program on the bit-exact Cortex-M simulator (${program.rounding} rounding)`,
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
      const results = outs.map((t) => new Float32Array(count(t.dims) * k));
      for (let r = 0; r < k; r++) {
        const intFeed: Record<string, Int8Array | Int16Array> = {};
        ins.forEach((t, i) => {
          const per = count(t.dims);
          intFeed[t.name] = quantizeInput(program, t.name, data[i]!.subarray(r * per, (r + 1) * per));
        });
        const [o] = simulateCortexM(program, [intFeed]);
        const sampleOut = new Float32Array(outSize);
        let at = 0;
        outs.forEach((t, i) => {
          const v = dequantizeOutput(program, t.name, o![t.name]!);
          results[i]!.set(v, r * v.length);
          sampleOut.set(v, at);
          at += v.length;
        });
        if (recOut.length < limit) {
          const sampleIn = new Float32Array(inSize);
          let p = 0;
          ins.forEach((t, i) => {
            const per = count(t.dims);
            sampleIn.set(data[i]!.subarray(r * per, (r + 1) * per), p);
            p += per;
          });
          recIn.push(sampleIn);
          recOut.push(sampleOut);
        }
      }
      const out: Record<string, Tensor> = {};
      outs.forEach((t, i) => { out[t.name] = { dtype: 'float32', dims: onnxDims(t.dims, k), data: results[i]! }; });
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
  /** The float model the program was lowered from (its graph outputs are the program's outputs). */
  floatModel: Model;
  data: DataSource;
  samples?: number;
  /** One integer label per row of the first output, in sample order (top-1). */
  labels?: readonly number[];
  /** Runs the float model (purpose `evaluate`). */
  createRunner: RunnerFactory;
  onProgress?: ProgressListener;
  /** Keep the first this many samples' float inputs and simulated outputs (for `verifyCProject`). */
  record?: number;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * The lowered program on the simulator against the float model on held-out samples, with core's evaluation (the
 * metrics of the report's `evaluation`: output SQNR and cosine, argmax agreement, top-1 with labels), in the report's
 * `target.evaluation` shape; plus the recorded samples for checking emitted code.
 *
 * @example
 * ```ts
 * const { evaluation, recorded } = await evaluateProgram({ program, floatModel, data: feeds, labels, createRunner, record: 200 });
 * evaluation.accuracy?.simulated; // top-1 of the integer program
 * ```
 */
export async function evaluateProgram(input: ProgramEvaluationInput): Promise<{ evaluation: NonNullable<TargetReport['evaluation']>; recorded: RecordedSamples }> {
  const runner = createProgramRunner(input.program, { record: input.record ?? 0 });
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
