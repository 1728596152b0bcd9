import { QuantforgeError } from '../errors/error.js';
import type { Model } from '../ir/graph.js';
import type { QuantforgePlugin } from '../plugins/types.js';
import type { QuantizedTensor } from '../quant/encoding.js';
import { validatePlan, type QuantPlan } from '../quant/plan.js';
import { isBackendTarget, type BackendTarget } from './definition.js';
import type { NodeDiagnostic } from './diagnostics.js';
import type { Program } from './program.js';

/** Options of `pipeline.target(...)`. */
export interface TargetOptions {
  /** Which target of a backend plugin that provides several (e.g. `'cortex-m4'`). */
  target?: string;
  /** Nodes the target cannot run become CPU-float `fallback` diagnostics instead of failing the run. */
  allowFallback?: boolean;
  /** Build the backend's program after quantization (default true; skipped when any node falls back). */
  lower?: boolean;
}

/** A target chosen for a pipeline, with its options. */
export interface ActiveTarget {
  target: BackendTarget;
  plugin?: QuantforgePlugin;
  options: TargetOptions;
}

/** What a run reports about its target: the diagnostics per node and, when lowered, the program. */
export interface TargetOutcome {
  name: string;
  backend: string;
  diagnostics: NodeDiagnostic[];
  program?: Program;
  /**
   * The target the run used (profile and backend definition): what hosts call the backend's optional steps through
   * (`simulate`, `emit`, `verify`). Always set by the pipeline; not part of the result's JSON.
   */
  target?: BackendTarget;
}

function isPlugin(v: unknown): v is QuantforgePlugin {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { name?: unknown }).name === 'string' && 'kind' in v;
}

/**
 * True for what `pipeline.use` hands to the target instead of the schemes: a backend target, a backend plugin, or
 * `[backendPlugin, TargetOptions]`.
 *
 * @example
 * ```ts
 * isTargetUsable(cortexMPlugin.targets['cortex-m4']); // true
 * ```
 */
export function isTargetUsable(item: unknown): boolean {
  if (isBackendTarget(item)) return true;
  if (isPlugin(item)) return item.kind === 'backend';
  return Array.isArray(item) && item.length === 2 && isPlugin(item[0]) && item[0].kind === 'backend';
}

/**
 * Resolves a target, a backend plugin (its only target, or `options.target`) or `[plugin, options]` to the target a
 * pipeline uses. Throws `QF_INVALID_ARGUMENT` when the target is ambiguous or unknown.
 *
 * @example
 * ```ts
 * resolveTarget(cortexMPlugin, { target: 'cortex-m4' }).target.profile.name; // 'cortex-m4'
 * ```
 */
export function resolveTarget(item: unknown, options: TargetOptions = {}): ActiveTarget {
  if (Array.isArray(item) && item.length === 2 && isPlugin(item[0])) return resolveTarget(item[0], { ...(item[1] as TargetOptions), ...options });
  if (isBackendTarget(item)) return { target: item, options: { ...options } };
  if (!isPlugin(item) || item.kind !== 'backend') {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', 'pipeline.target takes a backend target or a backend plugin', { details: { type: typeof item } });
  }
  const names = Object.keys(item.targets ?? {});
  const name = options.target ?? (names.length === 1 ? names[0] : undefined);
  const t = name === undefined ? undefined : item.targets?.[name];
  if (!isBackendTarget(t)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', name === undefined
      ? `backend plugin "${item.name}" provides ${names.length} targets (${names.join(', ')}); say which one with { target }`
      : `backend plugin "${item.name}" has no target "${name}" (it provides ${names.join(', ') || 'none'})`, {
      details: { plugin: item.name, targets: names, target: name },
      hint: `pipeline.target(plugin, { target: "${names[0] ?? '<name>'}" })`,
    });
  }
  return { target: t, plugin: item, options: { ...options } };
}

/**
 * Plan-time step of a target: the backend shapes the plan (`constrainPlan`), then checks every node. Errors (without
 * `allowFallback`) fail with the first error's code and every diagnostic in `details`.
 *
 * @example
 * ```ts
 * const { plan: shaped, diagnostics } = await planForTarget(plan, model, active);
 * ```
 */
export async function planForTarget(plan: QuantPlan, model: Model, active: ActiveTarget): Promise<{ plan: QuantPlan; diagnostics: NodeDiagnostic[] }> {
  const { backend, profile } = active.target;
  await backend.init?.(profile);
  const shaped = validatePlan(backend.constrainPlan(plan, model, profile));
  const diagnostics = backend.check(model, shaped, profile, { allowFallback: active.options.allowFallback === true });
  const errors = diagnostics.filter((d) => d.status === 'error');
  if (errors.length > 0) {
    throw new QuantforgeError(errors[0]!.code ?? 'QF_TARGET_UNSUPPORTED', `${errors.length} node(s) cannot run on ${profile.name}: ${errors.slice(0, 3).map((d) => `${d.node} (${d.opType}): ${d.reason ?? 'unsupported'}`).join('; ')}${errors.length > 3 ? '; …' : ''}`, {
      details: { target: profile.name, diagnostics },
      hint: 'Change the model or recipe, pick another target, or pass { allowFallback: true } to pipeline.target to report CPU-float fallbacks.',
    });
  }
  return { plan: shaped, diagnostics };
}

/**
 * Lower-time step: builds the backend's program from the quantized tensors, unless lowering is off or some node
 * falls back to float (then a warning says so).
 *
 * @example
 * ```ts
 * const outcome = lowerForTarget(active, { model, plan, encodings, diagnostics }, warnings);
 * outcome.program?.memory.arenaBytes;
 * ```
 */
export function lowerForTarget(
  active: ActiveTarget,
  input: { model: Model; plan: QuantPlan; encodings: Readonly<Record<string, QuantizedTensor>>; diagnostics: NodeDiagnostic[] },
  warnings: string[],
): TargetOutcome {
  const { backend, profile } = active.target;
  const outcome: TargetOutcome = { name: profile.name, backend: backend.name, diagnostics: input.diagnostics, target: active.target };
  const fallbacks = input.diagnostics.filter((d) => d.status === 'fallback');
  if (fallbacks.length > 0) warnings.push(`${fallbacks.length} node(s) fall back to float on ${profile.name} (${fallbacks.slice(0, 3).map((d) => d.node).join(', ')}); no program was lowered`);
  if (active.options.lower === false || fallbacks.length > 0) return outcome;
  outcome.program = backend.lower({ ...input, profile });
  return outcome;
}
