import { subgraphsOf, type Graph, type Model, type Node } from '@quantforge/core';
import { invalidModel, qfError } from './errors.js';

// Name resolution. A value read by a node or named as a graph output must be a graph input, an initializer (dense or
// sparse), the output of some node of the graph (in any order: the IR keeps nodes in file order, which need not be
// topological), or, inside a subgraph, any of those of an enclosing graph.

function dangling(value: string, where: Record<string, unknown>, message: string): never {
  throw qfError('QF_GRAPH_DANGLING_VALUE', message, { value, ...where }, {
    hint: 'Every value a node reads must be a graph input, an initializer or the output of a node.',
  });
}

function checkNodes(nodes: readonly Node[], scope: Set<string>, context: Record<string, unknown>): void {
  for (const n of nodes) {
    for (const input of n.inputs) {
      if (input !== '' && !scope.has(input)) {
        dangling(input, { ...context, node: n.name, opType: n.opType }, `node "${n.name}" (${n.opType}) reads "${input}", which nothing produces`);
      }
    }
    for (const sub of subgraphsOf(n)) checkGraph(sub, scope, { ...context, node: n.name, subgraph: sub.name });
  }
}

function checkGraph(g: Graph, outer: ReadonlySet<string>, context: Record<string, unknown>): void {
  const scope = new Set(outer);
  for (const v of g.inputs) scope.add(v.name);
  for (const name of g.initializers.keys()) scope.add(name);
  for (const s of g.sparseInitializers) scope.add(s.values.name);
  for (const n of g.nodes) for (const o of n.outputs) if (o !== '') scope.add(o);
  const where = { ...context, graph: g.name };
  checkNodes(g.nodes, scope, where);
  for (const o of g.outputs) {
    if (!scope.has(o.name)) dangling(o.name, where, `graph "${g.name}" has output "${o.name}", which nothing produces`);
  }
}

/**
 * Checks that a model has a graph and that every value name resolves (see above); function bodies resolve against
 * their own inputs only, training graphs also see the main graph's values. Throws QF_ONNX_INVALID_MODEL or
 * QF_GRAPH_DANGLING_VALUE (details: value, graph, node).
 */
export function validateModel(model: Model): void {
  if (!model || typeof model !== 'object' || !model.graph) throw invalidModel('the model has no graph');
  checkGraph(model.graph, new Set(), {});
  for (const f of model.functions ?? []) {
    const scope = new Set(f.inputs);
    for (const n of f.nodes) for (const o of n.outputs) if (o !== '') scope.add(o);
    const where = { function: `${f.domain}:${f.name}` };
    checkNodes(f.nodes, scope, where);
    for (const o of f.outputs) if (!scope.has(o)) dangling(o, where, `function "${f.name}" has output "${o}", which nothing produces`);
  }
  if (model.trainingInfo?.length) {
    const main = new Set<string>();
    const g = model.graph;
    for (const v of g.inputs) main.add(v.name);
    for (const name of g.initializers.keys()) main.add(name);
    for (const n of g.nodes) for (const o of n.outputs) main.add(o);
    for (const t of model.trainingInfo) {
      if (t.initialization) checkGraph(t.initialization, main, { training: 'initialization' });
      if (t.algorithm) checkGraph(t.algorithm, main, { training: 'algorithm' });
    }
  }
}
