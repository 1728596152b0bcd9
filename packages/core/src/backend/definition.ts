import { QuantforgeError } from '../errors/error.js';
import type { Model } from '../ir/graph.js';
import type { TargetProvider } from '../plugins/types.js';
import type { QuantizedTensor } from '../quant/encoding.js';
import type { QuantPlan } from '../quant/plan.js';
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

/** A file an emitter writes (path relative to the output folder). */
export interface EmittedArtifact {
  path: string;
  contents: string | Uint8Array;
}

/**
 * A deployment backend: target profiles as data, and the four steps a target takes part in.
 *
 * - `constrainPlan` runs at **plan** time: it forces the formats the kernels need (bits, granularity, symmetric
 *   weights), fixes encodings the kernels impose (softmax output) and ties tensors that must share an encoding. It
 *   returns a new plan; the input is not modified.
 * - `check` gives one diagnostic per node: the kernel it maps to, or a coded reason why not.
 * - `lower` builds the integer {@link Program} (parameters, layout, memory plan) from the quantized tensors.
 * - `simulate` runs a program bit-exactly (integer in, integer out); `emit` writes target artifacts.
 *
 * Capability checks (is a toolchain there, does a kernel library load) belong in `init` or `check`, never at import
 * time, so listing targets never fails.
 */
export interface BackendDefinition {
  name: string;
  targets: Record<string, TargetProfile>;
  init?(profile: TargetProfile): void | Promise<void>;
  constrainPlan(plan: QuantPlan, model: Model, profile: TargetProfile): QuantPlan;
  check(model: Model, plan: QuantPlan, profile: TargetProfile, options?: CheckOptions): NodeDiagnostic[];
  lower(input: LowerInput): Program;
  simulate?(program: Program, samples: readonly IntegerFeed[]): Promise<IntegerFeed[]>;
  emit?(program: Program, options?: Record<string, unknown>): EmittedArtifact[] | Promise<EmittedArtifact[]>;
  describe?(): string;
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
