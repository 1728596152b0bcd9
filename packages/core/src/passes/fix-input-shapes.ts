import { QuantforgeError } from '../errors/error.js';
import type { Dim, Graph, Model, TypeInfo } from '../ir/graph.js';

/** Fixed sizes for graph inputs, by input name; every dim is given (the rank must match the declared one). */
export type InputShapes = Readonly<Record<string, readonly number[]>>;

function fail(message: string, details: Record<string, unknown>, hint?: string): never {
  throw new QuantforgeError('QF_INVALID_ARGUMENT', message, { details, ...(hint === undefined ? {} : { hint }) });
}

function tensorShape(type: TypeInfo | undefined): Dim[] | undefined {
  return type !== undefined && type.kind === 'tensor' ? type.shape : undefined;
}

/**
 * Replaces the symbolic or unknown dims of graph inputs with fixed sizes, as onnxruntime's `make_dynamic_shape_fixed`
 * does, for targets that need static shapes (a microcontroller arena is planned ahead). A symbolic name bound here is
 * also replaced wherever else it appears in the graph's declared types (outputs, value info), since ONNX gives one
 * symbol one size across a graph; shapes of intermediates are then re-derived by shape inference (`prepareGraph`).
 * Fixed dims already in the model must agree. **Mutates `model` in place.**
 *
 * @throws QuantforgeError `QF_INVALID_ARGUMENT` for an unknown input, a rank or fixed-dim mismatch, a symbol bound to
 *   two sizes, or a size that is not a positive integer.
 * @example
 * ```ts
 * fixInputShapes(model, { x: [1, 3, 48, 192] }); // PaddleOCR cls: [N, 3, 48, W] → [1, 3, 48, 192]
 * ```
 */
export function fixInputShapes(model: Model, shapes: InputShapes): void {
  const graph = model.graph;
  const bound = new Map<string, number>();
  const known = graph.inputs.filter((v) => !graph.initializers.has(v.name)).map((v) => v.name);
  for (const [name, dims] of Object.entries(shapes)) {
    const input = graph.inputs.find((v) => v.name === name);
    if (input === undefined) fail(`the model has no input "${name}" (inputs: ${known.join(', ')})`, { input: name, inputs: known });
    const type = input.type;
    if (type === undefined || type.kind !== 'tensor') fail(`input "${name}" is not a tensor`, { input: name });
    for (const d of dims) {
      if (!Number.isSafeInteger(d) || d < 1) fail(`input "${name}": sizes must be positive integers, got [${dims.join(', ')}]`, { input: name, shape: [...dims] });
    }
    const declared = type.shape;
    if (declared !== undefined && declared.length !== dims.length) {
      fail(`input "${name}" has rank ${declared.length} ([${declared.map(String).join(', ')}]); got ${dims.length} sizes`, { input: name, declared, shape: [...dims] });
    }
    declared?.forEach((d, i) => {
      const size = dims[i]!;
      if (typeof d === 'number' && d !== size) fail(`input "${name}" dim ${i} is fixed at ${d} in the model; got ${size}`, { input: name, axis: i, declared: d, shape: [...dims] });
      if (typeof d === 'string') {
        const prior = bound.get(d);
        if (prior !== undefined && prior !== size) fail(`symbolic dim "${d}" would be both ${prior} and ${size}`, { symbol: d, sizes: [prior, size] });
        bound.set(d, size);
      }
    });
    type.shape = [...dims];
  }
  substitute(graph, bound);
}

/** Replaces bound symbols in every declared type of the graph (the fixed inputs are already plain numbers). */
function substitute(graph: Graph, bound: ReadonlyMap<string, number>): void {
  if (bound.size === 0) return;
  for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) {
    const shape = tensorShape(v.type);
    if (shape === undefined) continue;
    for (let i = 0; i < shape.length; i++) {
      const d = shape[i];
      if (typeof d === 'string' && bound.has(d)) shape[i] = bound.get(d)!;
    }
  }
}

/**
 * Parses `--input-shape` values: `name:1,3,48,192`, or `1,3,48,192` for a model with one input (`single` names it).
 *
 * @example
 * ```ts
 * parseInputShapes(['x:1,3,48,192']); // { x: [1, 3, 48, 192] }
 * ```
 */
export function parseInputShapes(specs: readonly string[], single?: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const spec of specs) {
    const colon = spec.lastIndexOf(':');
    const name = colon < 0 ? single : spec.slice(0, colon).trim();
    const sizes = (colon < 0 ? spec : spec.slice(colon + 1)).split(',').map((s) => s.trim());
    if (name === undefined || name === '') {
      fail(`input shape "${spec}" must name its input (NAME:D,D,...) because the model does not have exactly one input`, { spec }, 'e.g. --input-shape x:1,3,48,192');
    }
    if (sizes.length === 0 || sizes.some((s) => !/^[0-9]+$/.test(s))) fail(`input shape "${spec}" must be NAME:D,D,... with positive integer sizes`, { spec }, 'e.g. --input-shape x:1,3,48,192');
    if (out[name] !== undefined) fail(`input "${name}" is given two shapes`, { input: name });
    out[name] = sizes.map(Number);
  }
  return out;
}
