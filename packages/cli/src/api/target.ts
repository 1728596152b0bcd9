import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  evaluateProgram, QuantforgeError, requireBackendStep, writeArtifacts, type BackendDefinition, type Model, type Program, type ProgressListener,
  type QuantizeResult, type RecordedSamples, type TargetReport,
} from '@quantforge/core';
import { loadModel } from '@quantforge/onnx';
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

/**
 * The backend definition of the run's target (`QF_PIPELINE_INVALID` without one): this module reaches a backend only
 * through it, so any backend's optional steps work here.
 *
 * @example
 * ```ts
 * targetBackend(result).emitFormats; // ['c'] for cortex-m
 * ```
 */
export function targetBackend(result: QuantizeResult): BackendDefinition {
  const t = result.target;
  if (t === undefined) throw new QuantforgeError('QF_PIPELINE_INVALID', 'the run had no deployment target', { details: {}, hint: 'Set one with pipeline.target(...) (CLI: --target NAME).' });
  if (t.target === undefined) throw new QuantforgeError('QF_PIPELINE_INVALID', `the run's target ${t.name} carries no backend definition`, { details: { target: t.name } });
  return t.target.backend;
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
 * Runs the run's lowered program on its backend's bit-exact `simulate` (core's `evaluateProgram`) against the float model on held-out data:
 * the report's `target.evaluation` (argmax agreement, top-1 with labels, output SQNR), plus the recorded samples.
 * `QF_TARGET_UNSUPPORTED` when the backend has no `simulate`.
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
  const backend = targetBackend(result);
  requireBackendStep(backend, 'simulate');
  const program = requireProgram(result);
  const cwd = options.cwd ?? process.cwd();
  const model = typeof floatModel === 'string' ? await loadModel(resolve(cwd, floatModel)) : floatModel;
  const opened = await openData(data, model, { cwd, ...(options.seed === undefined ? {} : { seed: options.seed }), ...(options.image === undefined ? {} : { image: options.image }) });
  return evaluateProgram({
    program, backend, floatModel: model, data: opened.source, createRunner: defaultServices(options).createRunner,
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

/** Options of {@link emitTarget}. */
export interface TargetEmitOptions {
  /** One of the backend's `emitFormats` (default its first). */
  format?: string;
  /** Replace a non-empty `dir` (only once the new project is complete). */
  force?: boolean;
}

/**
 * Writes the run's program as its backend emits it (`backend.emit`), with core's `writeArtifacts`: a temporary
 * sibling folder renamed into place, so `dir` never holds half a project. Refuses a non-empty `dir` unless `force`;
 * `QF_TARGET_UNSUPPORTED` when the backend has no `emit` or not this format.
 *
 * @example
 * ```ts
 * const { dir, files } = await emitTarget(result, 'out/fashion-m4', { format: 'c' });
 * ```
 */
export async function emitTarget(result: QuantizeResult, dir: string, options: TargetEmitOptions = {}): Promise<NonNullable<TargetReport['emit']>> {
  const backend = targetBackend(result);
  const emit = requireBackendStep(backend, 'emit');
  const format = emitFormat(backend, options.format);
  const program = requireProgram(result);
  await checkEmitDir(dir, options);
  const artifacts = await emit(program, { format });
  return { format, dir: await writeArtifacts(dir, artifacts), files: artifacts.length };
}

/**
 * The format to emit in: `requested` when the backend lists it (or lists none), else its first; `QF_TARGET_UNSUPPORTED`
 * naming the backend's formats otherwise.
 *
 * @example
 * ```ts
 * emitFormat(target.backend, 'c'); // 'c'
 * ```
 */
export function emitFormat(backend: BackendDefinition, requested?: string): string {
  requireBackendStep(backend, 'emit');
  const formats = backend.emitFormats ?? [];
  if (requested === undefined) {
    if (formats[0] === undefined) throw new QuantforgeError('QF_TARGET_UNSUPPORTED', `backend ${backend.name} lists no emit format: name one`, { details: { backend: backend.name, step: 'emit' } });
    return formats[0];
  }
  if (formats.length > 0 && !formats.includes(requested)) {
    throw new QuantforgeError('QF_TARGET_UNSUPPORTED', `backend ${backend.name} cannot emit "${requested}" (formats: ${formats.join(', ')})`, {
      details: { backend: backend.name, step: 'emit', format: requested, formats: [...formats] },
    });
  }
  return requested;
}

/** What {@link verifyTarget} checks. */
export interface TargetVerifyInput {
  /** The emitted project. */
  dir: string;
  /** The samples and the simulator's outputs, from {@link evaluateTarget} with `record`. */
  recorded: RecordedSamples;
  /** Count executed instructions of one inference where the backend can (default true). */
  instructions?: boolean;
  timeoutMs?: number;
}

/**
 * The backend's `verify` on an emitted project: it builds and runs it on each platform it knows and compares the
 * outputs with the simulator's bit for bit (Cortex-M: the host and, with the Arm toolchain, QEMU, where it also
 * counts instructions per layer). The verdicts become the report's `target.verify` (`samples`, then one key per
 * platform). `QF_TARGET_UNSUPPORTED` when the backend has no `verify`.
 *
 * @example
 * ```ts
 * const { verify, instructions } = await verifyTarget(result, { dir, recorded });
 * verify.host; // { samples: 200, identical: true, mismatches: 0, ... }
 * ```
 */
export async function verifyTarget(result: QuantizeResult, input: TargetVerifyInput): Promise<{ verify: NonNullable<TargetReport['verify']>; instructions?: TargetReport['instructions'] }> {
  const verify = requireBackendStep(targetBackend(result), 'verify');
  const v = await verify(input.dir, input.recorded, {
    ...(input.instructions === undefined ? {} : { instructions: input.instructions }),
    ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
  });
  const report = { samples: v.samples, ...v.runs } as NonNullable<TargetReport['verify']>;
  return v.instructions === undefined ? { verify: report } : { verify: report, instructions: v.instructions };
}
