import { subgraphsOf, type Dim, type Graph, type Model, type TypeInfo } from '@quantforge/core';

/** One graph input or output as `inspect` reports it. */
export interface ValueSummary {
  name: string;
  /** Element type for tensors (`float32`), else a label such as `sequence(tensor(float32))`; `null` if untyped. */
  dtype: string | null;
  /** Dims for tensors: a number, a symbolic name, or `null` for an unknown dim; `null` when the rank is unknown. */
  shape: Dim[] | null;
}

/** Occurrences of one operator, counted in the main graph and in every subgraph. */
export interface OpCount {
  opType: string;
  domain: string;
  count: number;
}

/** What a walk over the graph and its subgraphs finds. */
export interface GraphCensus {
  ops: OpCount[];
  nodes: { total: number; topLevel: number; inSubgraphs: number; subgraphs: number };
}

/** The ONNX default domain under one name ('' and 'ai.onnx' mean the same). */
export function domainName(domain: string): string {
  return domain === '' ? 'ai.onnx' : domain;
}

function typeLabel(type: TypeInfo | undefined): string | null {
  if (type === undefined) return null;
  switch (type.kind) {
    case 'tensor':
      return type.elemType;
    case 'sparse_tensor':
      return `sparse_tensor(${type.elemType})`;
    case 'sequence':
      return `sequence(${type.elem ? innerLabel(type.elem) : '?'})`;
    case 'optional':
      return `optional(${type.elem ? innerLabel(type.elem) : '?'})`;
    case 'map':
      return `map(${type.keyType}, ${type.value ? innerLabel(type.value) : '?'})`;
    case 'unknown':
      return null;
  }
}

function innerLabel(type: TypeInfo): string {
  return type.kind === 'tensor' ? `tensor(${type.elemType})` : (typeLabel(type) ?? '?');
}

/** Type and shape of a value for display. */
export function summarizeValue(name: string, type: TypeInfo | undefined): ValueSummary {
  const shape = type && (type.kind === 'tensor' || type.kind === 'sparse_tensor') && type.shape ? [...type.shape] : null;
  return { name, dtype: typeLabel(type), shape };
}

/**
 * Counts operators and nodes of a graph including the bodies of If/Loop/Scan (and any other graph attribute),
 * recursively. Ops are sorted by count (descending), then domain and name, so output is stable.
 */
export function censusOf(graph: Graph): GraphCensus {
  const counts = new Map<string, OpCount>();
  let total = 0;
  let subgraphs = 0;
  const visit = (g: Graph): void => {
    for (const node of g.nodes) {
      total++;
      const domain = domainName(node.domain);
      const key = `${domain}\u0000${node.opType}`;
      const entry = counts.get(key);
      if (entry) entry.count++;
      else counts.set(key, { opType: node.opType, domain, count: 1 });
      for (const sub of subgraphsOf(node)) {
        subgraphs++;
        visit(sub);
      }
    }
  };
  visit(graph);
  const ops = [...counts.values()].sort((a, b) => b.count - a.count || a.domain.localeCompare(b.domain) || a.opType.localeCompare(b.opType));
  return { ops, nodes: { total, topLevel: graph.nodes.length, inSubgraphs: total - graph.nodes.length, subgraphs } };
}

/** Graph inputs that must be fed: ONNX before IR 4 also lists initializers as inputs; those are left out. */
export function feedInputs(model: Model): ValueSummary[] {
  const g = model.graph;
  return g.inputs.filter((v) => !g.initializers.has(v.name)).map((v) => summarizeValue(v.name, v.type));
}

/** Formats a shape for text output: symbolic dims by name, unknown dims as `?`. */
export function shapeText(shape: Dim[] | null): string {
  if (shape === null) return '(unknown rank)';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}
