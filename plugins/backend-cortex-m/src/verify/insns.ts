import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QuantforgeError } from '@quantforge/core';
import { BOARDS } from '../emit/makefile.js';
import { runProcess } from './process.js';
import { probeToolchain, TOOLCHAIN_PACKAGES } from './toolchain.js';

/** Executed instructions of one op of `model_run`, marker overhead excluded. */
export interface LayerInstructions {
  /** Position of the op in the program (`program.ops[index]`). */
  index: number;
  /** The op's graph node (the first node of a fused group). */
  node: string;
  /** The op's target op, e.g. `conv2d`. */
  op: string;
  insns: number;
}

/** What {@link countInstructions} measured. */
export interface InstructionCounts {
  cpu: string;
  /** Samples in the input file; the runner ran `model_run` once per sample. */
  samples: number;
  /** Every executed guest instruction of the run: start-up, file I/O through semihosting, all inferences, exit. */
  total: number;
  /**
   * Per sample: the instructions of `model_run` from its first layer mark to its last (the prologue and epilogue of
   * `model_run`, a handful of instructions, are outside). Includes the {@link markerInsns} the marks themselves cost.
   */
  perInference: number[];
  /** Per op of the first inference; `sum(insns) + markerInsns === perInference[0]`. */
  perLayer: LayerInstructions[];
  /** Instructions the layer marks add to one entry of `perInference`: 2 per op (`bl` + `bx lr`). */
  markerInsns: number;
}

/** Options of {@link countInstructions}. */
export interface CountInstructionsOptions {
  /** A float32 file of N samples, as `make qemu-run` takes it (no commas in the path: QEMU option syntax). */
  input: string;
  /** A CPU of the project's Makefile; default the Makefile's `CPU`. */
  cpu?: string;
  /** Bound on the whole build and run (default 300 000 ms); the process group is killed after it. */
  timeoutMs?: number;
  /** Where to keep the runner's dequantized outputs (default: a temporary file, removed). */
  output?: string;
}

interface LayersFile {
  marker: string;
  markerInsns: number;
  sampleFloats: number;
  layers: { index: number; node: string; op: string }[];
}

function toolchain(message: string, details: Record<string, unknown>, hint?: string): QuantforgeError {
  return new QuantforgeError('QF_TOOLCHAIN', message, { details, hint });
}

async function readLayers(projectDir: string): Promise<LayersFile> {
  let text: string;
  try {
    text = await readFile(join(projectDir, 'layers.json'), 'utf8');
  } catch (cause) {
    throw new QuantforgeError('QF_IO', `cannot read ${join(projectDir, 'layers.json')}: ${(cause as Error).message}`, {
      details: { projectDir }, cause, hint: 'Point at a project written by writeCProject; projects emitted before layer marks existed must be emitted again.',
    });
  }
  const l = JSON.parse(text) as Partial<LayersFile>;
  if (typeof l.marker !== 'string' || !Number.isInteger(l.markerInsns) || !Number.isInteger(l.sampleFloats) || !Array.isArray(l.layers)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `${join(projectDir, 'layers.json')} is not a Quantforge layer table`, { details: { projectDir } });
  }
  return l as LayersFile;
}

/** The plugin's output: the total and the running total at every marker call. */
function parseInsns(text: string): { total: number; at: number[]; warnings: string[] } {
  let total = Number.NaN;
  const at: number[] = [];
  const warnings: string[] = [];
  for (const line of text.split('\n')) {
    const [key, value] = line.split(' ', 2);
    if (key === 'insns') total = Number(value);
    else if (key === 'at') at.push(Number(value));
    else if (key === 'warning') warnings.push(line.slice(8));
  }
  return { total, at, warnings };
}

function tail(s: string): string {
  return s.length > 4000 ? `...${s.slice(-4000)}` : s;
}

/**
 * Counts executed Cortex-M instructions of an emitted C project (from {@link writeCProject}) on QEMU: runs
 * `make qemu-count`, which builds the ELF and the project's TCG plugin (`tools/qf_insncount.c`, host compiler) and
 * runs every sample of `input` through `model_run`. Per-layer counts come from the marks `model_run` makes before each
 * op and after the last (ARM builds only); `layers.json` names the ops. Counts are deterministic: the same project and
 * input give the same numbers. Throws `QF_TOOLCHAIN` when make, cc, arm-none-eabi-gcc, picolibc or qemu-system-arm is missing,
 * when the build or run fails, or when it exceeds `timeoutMs`.
 *
 * @example
 * ```ts
 * const dir = writeCProject(program, 'out/fashion-m4');
 * writeFileSync('out/fashion-m4/in.f32', images);            // float32, N samples
 * const c = await countInstructions(dir, { input: 'out/fashion-m4/in.f32', cpu: 'cortex-m4' });
 * c.perInference[0];                                        // instructions of one model_run
 * c.perLayer.map((l) => `${l.node} ${l.op} ${l.insns}`);    // where they go
 * ```
 */
export async function countInstructions(projectDir: string, options: CountInstructionsOptions): Promise<InstructionCounts> {
  const dir = resolve(projectDir);
  const timeoutMs = options.timeoutMs ?? 300_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `timeoutMs must be a positive number (got ${timeoutMs})`, { details: { timeoutMs } });
  }
  if (options.cpu !== undefined && BOARDS[options.cpu] === undefined) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `cpu ${JSON.stringify(options.cpu)} has no QEMU board in the Makefile`, { details: { cpu: options.cpu, known: Object.keys(BOARDS) } });
  }
  const layers = await readLayers(dir);
  let makefile: string;
  try {
    makefile = await readFile(join(dir, 'Makefile'), 'utf8');
  } catch (cause) {
    throw new QuantforgeError('QF_IO', `cannot read ${join(dir, 'Makefile')}`, { details: { projectDir: dir }, cause });
  }
  const cpu = options.cpu ?? /^CPU \?= (\S+)$/m.exec(makefile)?.[1] ?? 'cortex-m4';
  const input = resolve(options.input);
  const output = options.output === undefined ? undefined : resolve(options.output);
  for (const p of [input, output]) {
    if (p?.includes(',')) throw new QuantforgeError('QF_INVALID_ARGUMENT', `QEMU cannot take a path with a comma: ${p}`, { details: { path: p } });
  }
  let bytes: number;
  try {
    bytes = (await stat(input)).size;
  } catch (cause) {
    throw new QuantforgeError('QF_IO', `cannot read the input ${input}`, { details: { input }, cause });
  }
  const sampleBytes = 4 * layers.sampleFloats;
  if (bytes === 0 || bytes % sampleBytes !== 0) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `${input} has ${bytes} bytes, not a whole number of ${sampleBytes}-byte samples`, { details: { input, bytes, sampleBytes } });
  }
  const samples = bytes / sampleBytes;

  const tc = await probeToolchain();
  if (!tc.qemu) {
    throw toolchain(`instruction counting needs ${tc.missing.join(', ')}`, { missing: tc.missing }, `Install ${TOOLCHAIN_PACKAGES} (Debian 12: QEMU 7.2).`);
  }
  const tmp = await mkdtemp(join(tmpdir(), 'qf-insns-'));
  try {
    const insnsPath = join(tmp, 'insns.txt');
    const args = ['qemu-count', `CPU=${cpu}`, `IN=${input}`, `OUT=${output ?? join(tmp, 'out.f32')}`, `INSNS=${insnsPath}`,
      `QEMU_TIMEOUT=${Math.max(1, Math.ceil(timeoutMs / 1000))}`];
    const r = await runProcess('make', args, { cwd: dir, timeoutMs });
    if (r.timedOut || r.status !== 0) {
      const what = r.timedOut ? `timed out after ${timeoutMs} ms` : `failed (status ${r.status}, signal ${r.signal})`;
      throw toolchain(`make qemu-count ${what} in ${dir}`, { projectDir: dir, cpu, status: r.status, signal: r.signal, stdout: tail(r.stdout), stderr: tail(r.stderr) });
    }
    let text: string;
    try {
      text = await readFile(insnsPath, 'utf8');
    } catch {
      throw toolchain(`the instruction-count plugin wrote no ${insnsPath}`, { projectDir: dir, stderr: tail(r.stderr) });
    }
    return summarize(parseInsns(text), layers, { cpu, samples, dir });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function summarize(counts: ReturnType<typeof parseInsns>, layers: LayersFile, run: { cpu: string; samples: number; dir: string }): InstructionCounts {
  const perRun = layers.layers.length + 1;
  if (counts.warnings.length > 0 || !Number.isSafeInteger(counts.total) || counts.at.length !== run.samples * perRun) {
    throw toolchain(`the plugin saw ${counts.at.length} layer marks, expected ${run.samples * perRun} (${run.samples} samples × ${perRun})`, {
      projectDir: run.dir, marks: counts.at.length, warnings: counts.warnings,
    }, 'Build the ARM objects with LAYER_MARKS=-DQF_LAYER_MARKS (the Makefile default) after a make clean.');
  }
  const perInference = Array.from({ length: run.samples }, (_, k) => counts.at[k * perRun + perRun - 1]! - counts.at[k * perRun]!);
  const perLayer = layers.layers.map((l, i) => ({
    index: l.index, node: l.node, op: l.op, insns: counts.at[i + 1]! - counts.at[i]! - layers.markerInsns,
  }));
  return { cpu: run.cpu, samples: run.samples, total: counts.total, perInference, perLayer, markerInsns: layers.markerInsns * layers.layers.length };
}
