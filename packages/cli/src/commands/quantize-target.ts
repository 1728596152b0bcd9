import { performance } from 'node:perf_hooks';
import { QuantforgeError, type BackendTarget, type QuantizeResult, type TargetReport } from '@quantforge/core';
import type { ImageRecipe } from '@quantforge/runtime';
import type { Pipeline } from '../api/pipeline.js';
import { usageError } from '../args.js';
import { flagOption, stringOption, type CommandContext, type OptionSpec } from '../command.js';
import { positiveIntOption } from './quantize.js';
import { listTargets } from './targets.js';

/** Samples `--verify` compares unless `--verify-samples` says otherwise. */
const VERIFY_SAMPLES = 200;

/** The deployment flags of `quantize`. */
export const TARGET_OPTIONS: Record<string, OptionSpec> = {
  target: { type: 'string', valueName: 'NAME', description: 'Deployment target (see "quantforge targets"), e.g. cortex-m4: the backend shapes the plan, maps every node to a kernel and lowers an integer program; the report gets a target section (mapping, flash, peak RAM and, with --eval, the simulated program\'s accuracy).' },
  'allow-fallback': { type: 'boolean', description: 'With --target: report nodes the target cannot run as CPU-float fallbacks instead of failing. No program is lowered then, so --emit fails.' },
  emit: { type: 'string', valueName: 'FORMAT', description: 'With --target: emit the program in a format of the target\'s backend to --out; for cortex-m, "c" writes a C99 project (Makefile: host, qemu, run-host, qemu-run, size). -o is then optional.' },
  out: { type: 'string', valueName: 'DIR', description: 'Folder of the emitted project: new or empty (written atomically: a temporary sibling renamed into place).' },
  force: { type: 'boolean', description: 'Replace a non-empty --out folder (only once the new project is complete).' },
  verify: { type: 'boolean', description: 'With --emit and --eval: the backend builds and runs the emitted project on each platform it knows and compares the first --verify-samples eval samples with the simulator bit for bit (a difference exits 2 with QF_TARGET_MISMATCH, after the report is written). For cortex-m: the host and, with arm-none-eabi-gcc + picolibc + qemu-system-arm, QEMU, where it also counts instructions per inference and per layer.' },
  'verify-samples': { type: 'string', valueName: 'N', description: `Eval samples --verify compares (default ${VERIFY_SAMPLES}).` },
};

/** What the deployment flags ask for, checked before the run. */
export interface TargetRequest {
  target: BackendTarget;
  allowFallback: boolean;
  emit?: { format: string; dir: string; force: boolean };
  verify?: { samples: number };
}

/** Held-out data of the run, reused to run the simulated program. */
export interface TargetEvalSpec {
  modelPath: string;
  data: string;
  labels?: string;
  samples?: number;
  image?: ImageRecipe;
  seed: number;
}

function needs(ctx: CommandContext, flag: string, other: string, present: boolean): void {
  if (ctx.options[flag] !== undefined && ctx.options[flag] !== false && !present) throw usageError(`--${flag} needs ${other}`, 'quantize', { flag: `--${flag}` });
}

/**
 * Reads and checks the deployment flags before anything runs: flag combinations (usage errors), the target name
 * (unknown → a usage error listing `quantforge targets`), the `--out` folder (`QF_IO` when it is a file or not empty
 * without `--force`). Undefined without `--target`.
 */
export async function targetRequest(ctx: CommandContext, hasEval: boolean): Promise<TargetRequest | undefined> {
  const o = ctx.options;
  const name = stringOption(o, 'target');
  const emit = stringOption(o, 'emit');
  const out = stringOption(o, 'out');
  needs(ctx, 'emit', '--target NAME', name !== undefined);
  needs(ctx, 'allow-fallback', '--target NAME', name !== undefined);
  needs(ctx, 'out', '--emit c', emit !== undefined);
  needs(ctx, 'force', '--emit c --out DIR', emit !== undefined);
  needs(ctx, 'verify', '--emit c (it builds the emitted project)', emit !== undefined);
  needs(ctx, 'verify', '--eval PATH (the samples to compare)', hasEval);
  needs(ctx, 'verify-samples', '--verify', flagOption(o, 'verify'));
  if (name === undefined) return undefined;
  if (emit !== undefined && out === undefined) throw usageError(`--emit ${emit} needs --out DIR (the project folder)`, 'quantize', { flag: '--out' });
  const known = await listTargets();
  if (!known.some((t) => t.name === name)) {
    throw usageError(`unknown target "${name}" (known: ${known.map((t) => t.name).join(', ')}; see "quantforge targets")`, 'quantize', { target: name, targets: known.map((t) => t.name) });
  }
  const { findTarget, isBackendTarget, requireBackendStep } = await import('@quantforge/core');
  const provider = findTarget(name)?.provider;
  if (!isBackendTarget(provider)) throw new QuantforgeError('QF_PLUGIN_UNKNOWN', `target "${name}" is not a backend target`, { details: { target: name } });
  const backend = provider.backend;
  const req: TargetRequest = { target: provider, allowFallback: flagOption(o, 'allow-fallback') };
  // Every step the flags ask for is checked against the backend now, before hours of calibration.
  if (emit !== undefined && out !== undefined) {
    requireBackendStep(backend, 'emit');
    const formats = backend.emitFormats ?? [];
    if (formats.length > 0 && !formats.includes(emit)) {
      throw usageError(`--emit must be ${formats.map((f) => `"${f}"`).join(' or ')} for the ${backend.name} backend, got "${emit}"`, 'quantize', { flag: '--emit', value: emit, formats: [...formats] });
    }
    req.emit = { format: emit, dir: ctx.path(out), force: flagOption(o, 'force') };
    const { checkEmitDir } = await import('../api/target.js');
    await checkEmitDir(req.emit.dir, { force: req.emit.force });
  }
  if (flagOption(o, 'verify')) {
    requireBackendStep(backend, 'simulate');
    requireBackendStep(backend, 'verify');
    req.verify = { samples: positiveIntOption(o, 'verify-samples', 'quantize') ?? VERIFY_SAMPLES };
  }
  return req;
}

/** Sets the target on the pipeline. */
export function applyTarget(pipeline: Pipeline, req: TargetRequest): void {
  pipeline.target(req.target, { allowFallback: req.allowFallback });
}

/**
 * After the run, before anything is written: the simulated program on the eval data, the emitted project and its
 * verification, all into `result.report.target`. Returns the mismatch error to throw once the report is written.
 */
export async function finishTarget(ctx: CommandContext, result: QuantizeResult, req: TargetRequest, ev: TargetEvalSpec | undefined): Promise<QuantforgeError | undefined> {
  const api = await import('../api/target.js');
  const t = result.report.target;
  if (t === undefined) return undefined;
  // Fails before any file is written when fallbacks left no program to emit.
  if (req.emit !== undefined) api.requireProgram(result);
  let recorded;
  const timings: NonNullable<typeof t.timingsMs> = {};
  let t0 = performance.now();
  const simulates = typeof req.target.backend.simulate === 'function';
  if (ev !== undefined && result.target?.program !== undefined && simulates) {
    const progress = ctx.progress();
    const r = await api.evaluateTarget(result, ev.modelPath, ev.data, {
      cwd: ctx.io.cwd, seed: ev.seed, record: req.verify?.samples ?? 0, onProgress: (e) => progress.listener({ ...e, stage: 'simulate' }),
      ...(ev.labels === undefined ? {} : { labels: ctx.path(ev.labels) }), ...(ev.samples === undefined ? {} : { samples: ev.samples }),
      ...(ev.image === undefined ? {} : { image: ev.image }),
    });
    progress.done();
    t.evaluation = r.evaluation;
    recorded = r.recorded;
    timings.simulate = performance.now() - t0;
  } else if (ev !== undefined && !simulates) {
    result.report.warnings.push(`the ${req.target.backend.name} backend has no simulator: the simulated evaluation of ${t.name} was skipped`);
  } else if (ev !== undefined) {
    result.report.warnings.push(`no program was lowered for ${t.name}: the simulated evaluation was skipped`);
  }
  if (req.emit !== undefined) {
    t0 = performance.now();
    t.emit = await api.emitTarget(result, req.emit.dir, { format: req.emit.format, force: req.emit.force });
    timings.emit = performance.now() - t0;
  }
  if (req.verify !== undefined && t.emit !== undefined && recorded !== undefined) {
    t0 = performance.now();
    const v = await api.verifyTarget(result, { dir: t.emit.dir, recorded });
    timings.verify = performance.now() - t0;
    t.verify = v.verify;
    if (v.instructions !== undefined) t.instructions = v.instructions;
  }
  if (Object.keys(timings).length > 0) t.timingsMs = timings;
  return t.verify === undefined ? undefined : mismatchError(t.verify, t.emit?.dir ?? '', t.emit?.format);
}

/**
 * `QF_TARGET_MISMATCH` naming the platforms whose outputs differ from the simulator, or undefined when none does.
 * Every key of `verify` but `samples` is a platform's verdict (cortex-m: `host`, `qemu`).
 */
export function mismatchError(verify: NonNullable<TargetReport['verify']>, dir: string, format = 'c'): QuantforgeError | undefined {
  const bad: string[] = [];
  for (const [p, x] of Object.entries(verify)) {
    if (typeof x !== 'object' || x === null) continue;
    if ('identical' in x && !x.identical) bad.push(`${p} (${x.mismatches} of ${x.samples} samples, first: ${x.firstMismatch ?? 'the file length'})`);
  }
  if (bad.length === 0) return undefined;
  return new QuantforgeError('QF_TARGET_MISMATCH', `the emitted ${format.toUpperCase()} program in ${dir} differs from the simulator on ${bad.join(' and ')}`, {
    details: { verify, dir }, hint: 'A bug of the backend or its C kernels: the report has the verdicts. Please report it with the model.',
  });
}
