import type { Graph, Model, NamedTensor, Node } from '@quantforge/core';

// Visits every graph and node of a model: the main graph, subgraphs held by attributes (at any depth), the bodies of
// model-local functions and the training graphs.

export interface ModelVisitor {
  graph?(g: Graph): void;
  node?(n: Node): void;
}

function walkNodes(nodes: readonly Node[], v: ModelVisitor): void {
  for (const n of nodes) {
    v.node?.(n);
    for (const a of n.attributes) {
      if (a.type === 'graph') walkGraph(a.value, v);
      else if (a.type === 'graphs') for (const g of a.value) walkGraph(g, v);
    }
  }
}

function walkGraph(g: Graph, v: ModelVisitor): void {
  v.graph?.(g);
  walkNodes(g.nodes, v);
}

export function walkModel(model: Model, v: ModelVisitor): void {
  walkGraph(model.graph, v);
  for (const f of model.functions ?? []) walkNodes(f.nodes, v);
  for (const t of model.trainingInfo ?? []) {
    if (t.initialization) walkGraph(t.initialization, v);
    if (t.algorithm) walkGraph(t.algorithm, v);
  }
}

/** Where a dense tensor sits: initializers and attribute tensors may move to external data; the rest stay inline. */
export type TensorPlace = 'initializer' | 'attribute' | 'other';

/** Every tensor of a model, each once, in file order (sparse tensors give their values and indices). */
export function forEachTensor(model: Model, fn: (t: NamedTensor, place: TensorPlace) => void): void {
  const seen = new Set<NamedTensor>();
  const visit = (t: NamedTensor, place: TensorPlace): void => {
    if (seen.has(t)) return;
    seen.add(t);
    fn(t, place);
  };
  const attrs = (n: { attributes: Node['attributes'] } | { attributeDefaults: Node['attributes'] }, place: TensorPlace): void => {
    for (const a of 'attributes' in n ? n.attributes : n.attributeDefaults) {
      if (a.type === 'tensor') visit(a.value, place);
      else if (a.type === 'tensors') for (const t of a.value) visit(t, place);
      else if (a.type === 'sparse_tensor') { visit(a.value.values, 'other'); visit(a.value.indices, 'other'); }
      else if (a.type === 'sparse_tensors') for (const s of a.value) { visit(s.values, 'other'); visit(s.indices, 'other'); }
    }
  };
  walkModel(model, {
    graph(g) {
      for (const t of g.initializers.values()) visit(t, 'initializer');
      for (const s of g.sparseInitializers) { visit(s.values, 'other'); visit(s.indices, 'other'); }
    },
    node(n) {
      attrs(n, 'attribute');
    },
  });
  for (const f of model.functions ?? []) attrs(f, 'other');
}
