import { subgraphsOf, type Graph, type Model } from '@quantforge/core';
import { KERNELS } from '../kernels/index.js';
import type { Kernel, KernelTable } from '../kernels/types.js';

/** Kernel tables by domain: `''` is the default ONNX domain (also reached as `'ai.onnx'`). */
export type DomainKernels = Record<string, KernelTable>;

/** One operator the executor cannot run, with every node (also inside subgraphs) that uses it. */
export interface UnsupportedOp {
  opType: string;
  /** The node's domain as written in the model ('' for the default domain). */
  domain: string;
  nodes: string[];
}

/** True for the default ONNX domain ('' or 'ai.onnx'). */
export function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

/**
 * Looks up the kernel for an op; the default domain may be spelled '' or 'ai.onnx'.
 *
 * @example
 * ```ts
 * findKernel(defaultKernels(), 'ai.onnx', 'Conv'); // the Conv kernel
 * ```
 */
export function findKernel(tables: DomainKernels, domain: string, opType: string): Kernel | undefined {
  const table = tables[isDefaultDomain(domain) ? '' : domain];
  return table && Object.hasOwn(table, opType) ? table[opType] : undefined;
}

/**
 * The default tables: the reference kernels for the default domain and nothing for other domains.
 *
 * @example
 * ```ts
 * createExecutor(model, { kernels: { ...defaultKernels(), 'com.microsoft': { FusedConv: myKernel } } });
 * ```
 */
export function defaultKernels(): DomainKernels {
  return { '': KERNELS };
}

/**
 * Every operator of a model (including If/Loop/Scan bodies) that has no kernel, grouped by (domain, opType), sorted.
 *
 * @example
 * ```ts
 * const missing = unsupportedOps(model);
 * if (missing.length) console.log(missing.map((m) => `${m.domain || 'ai.onnx'}:${m.opType} x${m.nodes.length}`));
 * ```
 */
export function unsupportedOps(model: Model, kernels: DomainKernels = defaultKernels()): UnsupportedOp[] {
  const found = new Map<string, UnsupportedOp>();
  const walk = (graph: Graph): void => {
    for (const node of graph.nodes) {
      if (!findKernel(kernels, node.domain, node.opType)) {
        const domain = isDefaultDomain(node.domain) ? '' : node.domain;
        const key = `${domain}\u0000${node.opType}`;
        let entry = found.get(key);
        if (!entry) {
          entry = { opType: node.opType, domain, nodes: [] };
          found.set(key, entry);
        }
        entry.nodes.push(node.name);
      }
      for (const g of subgraphsOf(node)) walk(g);
    }
  };
  walk(model.graph);
  return [...found.values()].sort((a, b) => (a.domain === b.domain ? a.opType.localeCompare(b.opType) : a.domain.localeCompare(b.domain)));
}
