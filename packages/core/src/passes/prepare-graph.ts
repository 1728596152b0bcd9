import type { Model } from '../ir/graph.js';
import { foldBatchNorm } from './fold-batch-norm.js';
import { foldConstants, type SkippedConstant } from './fold-constants.js';
import { removeDeadNodes } from './remove-dead-nodes.js';
import { outerReads } from './scope.js';
import { removeInitializerInputs } from './remove-initializer-inputs.js';
import { inferShapes } from './shapes/infer.js';
import type { ValueType } from './shapes/types.js';

export interface PrepareGraphOptions {
  /** Fold BatchNormalization into the preceding Conv (default true; never done for models with training info). */
  foldBatchNorm?: boolean;
  /** Write inferred types into `graph.valueInfo` (default true). */
  writeValueInfo?: boolean;
  /**
   * Graph inputs that merely list an initializer: `'auto'` (default) removes them when the model's IR version is below 4
   * (where the listing was mandatory and says nothing) and then raises the IR version to 4; `'remove'` always removes
   * them; `'keep'` leaves them, so they stay overridable and are neither folded nor used as constants.
   */
  initializerInputs?: 'auto' | 'remove' | 'keep';
}

/** What {@link prepareGraph} did. */
export interface PrepareGraphSummary {
  /** Graph inputs dropped because they only listed an initializer (see `initializerInputs`). */
  initializerInputsRemoved: number;
  constantsFolded: number;
  /** Constant nodes left in place (sparse values, clashing names). */
  constantsSkipped: SkippedConstant[];
  batchNormsFolded: number;
  nodesRemoved: number;
  initializersRemoved: number;
  /** Inferred type of every value. */
  values: Map<string, ValueType>;
  /** Operators shape inference has no rule for. */
  unsupportedOps: string[];
}

/**
 * The "prepare" stage: initializer-only inputs of old (IR < 4) models are dropped, Constant nodes become initializers,
 * BatchNormalization folds into Conv, dead nodes and unused initializers go, and shapes are inferred. An IR < 4 model
 * that gains initializers outside its inputs is raised to IR version 4 (the first that allows them).
 * **Mutates `model` in place** — clone it first if the original is still needed.
 *
 * @example
 * ```ts
 * const summary = prepareGraph(model, { foldBatchNorm: true });
 * console.log(`${summary.constantsFolded} constants, ${summary.batchNormsFolded} BNs folded`);
 * ```
 */
export function prepareGraph(model: Model, options: PrepareGraphOptions = {}): PrepareGraphSummary {
  const graph = model.graph;
  const mode = options.initializerInputs ?? 'auto';
  let initializerInputsRemoved = 0;
  if (mode === 'remove' || (mode === 'auto' && model.irVersion < 4)) {
    initializerInputsRemoved = removeInitializerInputs(graph);
  }
  const constantsSkipped: SkippedConstant[] = [];
  const constantsFolded = foldConstants(graph, { onSkipped: (s) => constantsSkipped.push(s) });
  // Training graphs read and update main-graph values by name: keep those alive and their weights unchanged.
  const training = trainingReads(model);
  const batchNormsFolded = options.foldBatchNorm === false || training.size > 0 ? 0 : foldBatchNorm(graph);
  const removed = removeDeadNodes(graph, { keep: training });
  if (model.irVersion < 4 && initializerInputsRemoved + constantsFolded + batchNormsFolded > 0) model.irVersion = 4;
  const shapes = inferShapes(model, { writeValueInfo: options.writeValueInfo !== false });
  return {
    initializerInputsRemoved,
    constantsFolded,
    constantsSkipped,
    batchNormsFolded,
    nodesRemoved: removed.nodes,
    initializersRemoved: removed.initializers,
    values: shapes.values,
    unsupportedOps: shapes.unsupported,
  };
}

function trainingReads(model: Model): Set<string> {
  const names = new Set<string>();
  for (const info of model.trainingInfo ?? []) {
    for (const g of [info.initialization, info.algorithm]) if (g) for (const name of outerReads(g)) names.add(name);
    for (const kv of [...info.initializationBinding, ...info.updateBinding]) {
      names.add(kv.key);
      names.add(kv.value);
    }
  }
  return names;
}
