import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { QuantforgeError, type Model, type Tensor } from '@quantforge/core';
import { usageError } from '../args.js';
import { stringOption, stringsOption, type CommandSpec } from '../command.js';
import { requireFile, sanitizeFileName } from '../files.js';
import { domainName, feedInputs } from '../model-summary.js';
import { encodeTensorFile, readTensorFile, type TensorFormat } from '../tensor-files.js';

/** Refuses, before any work, a model the reference executor cannot run, naming every missing op. */
export async function assertRunnable(model: Model): Promise<void> {
  const { unsupportedOps } = await import('@quantforge/runtime');
  const missing = unsupportedOps(model);
  if (missing.length === 0) return;
  const list = missing.map((u) => `${domainName(u.domain) === 'ai.onnx' ? '' : `${u.domain}:`}${u.opType} (${u.nodes.length} node${u.nodes.length === 1 ? '' : 's'})`);
  throw new QuantforgeError('QF_OP_UNSUPPORTED', `the reference executor does not support ${list.join(', ')}`, {
    details: { ops: missing.map((u) => ({ opType: u.opType, domain: domainName(u.domain), count: u.nodes.length })) },
    hint: 'these operators have no reference kernel yet; "quantforge inspect <model>" lists them',
  });
}

interface InputSpec {
  name: string | undefined;
  file: string;
}

function parseInputSpecs(raw: string[]): InputSpec[] {
  return raw.map((s) => {
    const eq = s.indexOf('=');
    if (eq === 0) throw usageError(`--input "${s}" has an empty name; write --input NAME=FILE`, 'run', { input: s });
    if (eq < 0) return { name: undefined, file: s };
    const file = s.slice(eq + 1);
    if (file === '') throw usageError(`--input "${s}" has no file; write --input NAME=FILE`, 'run', { input: s });
    return { name: s.slice(0, eq), file };
  });
}

function inputError(message: string, model: Model, details: Record<string, unknown>): QuantforgeError {
  const names = model.graph.inputs.map((v) => v.name);
  return new QuantforgeError('QF_RUNTIME_INPUT', message, {
    details: { ...details, modelInputs: names },
    hint: `the model inputs are: ${names.join(', ') || '(none)'}; pass each as --input NAME=FILE`,
  });
}

/** Reads the feeds: checks names against the graph inputs first, so a typo fails before any file is read. */
async function readFeeds(model: Model, specs: InputSpec[], resolvePath: (p: string) => string): Promise<Record<string, Tensor>> {
  const allowed = new Set(model.graph.inputs.map((v) => v.name));
  const required = feedInputs(model).map((v) => v.name);
  const feeds: Record<string, Tensor> = {};
  const seen = new Set<string>();
  for (const spec of specs) {
    if (spec.name !== undefined && !allowed.has(spec.name)) throw inputError(`unknown input "${spec.name}"`, model, { input: spec.name });
  }
  for (const spec of specs) {
    const path = resolvePath(spec.file);
    const { tensor, storedName } = await readTensorFile(path);
    let name = spec.name;
    if (name === undefined) {
      if (storedName !== undefined && allowed.has(storedName)) name = storedName;
      else if (required.length === 1 && specs.length === 1) name = required[0]!;
      else throw usageError(`cannot tell which input ${spec.file} is for; write --input NAME=FILE`, 'run', { file: spec.file });
    }
    if (seen.has(name)) throw inputError(`input "${name}" is given more than once`, model, { input: name });
    seen.add(name);
    feeds[name] = tensor;
  }
  const missing = required.filter((n) => !seen.has(n));
  if (missing.length > 0) throw inputError(`missing input${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}`, model, { missing });
  return feeds;
}

/** One file name per output; outputs whose sanitized names collide get a numeric suffix. */
function outputFileNames(names: string[], format: TensorFormat): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const base = sanitizeFileName(name);
    let file = `${base}.${format}`;
    for (let i = 1; taken.has(file.toLowerCase()); i++) file = `${base}_${i}.${format}`;
    taken.add(file.toLowerCase());
    return file;
  });
}

/** `quantforge run <model.onnx> --input NAME=FILE ... --output-dir DIR [--format pb|npy]` */
export const runCommand: CommandSpec = {
  name: 'run',
  summary: 'Run a model on the reference executor with inputs from .pb/.npy files.',
  description:
    'Run a model on the TypeScript reference executor. Inputs are ONNX TensorProto (.pb, the ONNX node-test format)\n' +
    'or NumPy (.npy) files, told apart by extension. Each output is written atomically to\n' +
    '<output-dir>/<output name>.<format>, with characters other than letters, digits, ".", "_" and "-" replaced by "_".\n' +
    'A model with operators the executor lacks is refused before anything runs.',
  positionals: [{ name: 'model.onnx', description: 'the ONNX model to run' }],
  options: {
    input: { type: 'string', multiple: true, valueName: 'NAME=FILE', description: 'A model input and its .pb or .npy file. "NAME=" may be left out when the file is a .pb holding the input name, or the model has a single input.' },
    'output-dir': { type: 'string', valueName: 'DIR', description: 'Folder for the outputs (created if missing). Required.' },
    format: { type: 'string', valueName: 'pb|npy', description: 'Output file format (default: pb).' },
  },
  json: true,
  examples: ['quantforge run model.onnx --input x=input_0.pb --output-dir out', 'quantforge run model.onnx --input x=x.npy --output-dir out --format npy'],
  async run(ctx) {
    const outputDir = stringOption(ctx.options, 'output-dir');
    if (outputDir === undefined) throw usageError('missing flag --output-dir DIR', 'run', { flag: '--output-dir' });
    const formatText = stringOption(ctx.options, 'format') ?? 'pb';
    if (formatText !== 'pb' && formatText !== 'npy') throw usageError(`--format must be pb or npy, got "${formatText}"`, 'run', { format: formatText });
    const format: TensorFormat = formatText;
    const specs = parseInputSpecs(stringsOption(ctx.options, 'input'));

    const modelPath = ctx.path(ctx.positionals[0]!);
    await requireFile(modelPath, 'model');
    // Loaded on use, so that `--help` and usage errors do not pay for the codec and onnxruntime-node.
    const [{ loadModel, writeFileAtomic }, { createExecutor }] = await Promise.all([import('@quantforge/onnx'), import('@quantforge/runtime')]);
    const model = await loadModel(modelPath);
    await assertRunnable(model);
    const feeds = await readFeeds(model, specs, ctx.path);

    const executor = createExecutor(model);
    const results = await executor.run(feeds);

    const names = model.graph.outputs.map((v) => v.name).filter((n) => results[n] !== undefined);
    for (const n of Object.keys(results)) if (!names.includes(n)) names.push(n);
    const files = outputFileNames(names, format);
    // Encode everything before writing anything, so an encoding failure leaves the folder untouched.
    const encoded = await Promise.all(names.map((name) => encodeTensorFile(name, results[name]!, format)));
    const dir = ctx.path(outputDir);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw new QuantforgeError('QF_IO', `cannot create output folder ${dir}: ${(error as Error).message}`, { details: { path: dir }, cause: error });
    }
    const written: { name: string; file: string; dtype: string; dims: number[] }[] = [];
    for (let i = 0; i < names.length; i++) {
      const file = join(dir, files[i]!);
      await writeFileAtomic(file, encoded[i]!);
      const t = results[names[i]!]!;
      written.push({ name: names[i]!, file, dtype: t.dtype, dims: [...t.dims] });
    }
    if (ctx.global.json) {
      ctx.io.stdout.write(`${JSON.stringify({ model: modelPath, outputs: written }, null, 2)}\n`);
    } else if (!ctx.global.quiet) {
      const w = Math.max(0, ...written.map((o) => o.name.length));
      for (const o of written) ctx.io.stdout.write(`${o.name.padEnd(w)}  ${o.dtype}  [${o.dims.join(', ')}]  -> ${o.file}\n`);
    }
    return 0;
  },
};
