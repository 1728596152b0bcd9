import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QuantforgeError, type Model, type Program, type ProgressListener, type QuantizeResult, type TargetReport } from '@quantforge/core';
import { loadModel } from '@quantforge/onnx';
import type { RecordedSamples } from '@quantforge/backend-cortex-m';
import type { ImageRecipe } from '@quantforge/runtime';
import { openData, openLabels, type DataInput, type LabelsInput } from './data.js';
import { defaultServices, type ServiceOptions } from './services.js';

/**
 * The lowered program of a run, or `QF_TARGET_UNSUPPORTED` naming the nodes that fell back to float (a partitioned
 * program cannot be emitted or simulated).
 *
 * @example
 * ```ts
 * const program = requireProgram(result); // result of pipeline.target(cortexM, { target: 'cortex-m4' }).run()
 * ```
 */
export function requireProgram(result: QuantizeResult): Program {
  const t = result.target;
  if (t === undefined) throw new QuantforgeError('QF_PIPELINE_INVALID', 'the run had no deployment target', { details: {}, hint: 'Set one with pipeline.target(...) (CLI: --target NAME).' });
  if (t.program !== undefined) return t.program;
  const fallbacks = t.diagnostics.filter((d) => d.status === 'fallback');
  throw new QuantforgeError('QF_TARGET_UNSUPPORTED', `no program was lowered for ${t.name}: ${fallbacks.length} node(s) fall back to float (${fallbacks.slice(0, 5).map((d) => `${d.node} (${d.opType}): ${d.reason ?? 'unsupported'}`).join('; ')}${fallbacks.length > 5 ? '; …' : ''})`, {
    details: { target: t.name, fallbacks: fallbacks.map((d) => ({ node: d.node, opType: d.opType, code: d.code, reason: d.reason })) },
    hint: 'Code can only be emitted for a model whose every node runs on the target: exclude nothing that the target must run, change the model, or drop --emit.',
  });
}

function requireCortexM(result: QuantizeResult): void {
  if (result.target !== undefined && result.target.backend !== 'cortex-m') {
    throw new QuantforgeError('QF_TARGET_UNSUPPORTED', `backend ${result.target.backend} has no simulator or C emitter wired into quantforge`, { details: { backend: result.target.backend } });
  }
}

/** Options of {@link evaluateTarget}. */
export interface TargetEvaluateOptions extends ServiceOptions {
  labels?: LabelsInput;
  samples?: number;
  image?: ImageRecipe;
  cwd?: string;
  seed?: number;
  /** Keep the first this many samples' inputs and simulated outputs (for {@link verifyTarget}). */
  record?: number;
  onProgress?: ProgressListener;
}

/**
 * Runs the run's lowered program on the backend's bit-exact simulator against the float model on held-out data:
 * the report's `target.evaluation` (argmax agreement, top-1 with labels, output SQNR), plus the recorded samples.
 *
 * @example
 * ```ts
 * const { evaluation } = await evaluateTarget(result, 'model.onnx', 'data/eval', { labels: 'data/eval/labels.npy' });
 * evaluation.accuracy; // { float, simulated, rows }
 * ```
 */
export async function evaluateTarget(
  result: QuantizeResult, floatModel: Model | string, data: DataInput, options: TargetEvaluateOptions = {},
): Promise<{ evaluation: NonNullable<TargetReport['evaluation']>; recorded: RecordedSamples }> {
  requireCortexM(result);
  const program = requireProgram(result);
  const cwd = options.cwd ?? process.cwd();
  const model = typeof floatModel === 'string' ? await loadModel(resolve(cwd, floatModel)) : floatModel;
  const opened = await openData(data, model, { cwd, ...(options.seed === undefined ? {} : { seed: options.seed }), ...(options.image === undefined ? {} : { image: options.image }) });
  const { evaluateProgram } = await import('@quantforge/backend-cortex-m');
  return evaluateProgram({
    program, floatModel: model, data: opened.source, createRunner: defaultServices(options).createRunner,
    ...(options.samples === undefined ? {} : { samples: options.samples }),
    ...(options.labels === undefined ? {} : { labels: await openLabels(options.labels, cwd) }),
    ...(options.record === undefined ? {} : { record: options.record }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
}

/**
 * Fails unless `dir` can take an emitted project: it must not be a file, and an existing folder must be empty unless
 * `force` (then it is replaced once the new project is complete). `QF_IO` otherwise.
 *
 * @example
 * ```ts
 * await checkEmitDir('out/fashion-m4', { force: false });
 * ```
 */
export async function checkEmitDir(dir: string, options: { force?: boolean } = {}): Promise<void> {
  const s = await stat(dir).catch(() => undefined);
  if (s === undefined) return;
  if (!s.isDirectory()) {
    throw new QuantforgeError('QF_IO', `cannot emit into ${dir}: it is a file`, { details: { dir }, hint: 'Pass a folder path for --out.' });
  }
  if (options.force !== true && (await readdir(dir)).length > 0) {
    throw new QuantforgeError('QF_IO', `cannot emit into ${dir}: the folder is not empty`, {
      details: { dir }, hint: 'Pass an empty or new folder, or --force to replace it (the new project replaces it only once complete).',
    });
  }
}

/**
 * Writes the run's program as a C project (the backend's `writeCProject`: a temporary sibling folder renamed into
 * place, so `dir` never holds half a project). Refuses a non-empty `dir` unless `force`.
 *
 * @example
 * ```ts
 * const { dir, files } = await emitTarget(result, 'out/fashion-m4');
 * ```
 */
export async function emitTarget(result: QuantizeResult, dir: string, options: { force?: boolean } = {}): Promise<NonNullable<TargetReport['emit']>> {
  requireCortexM(result);
  const program = requireProgram(result);
  await checkEmitDir(dir, options);
  const { emitC, writeCProject } = await import('@quantforge/backend-cortex-m');
  const files = Object.keys(emitC(program)).length;
  return { format: 'c', dir: writeCProject(program, dir), files };
}

/** What {@link verifyTarget} checks. */
export interface TargetVerifyInput {
  /** The emitted project. */
  dir: string;
  /** The samples and the simulator's outputs, from {@link evaluateTarget} with `record`. */
  recorded: RecordedSamples;
  /** Count executed instructions on QEMU for the first sample (default true). */
  instructions?: boolean;
  timeoutMs?: number;
}

/**
 * Builds and runs an emitted project on the host and on QEMU (when the Arm toolchain is there) and compares the
 * outputs with the simulator's bit for bit; on QEMU it also counts the instructions of one inference, per layer.
 *
 * @example
 * ```ts
 * const { verify, instructions } = await verifyTarget({ dir, recorded });
 * verify.host; // { samples: 200, identical: true, mismatches: 0, ... }
 * ```
 */
export async function verifyTarget(input: TargetVerifyInput): Promise<{ verify: NonNullable<TargetReport['verify']>; instructions?: TargetReport['instructions'] }> {
  const { countInstructions, probeToolchain, verifyCProject } = await import('@quantforge/backend-cortex-m');
  const toolchain = await probeToolchain();
  const r = input.recorded;
  const timing = input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs };
  const verify = await verifyCProject(input.dir, r.inputs, r.outputs, r.valuesPerSample, { toolchain, ...timing });
  if (input.instructions === false) return { verify };
  if ('skipped' in verify.qemu) return { verify, instructions: { skipped: `needs QEMU: ${verify.qemu.skipped}` } };
  if (r.samples === 0) return { verify, instructions: { skipped: 'no samples' } };
  const tmp = await mkdtemp(join(tmpdir(), 'qf-insns-in-'));
  try {
    const one = join(tmp, 'in.f32');
    const sample = r.inputs.subarray(0, r.inputs.length / r.samples);
    await writeFile(one, new Uint8Array(sample.buffer, sample.byteOffset, sample.byteLength));
    const c = await countInstructions(input.dir, { input: one, ...timing });
    return { verify, instructions: { cpu: c.cpu, perInference: c.perInference[0]!, perLayer: c.perLayer.map((l) => ({ node: l.node, op: l.op, insns: l.insns })) } };
  } catch (error) {
    return { verify, instructions: { skipped: `instruction counting failed: ${(error as Error).message.split('\n')[0]}` } };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
