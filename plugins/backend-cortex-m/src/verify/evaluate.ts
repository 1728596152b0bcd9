import {
  createProgramRunner as coreProgramRunner, evaluateProgram as coreEvaluateProgram, type ProgramEvaluationInput as CoreEvaluationInput,
  type Program, type ProgramRunner, type ProgramSimulator, type RecordedSamples, type TargetReport,
} from '@quantforge/core';
import { simulateCortexM } from '../simulate.js';

export type { ProgramRunner, RecordedSamples };

// Evaluation is core's (every backend is measured the same way); these wrappers fix the simulator to this backend's.
const simulator: ProgramSimulator = { name: 'cortex-m', simulate: async (program, samples) => simulateCortexM(program, samples) };

/**
 * Core's `createProgramRunner` on the bit-exact Cortex-M simulator: float feeds are quantized with the program's
 * input parameters into NHWC, simulated, and dequantized back to ONNX layout; the first `record` samples are kept.
 *
 * @example
 * ```ts
 * const runner = createProgramRunner(program, { record: 200 });
 * const out = await runner.run({ input: { dtype: 'float32', dims: [1, 1, 28, 28], data: pixels } });
 * out.logits!.data; // Float32Array(10)
 * ```
 */
export function createProgramRunner(program: Program, options: { record?: number } = {}): ProgramRunner {
  return coreProgramRunner(program, simulator, options);
}

/** What {@link evaluateProgram} needs: core's input without the backend (it is this one). */
export type ProgramEvaluationInput = Omit<CoreEvaluationInput, 'backend'>;

/**
 * Core's `evaluateProgram` on the Cortex-M simulator: the program against the float model on held-out samples, in
 * the report's `target.evaluation` shape, plus the recorded samples for `verifyCProject`.
 *
 * @example
 * ```ts
 * const { evaluation, recorded } = await evaluateProgram({ program, floatModel, data: feeds, labels, createRunner, record: 200 });
 * evaluation.accuracy?.simulated; // top-1 of the integer program
 * ```
 */
export async function evaluateProgram(input: ProgramEvaluationInput): Promise<{ evaluation: NonNullable<TargetReport['evaluation']>; recorded: RecordedSamples }> {
  return coreEvaluateProgram({ ...input, backend: simulator });
}
