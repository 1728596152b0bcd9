import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { QuantforgeError, type Program } from '@quantforge/core';
import { cAsset, COMMON_C_FILES } from './c-assets.js';
import { BOARDS, makefile } from './makefile.js';
import { configHeader, kernelFiles, layersJson, modelHeader, modelSource } from './model-c.js';
import { readme } from './readme.js';
import { weightFiles } from './weights-c.js';

/** Options of {@link emitC}. */
export interface EmitCOptions {
  /** Requantization build of the C kernels; default the program's (`'double'`, TFLM's default). */
  rounding?: 'double' | 'single';
  /** Default `CPU` of the Makefile's `qemu` target; default the program's target when it is a known CPU, else `cortex-m4`. */
  cpu?: string;
  /** Constants of at least this many bytes go to `.incbin` blobs instead of C arrays (default 4096). */
  incbinBytes?: number;
}

/** A C project: relative path → file contents (text or bytes). */
export type CProjectFiles = Record<string, string | Uint8Array>;

function options(program: Program, o: EmitCOptions): Required<EmitCOptions> {
  const rounding = o.rounding ?? program.rounding;
  if (rounding !== 'double' && rounding !== 'single') {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `rounding must be "double" or "single" (got ${JSON.stringify(rounding)})`, { details: { rounding } });
  }
  const cpu = o.cpu ?? (BOARDS[program.target] !== undefined ? program.target : 'cortex-m4');
  if (BOARDS[cpu] === undefined) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `cpu ${JSON.stringify(cpu)} has no QEMU board in the Makefile`, { details: { cpu, known: Object.keys(BOARDS) } });
  }
  const incbinBytes = o.incbinBytes ?? 4096;
  if (!Number.isInteger(incbinBytes) || incbinBytes < 1) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `incbinBytes must be a positive integer (got ${incbinBytes})`, { details: { incbinBytes } });
  }
  return { rounding, cpu, incbinBytes };
}

/**
 * Emits a self-contained C99 project for a lowered Cortex-M program: `model.c` / `model.h` (arena, parameters,
 * `model_run()`, I/O quantization parameters), the constants (C arrays, or `.incbin` blobs when large), the portable
 * int8 kernels the program uses, a file-driven `runner`, a `Makefile` (`host`, `qemu`, `qemu-run`, `size`) and a
 * README. Pure: nothing is written; the same program and options give byte-identical files.
 *
 * @example
 * ```ts
 * const files = emitC(program, { rounding: 'double' });
 * Object.keys(files); // ['Makefile', 'README.md', 'model.c', 'model.h', ..., 'runner.c']
 * ```
 */
export function emitC(program: Program, emitOptions: EmitCOptions = {}): CProjectFiles {
  if (program?.version !== 1 || !Array.isArray(program.ops) || !Array.isArray(program.tensors)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', 'emitC needs a lowered program (version 1)', { details: { version: program?.version } });
  }
  if (program.layout !== 'NHWC') {
    throw new QuantforgeError('QF_TARGET_CONSTRAINT', `the C kernels are NHWC; the program is ${program.layout}`, { details: { layout: program.layout } });
  }
  const o = options(program, emitOptions);
  const kernels = kernelFiles(program);
  const weights = weightFiles(program, o.incbinBytes);
  const blobs = 'model_blobs.S' in weights;
  const files: CProjectFiles = {
    Makefile: makefile({ cpu: o.cpu, kernels, blobs, target: program.target }),
    'README.md': readme(program, { cpu: o.cpu, rounding: o.rounding, blobs }),
    'qf_config.h': configHeader(o.rounding),
    'model.h': modelHeader(program),
    'model.c': modelSource(program, o.rounding),
    'layers.json': layersJson(program),
    ...weights,
  };
  for (const name of [...COMMON_C_FILES, ...kernels]) files[name] = cAsset(name);
  const sorted: CProjectFiles = {};
  for (const k of Object.keys(files).sort()) sorted[k] = files[k]!;
  return sorted;
}

/**
 * Writes {@link emitC}'s project to `dir` atomically: everything goes to a temporary sibling folder first, which then
 * replaces `dir` (an existing `dir` is removed only after the new project is complete). Returns the absolute path.
 *
 * @example
 * ```ts
 * writeCProject(program, 'out/fashion-m4');
 * // then: make -C out/fashion-m4 host qemu
 * ```
 */
export function writeCProject(program: Program, dir: string, emitOptions: EmitCOptions = {}): string {
  const files = emitC(program, emitOptions);
  const target = resolve(dir);
  const parent = dirname(target);
  let tmp: string | undefined;
  try {
    mkdirSync(parent, { recursive: true });
    tmp = mkdtempSync(join(parent, `.${basename(target)}.tmp-`));
    for (const [path, content] of Object.entries(files)) {
      const full = join(tmp, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
    if (existsSync(target)) {
      const old = `${tmp}.old`;
      renameSync(target, old);
      renameSync(tmp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, target);
    }
    tmp = undefined;
    return target;
  } catch (cause) {
    throw new QuantforgeError('QF_IO', `cannot write the C project to ${target}: ${(cause as Error).message}`, { details: { dir: target }, cause });
  } finally {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }
}
