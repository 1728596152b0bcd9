import { QuantforgeError } from '../errors/error.js';
import type { Model } from '../ir/graph.js';
import type { TargetProvider } from '../plugins/types.js';
import type { QuantizedTensor } from '../quant/encoding.js';
import type { QuantPlan } from '../quant/plan.js';
import type { TargetReport, TargetVerifyRun } from '../pipeline/report.js';
import type { CheckOptions, NodeDiagnostic } from './diagnostics.js';
import type { TargetProfile } from './profile.js';
import type { Program } from './program.js';
import { validateProfile } from './validate-profile.js';

/** What `lower` is given: the prepared model, the constrained plan, every tensor's encoding, and `check`'s verdicts. */
export interface LowerInput {
  model: Model;
  plan: QuantPlan;
  encodings: Readonly<Record<string, QuantizedTensor>>;
  profile: TargetProfile;
  diagnostics: readonly NodeDiagnostic[];
}

/** Integer inputs or outputs of one simulated sample, by ONNX value name, in the program's layout. */
export type IntegerFeed = Record<string, Int8Array | Int16Array>;

/** A file an emitter writes (path relative to the output folder, `/`-separated). */
export interface EmittedArtifact {
  path: string;
  contents: string | Uint8Array;
}

/** Options of {@link BackendDefinition.emit}: `format` is one of the backend's `emitFormats`; the rest is the backend's. */
export type EmitOptions = Record<string, unknown> & { format?: string };

/**
 * Float samples a simulated evaluation kept, packed as emitted runners read them: what `verify` compares against.
 */
export interface RecordedSamples {
  samples: number;
  /** Every sample's inputs back to back (program input order, ONNX layout, float32). */
  inputs: Float32Array;
  /** Every sample's dequantized simulator outputs back to back (program output order). */
  outputs: Float32Array;
  valuesPerSample: number;
}

/** One platform's verdict of {@link BackendDefinition.verify}: the comparison with the simulator, or why it was skipped. */
export type VerifyVerdict = TargetVerifyRun;

/** Options of {@link BackendDefinition.verify}. */
export interface VerifyStepOptions {
  /** Also count executed instructions of one inference where the backend can (default true). */
  instructions?: boolean;
  /** Timeout of every build or run process, in ms. */
  timeoutMs?: number;
}

/** What {@link BackendDefinition.verify} returns: one verdict per platform, plus instruction counts when taken. */
export interface BackendVerification {
  samples: number;
  /** Verdicts by platform name (the report's `target.verify` keys, e.g. `host` and `qemu` for Cortex-M). */
  runs: Record<string, VerifyVerdict>;
  instructions?: TargetReport['instructions'];
}

/**
 * A deployment backend: target profiles as data, and the steps a target takes part in. Core's pipeline calls the
 * required three; the optional ones are what the CLI (or any host) calls after a run, through this contract only.
 *
 * - `constrainPlan` runs at **plan** time: it forces the formats the kernels need (bits, granularity, symmetric
 *   weights), fixes encodings the kernels impose (softmax output) and ties tensors that must share an encoding. It
 *   returns a new plan; the input is not modified.
 * - `check` gives one diagnostic per node: the kernel it maps to, or a coded reason why not.
 * - `lower` builds the integer {@link Program} (parameters, layout, memory plan) from the quantized tensors.
 * - `simulate` runs a program bit-exactly (integer in, integer out, in the program's layout). It is all a backend
 *   provides for evaluation: core's `evaluateProgram` quantizes float feeds with the program inputs' scale and zero
 *   point into `Program.layout`, simulates, and dequantizes, so every backend is measured the same way.
 * - `emit` returns a program's artifacts (files) in one of `emitFormats`; the host writes them with core's
 *   `writeArtifacts` (atomic), so no backend writes files itself.
 * - `verify` builds and runs an emitted folder and compares it bit for bit with the recorded simulator outputs, one
 *   verdict per platform it knows (a missing tool is a `{ skipped }` verdict, not an error).
 *
 * A host asked for a step the backend lacks fails with `QF_TARGET_UNSUPPORTED` naming the backend and the step.
 * Capability checks (is a toolchain there, does a kernel library load) belong in `init`, `check` or `verify`, never
 * at import time, so listing targets never fails.
 */
export interface BackendDefinition {
  name: string;
  targets: Record<string, TargetProfile>;
  init?(profile: TargetProfile): void | Promise<void>;
  constrainPlan(plan: QuantPlan, model: Model, profile: TargetProfile): QuantPlan;
  check(model: Model, plan: QuantPlan, profile: TargetProfile, options?: CheckOptions): NodeDiagnostic[];
  lower(input: LowerInput): Program;
  simulate?(program: Program, samples: readonly IntegerFeed[]): Promise<IntegerFeed[]>;
  /** Formats `emit` takes as `options.format` (the first is the default), e.g. `['c']`. */
  emitFormats?: readonly string[];
  emit?(program: Program, options?: EmitOptions): EmittedArtifact[] | Promise<EmittedArtifact[]>;
  verify?(dir: string, recorded: RecordedSamples, options?: VerifyStepOptions): Promise<BackendVerification>;
  describe?(): string;
}

/** The optional steps of a backend a host may ask for. */
export type BackendStep = 'simulate' | 'emit' | 'verify';

/**
 * The backend's implementation of an optional step, or `QF_TARGET_UNSUPPORTED` naming the backend and the step.
 *
 * @example
 * ```ts
 * const emit = requireBackendStep(target.backend, 'emit');
 * const files = await emit(program, { format: 'c' });
 * ```
 */
export function requireBackendStep<S extends BackendStep>(backend: BackendDefinition, step: S): NonNullable<BackendDefinition[S]> {
  const fn = backend[step];
  if (typeof fn !== 'function') {
    throw new QuantforgeError('QF_TARGET_UNSUPPORTED', `backend ${backend.name} has no ${step} step`, {
      details: { backend: backend.name, step },
      hint: `Targets of the ${backend.name} backend cannot ${step === 'simulate' ? 'be simulated' : step === 'emit' ? 'be emitted' : 'verify emitted code'}; drop the option that asks for it.`,
    });
  }
  return fn.bind(backend) as NonNullable<BackendDefinition[S]>;
}

/**
 * A target as the plugin registry holds it: a provider named after the target, carrying its profile and the
 * backend that implements it.
 */
export interface BackendTarget extends TargetProvider {
  name: string;
  profile: TargetProfile;
  backend: BackendDefinition;
}

/**
 * Checks a backend definition (every profile valid and keyed by its name, belonging to this backend, the required
 * functions present) and returns it. Throws `QF_INVALID_ARGUMENT` listing the problems.
 *
 * @example
 * ```ts
 * export const toyBackend = defineBackend({
 *   name: 'toy', targets: { 'toy-mcu': toyProfile },
 *   constrainPlan: (plan) => plan, check: () => [], lower: (input) => lowerToy(input),
 * });
 * ```
 */
export function defineBackend<T extends BackendDefinition>(definition: T): T {
  const problems: string[] = [];
  if (typeof definition?.name !== 'string' || definition.name === '') problems.push('name must be a non-empty string');
  for (const fn of ['constrainPlan', 'check', 'lower'] as const) {
    if (typeof definition?.[fn] !== 'function') problems.push(`${fn} must be a function`);
  }
  for (const fn of ['init', 'simulate', 'emit', 'verify', 'describe'] as const) {
    if (definition?.[fn] !== undefined && typeof definition[fn] !== 'function') problems.push(`${fn} must be a function when given`);
  }
  const formats = definition?.emitFormats;
  if (formats !== undefined && (!Array.isArray(formats) || formats.length === 0 || formats.some((f) => typeof f !== 'string' || f === ''))) {
    problems.push('emitFormats must be a non-empty list of format names when given');
  }
  if (formats !== undefined && definition?.emit === undefined) problems.push('emitFormats is given but emit is not');
  const targets = definition?.targets ?? {};
  if (Object.keys(targets).length === 0) problems.push('targets must hold at least one profile');
  for (const [key, profile] of Object.entries(targets)) {
    for (const p of validateProfile(profile)) problems.push(`targets.${key}: ${p}`);
    if (profile?.name !== key) problems.push(`targets.${key} is keyed ${key} but names ${String(profile?.name)}`);
    if (profile?.backend !== definition?.name) problems.push(`targets.${key}.backend is ${String(profile?.backend)}, not ${String(definition?.name)}`);
  }
  if (problems.length > 0) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `invalid backend definition ${String(definition?.name)}: ${problems.join('; ')}`, {
      details: { backend: definition?.name, problems },
    });
  }
  return definition;
}

/**
 * The registry providers of a backend, one per target (for a plugin's `targets` field).
 *
 * @example
 * ```ts
 * const plugin = definePlugin({ name: 'toy', kind: 'backend', version: '1.0.0', hostApi: '^1.0.0', targets: targetProviders(toyBackend) });
 * ```
 */
export function targetProviders(backend: BackendDefinition): Record<string, BackendTarget> {
  const out: Record<string, BackendTarget> = {};
  for (const [name, profile] of Object.entries(backend.targets)) {
    out[name] = { name, profile, backend, describe: () => `${profile.cpu} (${backend.name} backend; example part ${profile.examplePart.name})` };
  }
  return out;
}

/**
 * True for a registry provider that is a backend target.
 *
 * @example
 * ```ts
 * const t = findTarget('cortex-m4')?.provider;
 * if (isBackendTarget(t)) console.log(t.profile.examplePart.ramBytes);
 * ```
 */
export function isBackendTarget(value: unknown): value is BackendTarget {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<BackendTarget>;
  return typeof v.name === 'string' && typeof v.profile === 'object' && v.profile !== null && typeof v.backend?.check === 'function';
}
