import { basename } from 'node:path';
import type { Model } from '@quantforge/core';
import type { CommandSpec } from '../command.js';
import { requireFile } from '../files.js';
import { censusOf, domainName, feedInputs, shapeText, summarizeValue, type OpCount, type ValueSummary } from '../model-summary.js';

/** The `inspect --json` object; its shape is documented in the README and only grows (new keys) within version 1. */
export interface InspectReport {
  schemaVersion: 1;
  file: string;
  fileBytes: number;
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: { name: string; version: string };
  modelVersion: string | null;
  graphName: string;
  metadata: { key: string; value: string }[];
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  nodes: { total: number; topLevel: number; inSubgraphs: number; subgraphs: number };
  ops: OpCount[];
  parameters: { count: number; bytes: number; initializers: number; constantNodes: number };
  unsupportedOps: { opType: string; domain: string; count: number; nodes: string[] }[];
}

/** Builds the report of `inspect` from a loaded model. */
export async function inspectModel(model: Model, file: string, fileBytes: number): Promise<InspectReport> {
  // Loaded on use, so that `--help` and usage errors do not pay for the codec and onnxruntime-node.
  const [{ modelStats }, { unsupportedOps }] = await Promise.all([import('@quantforge/onnx'), import('@quantforge/runtime')]);
  const census = censusOf(model.graph);
  const stats = modelStats(model);
  const constantNodes = census.ops.filter((o) => o.opType === 'Constant' && o.domain === 'ai.onnx').reduce((n, o) => n + o.count, 0);
  return {
    schemaVersion: 1,
    file,
    fileBytes,
    irVersion: model.irVersion,
    opsets: model.opsetImports.map((o) => ({ domain: domainName(o.domain), version: o.version })),
    producer: { name: model.producerName ?? '', version: model.producerVersion ?? '' },
    modelVersion: model.modelVersion === undefined ? null : String(model.modelVersion),
    graphName: model.graph.name,
    metadata: (model.metadataProps ?? []).map((p) => ({ key: p.key, value: p.value })),
    inputs: feedInputs(model),
    outputs: model.graph.outputs.map((v) => summarizeValue(v.name, v.type)),
    nodes: census.nodes,
    ops: census.ops,
    parameters: { count: stats.parameterCount, bytes: stats.parameterBytes, initializers: model.graph.initializers.size, constantNodes },
    unsupportedOps: unsupportedOps(model).map((u) => {
      const nodes = [...u.nodes];
      return { opType: u.opType, domain: domainName(u.domain), count: nodes.length, nodes };
    }),
  };
}

const num = (n: number): string => n.toLocaleString('en-US');

function bytesText(n: number): string {
  if (n < 1024) return `${num(n)} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${num(n)} B (${v.toFixed(1)} ${units[u]})`;
}

function rows(pairs: [string, string][], indent = ''): string[] {
  const w = Math.max(0, ...pairs.map(([a]) => a.length));
  return pairs.map(([a, b]) => `${indent}${a.padEnd(w)}  ${b}`.trimEnd());
}

function valueRows(values: ValueSummary[]): string[] {
  if (values.length === 0) return ['  (none)'];
  const w = Math.max(...values.map((v) => v.name.length));
  const t = Math.max(...values.map((v) => (v.dtype ?? '?').length));
  return values.map((v) => {
    // Only plain tensors can have an unknown rank worth saying; sequences and maps have no shape.
    const shape = v.shape ? shapeText(v.shape) : v.dtype !== null && !v.dtype.includes('(') ? shapeText(null) : '';
    return `  ${v.name.padEnd(w)}  ${(v.dtype ?? '?').padEnd(t)}  ${shape}`.trimEnd();
  });
}

/** The text form of the report: a header block, inputs/outputs and the op histogram as aligned columns. */
export function formatInspect(r: InspectReport): string {
  const out: string[] = [];
  const sub = r.nodes.subgraphs > 0 ? ` (${num(r.nodes.topLevel)} top level, ${num(r.nodes.inSubgraphs)} in ${num(r.nodes.subgraphs)} subgraphs)` : '';
  out.push(
    ...rows([
      ['model', `${basename(r.file)}  ${bytesText(r.fileBytes)}`],
      ['ir version', String(r.irVersion)],
      ['opsets', r.opsets.map((o) => `${o.domain} ${o.version}`).join(', ') || '(none)'],
      ['producer', [r.producer.name, r.producer.version].filter((s) => s !== '').join(' ') || '(none)'],
      ['graph', r.graphName || '(unnamed)'],
      ['nodes', `${num(r.nodes.total)}${sub}`],
      ['parameters', `${num(r.parameters.count)}  ${bytesText(r.parameters.bytes)}  in ${num(r.parameters.initializers)} initializers and ${num(r.parameters.constantNodes)} Constant nodes`],
    ]),
  );
  for (const m of r.metadata) out.push(...rows([[`meta ${m.key}`, m.value]]));
  out.push('', `inputs (${r.inputs.length})`, ...valueRows(r.inputs));
  out.push('', `outputs (${r.outputs.length})`, ...valueRows(r.outputs));
  out.push('', `ops (${r.ops.length} types)`);
  const unsupported = new Set(r.unsupportedOps.map((u) => `${u.domain}\u0000${u.opType}`));
  out.push(
    ...rows(
      r.ops.map((o) => [
        `${o.domain === 'ai.onnx' ? '' : `${o.domain}:`}${o.opType}`,
        `${String(o.count).padStart(6)}${unsupported.has(`${o.domain}\u0000${o.opType}`) ? '  (unsupported)' : ''}`,
      ]),
      '  ',
    ),
  );
  out.push('');
  if (r.unsupportedOps.length === 0) out.push('reference executor: supports every op');
  else out.push(`reference executor: unsupported ${r.unsupportedOps.map((u) => `${u.domain === 'ai.onnx' ? '' : `${u.domain}:`}${u.opType} (${u.count})`).join(', ')}`);
  return `${out.join('\n')}\n`;
}

/** `quantforge inspect <model.onnx> [--json]` */
export const inspectCommand: CommandSpec = {
  name: 'inspect',
  summary: 'Show versions, inputs/outputs, op histogram, parameters and unsupported ops of a model.',
  description:
    'Show what a model holds: IR and opset versions, producer, inputs and outputs with dtype and shape (symbolic dims by\n' +
    'name), the op histogram (ops inside If/Loop/Scan bodies included), node and parameter counts (weights held in\n' +
    'Constant nodes included) and the ops the reference executor does not support.',
  positionals: [{ name: 'model.onnx', description: 'the ONNX model to inspect' }],
  options: {},
  json: true,
  examples: ['quantforge inspect model.onnx', 'quantforge inspect model.onnx --json > model.json'],
  async run(ctx) {
    const file = ctx.path(ctx.positionals[0]!);
    const size = await requireFile(file, 'model');
    const { loadModel } = await import('@quantforge/onnx');
    const model = await loadModel(file);
    const report = await inspectModel(model, file, size);
    ctx.io.stdout.write(ctx.global.json ? `${JSON.stringify(report, null, 2)}\n` : formatInspect(report));
    return 0;
  },
};
