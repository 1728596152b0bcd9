import {
  cloneTensor, isQuantforgeError, opsetVersion, QuantforgeError, toErrorData,
  type Graph, type Model, type Node, type Tensor,
} from '@quantforge/core';
import type { Kernel, KernelContext } from '../kernels/types.js';
import { validateFeeds } from './feeds.js';
import { checkReferences, planGraph, type GraphPlan } from './plan.js';
import { Scope } from './scope.js';
import { defaultKernels, findKernel, isDefaultDomain, unsupportedOps, type DomainKernels } from './unsupported.js';

/** Options of {@link createExecutor}. */
export interface ExecutorOptions {
  /**
   * Kernel tables by domain (`''` = default ONNX domain). Defaults to the reference kernels for `''` only; pass e.g.
   * `{ ...defaultKernels(), 'com.microsoft': { ... } }` to run contrib ops.
   */
  kernels?: DomainKernels;
}

/** Options of one {@link Executor.run}. */
export interface RunOptions {
  /**
   * Values to return instead of the graph outputs: any graph output, input, initializer or intermediate value of the
   * main graph. Only the nodes needed for them run.
   */
  outputs?: string[];
  /**
   * Called with every value the main graph computes, right after its node ran (streaming calibration). The tensor is
   * still used by later nodes: read it, copy it if it must outlive the call, never mutate it.
   */
  onValue?: (name: string, value: Tensor) => void;
}

/** What the last {@link Executor.run} did: nodes executed and the peak of live (not yet freed) values. */
export interface RunStats {
  nodes: number;
  peakLiveValues: number;
  peakLiveBytes: number;
}

/**
 * The reference executor: runs a model's nodes in topological order on the TypeScript kernels, dropping each
 * intermediate value after its last reader. It is deterministic and single-threaded; it is the oracle that the
 * onnxruntime fast path and the integer simulators are compared with. The execution plan is computed when the
 * executor is built: do not mutate the model afterwards (build a new executor instead).
 *
 * @example
 * ```ts
 * const exec = createExecutor(model);
 * const { probs } = exec.run({ x: tensor('float32', [1, 3, 48, 192], data) });
 * const acts = exec.run({ x }, { outputs: ['conv1_out'] }); // any intermediate value
 * ```
 */
export class Executor {
  readonly model: Model;
  private readonly kernels: DomainKernels;
  private readonly subPlans = new WeakMap<Graph, GraphPlan>();
  private readonly mainPlans = new Map<string, GraphPlan>();
  /** Constant nodes are evaluated once; kernels never mutate inputs, so sharing their result is safe. */
  private readonly constants = new WeakMap<Node, Tensor[]>();

  /** Statistics of the most recent run (main graph only). */
  lastRun: RunStats = { nodes: 0, peakLiveValues: 0, peakLiveBytes: 0 };

  constructor(model: Model, options: ExecutorOptions = {}) {
    this.model = model;
    this.kernels = options.kernels ?? defaultKernels();
    const missing = unsupportedOps(model, this.kernels);
    if (missing.length > 0) {
      const list = missing.map((m) => `${m.domain === '' ? '' : `${m.domain}:`}${m.opType}`);
      throw new QuantforgeError('QF_OP_UNSUPPORTED', `the executor has no kernel for ${list.join(', ')}`, {
        details: { ops: missing },
        hint: 'Run the model with onnxruntime (createOrtSession), or rewrite these ops before using the reference executor.',
      });
    }
    checkReferences(model.graph);
    this.plan(undefined);
  }

  /** Names of the inputs that must be fed (graph inputs without an initializer). */
  get inputNames(): string[] {
    return this.model.graph.inputs.filter((v) => !this.model.graph.initializers.has(v.name)).map((v) => v.name);
  }

  /** Names of the graph outputs. */
  get outputNames(): string[] {
    return this.model.graph.outputs.map((v) => v.name);
  }

  /** Every value of the main graph that `run({ outputs })` can return, in topological order of production. */
  valueNames(): string[] {
    return [...this.known()];
  }

  private knownNames: Set<string> | undefined;

  private known(): Set<string> {
    if (this.knownNames) return this.knownNames;
    const g = this.model.graph;
    const names = [...g.inputs.map((v) => v.name), ...g.initializers.keys()];
    for (const n of this.plan(undefined).steps) for (const o of n.outputs) if (o !== '') names.push(o);
    this.knownNames = new Set(names);
    return this.knownNames;
  }

  /**
   * Runs the model. Feeds are validated against the declared inputs (`QF_RUNTIME_INPUT`); a failing kernel is
   * reported as `QF_RUNTIME_KERNEL` with the node's name and op.
   */
  run(feeds: Record<string, Tensor>, options: RunOptions = {}): Record<string, Tensor> {
    const graph = this.model.graph;
    validateFeeds(graph, feeds);
    const wanted = options.outputs ?? this.outputNames;
    const known = this.known();
    for (const name of wanted) {
      if (!known.has(name)) {
        throw new QuantforgeError('QF_INVALID_ARGUMENT', `"${name}" is not a value of the model`, {
          details: { value: name },
          hint: 'Executor.valueNames() lists every value that can be requested',
        });
      }
    }
    const plan = this.plan(options.outputs);
    const scope = new Scope(graph, undefined);
    for (const [k, v] of Object.entries(feeds)) scope.values.set(k, v);
    this.lastRun = { nodes: 0, peakLiveValues: 0, peakLiveBytes: 0 };
    this.execute(plan, scope, options.onValue, this.lastRun);
    const fresh = new Set<string>();
    for (const n of plan.steps) for (const o of n.outputs) if (o !== '' && n.opType !== 'Constant') fresh.add(o);
    const result: Record<string, Tensor> = {};
    for (const name of wanted) {
      const v = scope.get(name, 'graph output');
      // Feeds, initializers and cached constants are shared: hand out copies so callers may mutate what they get.
      result[name] = fresh.has(name) ? v : cloneTensor(v);
    }
    return result;
  }

  private plan(targets: string[] | undefined): GraphPlan {
    const key = targets ? JSON.stringify(targets) : '';
    let p = this.mainPlans.get(key);
    if (!p) {
      const keep = new Set([...this.outputNames, ...(targets ?? [])]);
      p = planGraph(this.model.graph, targets, keep);
      if (this.mainPlans.size > 16) this.mainPlans.clear();
      this.mainPlans.set(key, p);
    }
    return p;
  }

  private subPlan(graph: Graph): GraphPlan {
    let p = this.subPlans.get(graph);
    if (!p) {
      p = planGraph(graph, undefined, new Set(graph.outputs.map((v) => v.name)));
      this.subPlans.set(graph, p);
    }
    return p;
  }

  private execute(plan: GraphPlan, scope: Scope, onValue?: (name: string, value: Tensor) => void, stats?: RunStats): void {
    let liveBytes = 0;
    const bytes = (t: Tensor | undefined): number => (t && !Array.isArray(t.data) ? (t.data as Uint8Array).byteLength : 0);
    plan.steps.forEach((node, i) => {
      const outs = this.runNode(node, scope);
      node.outputs.forEach((name, j) => {
        if (name === '') return;
        const t = outs[j]!;
        scope.values.set(name, t);
        if (stats) liveBytes += bytes(t);
        onValue?.(name, t);
      });
      if (stats) {
        stats.nodes++;
        stats.peakLiveValues = Math.max(stats.peakLiveValues, scope.values.size);
        stats.peakLiveBytes = Math.max(stats.peakLiveBytes, liveBytes);
      }
      for (const name of plan.freeAfter[i]!) {
        if (stats) liveBytes -= bytes(scope.values.get(name));
        scope.values.delete(name);
      }
    });
  }

  private runNode(node: Node, scope: Scope): Tensor[] {
    const cached = this.constants.get(node);
    if (cached) return cached;
    const kernel = findKernel(this.kernels, node.domain, node.opType) as Kernel;
    const inputs = node.inputs.map((name) => (name === '' ? undefined : scope.get(name, node.name)));
    const ctx: KernelContext = {
      node,
      opset: opsetVersion(this.model, node.domain) ?? 1,
      runSubgraph: (graph, feeds) => this.runSubgraph(graph, feeds, scope),
    };
    let outs: Tensor[];
    try {
      outs = kernel(inputs, ctx);
    } catch (e) {
      throw kernelError(node, e);
    }
    checkOutputs(node, outs);
    if (node.opType === 'Constant' && isDefaultDomain(node.domain) && node.inputs.length === 0) this.constants.set(node, outs);
    return outs;
  }

  private runSubgraph(graph: Graph, feeds: ReadonlyMap<string, Tensor>, parent: Scope): Tensor[] {
    const scope = new Scope(graph, parent);
    for (const [k, v] of feeds) scope.values.set(k, v);
    this.execute(this.subPlan(graph), scope);
    return graph.outputs.map((v) => scope.get(v.name, `subgraph ${graph.name} output`));
  }
}

function kernelError(node: Node, e: unknown): QuantforgeError {
  // A failure inside a subgraph already names the innermost node; keep that, it is the useful one.
  if (isQuantforgeError(e) && e.code === 'QF_RUNTIME_KERNEL') return e as QuantforgeError;
  const data = toErrorData(e);
  return new QuantforgeError('QF_RUNTIME_KERNEL', `node "${node.name}" (${node.opType}) failed: ${data.message}`, {
    details: { node: node.name, opType: node.opType, domain: node.domain, cause: data },
    hint: data.code === 'QF_INTERNAL' ? 'This looks like a kernel bug; please report it with the model.' : 'Check the inputs and attributes of this node.',
    cause: e,
  });
}

function checkOutputs(node: Node, outs: unknown): asserts outs is Tensor[] {
  const ok = Array.isArray(outs) && node.outputs.every((name, j) => {
    if (name === '') return true;
    const t = (outs as unknown[])[j] as Partial<Tensor> | undefined;
    return !!t && Array.isArray(t.dims) && !!t.data;
  });
  if (!ok) {
    throw new QuantforgeError('QF_RUNTIME_KERNEL', `node "${node.name}" (${node.opType}) returned no tensor for some of its outputs`, {
      details: { node: node.name, opType: node.opType, outputs: node.outputs },
      hint: 'This is a kernel bug; please report it with the model.',
    });
  }
}

/**
 * Builds an {@link Executor}. Throws `QF_OP_UNSUPPORTED` listing every op without a kernel (also in subgraphs) before
 * anything runs, and `QF_GRAPH_DANGLING_VALUE` / `QF_GRAPH_CYCLE` for broken graphs.
 *
 * @example
 * ```ts
 * const out = createExecutor(await loadModel('model.onnx')).run({ x });
 * ```
 */
export function createExecutor(model: Model, options?: ExecutorOptions): Executor {
  return new Executor(model, options);
}
