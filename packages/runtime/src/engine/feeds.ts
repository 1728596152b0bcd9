import { QuantforgeError, sizeOf, type Graph, type Tensor } from '@quantforge/core';

function inputError(name: string, message: string, details: Record<string, unknown>, hint?: string): QuantforgeError {
  const opts: { details: Record<string, unknown>; hint?: string } = { details: { input: name, ...details } };
  if (hint !== undefined) opts.hint = hint;
  return new QuantforgeError('QF_RUNTIME_INPUT', message, opts);
}

/** A well-formed tensor: dims are non-negative integers and the data length matches them. */
function checkTensor(name: string, t: unknown): asserts t is Tensor {
  const v = t as Partial<Tensor> | null;
  if (!v || typeof v !== 'object' || typeof v.dtype !== 'string' || !Array.isArray(v.dims) || !v.data || typeof (v.data as { length?: unknown }).length !== 'number') {
    throw inputError(name, `input "${name}" is not a tensor ({ dtype, dims, data })`, {});
  }
  if (v.dims.some((d) => !Number.isInteger(d) || d < 0)) throw inputError(name, `input "${name}" has invalid dims [${v.dims.join(', ')}]`, { dims: v.dims });
  const expected = sizeOf(v.dims) * (v.dtype === 'complex64' || v.dtype === 'complex128' ? 2 : 1);
  if (v.data.length !== expected) {
    throw inputError(name, `input "${name}" has ${v.data.length} elements for dims [${v.dims.join(', ')}]`, { dims: v.dims, length: v.data.length });
  }
}

/**
 * Checks feeds against the graph's declared inputs: every input without an initializer is present, no unknown names,
 * and each tensor has the declared element type, rank and fixed dims (symbolic and unknown dims accept any size).
 * Throws `QF_RUNTIME_INPUT` with `details.input` naming the offending input.
 *
 * @example
 * ```ts
 * validateFeeds(model.graph, { x: tensor('float32', [1, 3, 48, 192]) });
 * ```
 */
export function validateFeeds(graph: Graph, feeds: Record<string, Tensor>): void {
  if (!feeds || typeof feeds !== 'object') throw new QuantforgeError('QF_RUNTIME_INPUT', 'feeds must be an object of tensors keyed by input name', { details: {} });
  const declared = new Map(graph.inputs.map((v) => [v.name, v]));
  for (const name of Object.keys(feeds)) {
    if (!declared.has(name)) {
      throw inputError(name, `"${name}" is not an input of the model`, { inputs: graph.inputs.map((v) => v.name) }, `Model inputs: ${graph.inputs.map((v) => v.name).join(', ')}`);
    }
  }
  for (const info of graph.inputs) {
    const t = feeds[info.name];
    if (t === undefined) {
      if (graph.initializers.has(info.name)) continue;
      throw inputError(info.name, `input "${info.name}" is missing`, { provided: Object.keys(feeds) }, 'Pass a tensor for every model input');
    }
    checkTensor(info.name, t);
    const type = info.type;
    if (!type || type.kind !== 'tensor') continue;
    if (type.elemType !== 'undefined' && type.elemType !== t.dtype) {
      throw inputError(info.name, `input "${info.name}" must be ${type.elemType}, got ${t.dtype}`, { expected: type.elemType, actual: t.dtype });
    }
    const shape = type.shape;
    if (!shape) continue;
    if (shape.length !== t.dims.length) {
      throw inputError(info.name, `input "${info.name}" must have rank ${shape.length}, got [${t.dims.join(', ')}]`, { expected: shape, actual: t.dims });
    }
    shape.forEach((d, i) => {
      if (typeof d === 'number' && d !== t.dims[i]) {
        throw inputError(info.name, `input "${info.name}" dim ${i} must be ${d}, got ${t.dims[i]}`, { expected: shape, actual: t.dims, dim: i });
      }
    });
  }
}
