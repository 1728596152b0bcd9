import {
  dequantize, quantizeWith, QuantforgeError,
  type EncodingKind, type ExportInput, type PlanEntry, type QuantizedTensor, type QuantPlan, type Tensor,
} from '@quantforge/core';

const MODES = ['static', 'dynamic', 'weight-only'];

/** Refuses an unknown quantization mode. */
export function checkMode(mode: string): void {
  if (!MODES.includes(mode)) throw new QuantforgeError('QF_INVALID_ARGUMENT', `unknown quantization mode "${mode}"`, { details: { mode, modes: MODES } });
}

/** True for weights and biases: constants whose values the exporter rewrites. */
export function isConstant(entry: PlanEntry): boolean {
  return entry.role === 'weight' || entry.role === 'bias';
}

/** The encoding of a planned tensor; a missing one is a plan/encoding mismatch. */
export function encodingOf(input: ExportInput, name: string): QuantizedTensor {
  const q = input.encodings[name];
  if (q === undefined) {
    throw new QuantforgeError('QF_PIPELINE_INVALID', `the plan quantizes "${name}" but no encoding was given for it`, {
      details: { tensor: name },
      hint: 'Every tensor of the plan needs an entry in encodings',
    });
  }
  return q;
}

/** `QF_ENCODING_UNSUPPORTED` for a tensor whose kind (in its role) an exporter cannot write. */
export function unsupported(exporter: string, entry: PlanEntry, kind: EncodingKind, supported: readonly EncodingKind[], hint: string): QuantforgeError {
  return new QuantforgeError('QF_ENCODING_UNSUPPORTED', `the ${exporter} exporter cannot write a ${kind} ${entry.role} ("${entry.tensor}")`, {
    details: { tensor: entry.tensor, role: entry.role, kind, exporter, supported: [...supported] },
    hint,
  });
}

/** The plan restricted to the entries `keep` accepts (for delegating part of an export to another exporter). */
export function subPlan(plan: QuantPlan, keep: (entry: PlanEntry) => boolean): QuantPlan {
  const tensors = Object.fromEntries(Object.entries(plan.tensors).filter(([, e]) => keep(e)));
  return { ...plan, tensors };
}

/** The float32 initializer of a planned weight or bias; `QF_PIPELINE_INVALID` when the model has none. */
export function floatInitializer(input: ExportInput, name: string): Tensor<'float32'> {
  const t = input.model.graph.initializers.get(name)?.tensor;
  if (t === undefined || t.dtype !== 'float32') {
    throw new QuantforgeError('QF_PIPELINE_INVALID', `"${name}" is planned as a weight or bias but is not a float32 initializer of the model`, {
      details: { tensor: name, dtype: t?.dtype ?? null },
      hint: 'Run the prepare stage first (it turns Constant nodes into initializers)',
    });
  }
  return t as Tensor<'float32'>;
}

/** The quantized tensor with codes: the scheme's, else quantized here from the float initializer. */
export function withCodes(input: ExportInput, name: string): QuantizedTensor & { codes: Tensor } {
  const q = encodingOf(input, name);
  const float = floatInitializer(input, name);
  if (q.codes !== undefined) {
    if (q.dims.length !== float.dims.length || q.dims.some((d, i) => d !== float.dims[i])) {
      throw new QuantforgeError('QF_PIPELINE_INVALID', `the encoding of "${name}" is for dims [${q.dims.join(', ')}], the initializer has [${float.dims.join(', ')}]`, {
        details: { tensor: name, encoding: q.dims, initializer: float.dims },
      });
    }
    return q as QuantizedTensor & { codes: Tensor };
  }
  return quantizeWith(q.encoding, float.data, float.dims) as QuantizedTensor & { codes: Tensor };
}

/** Core's reference values of a planned weight or bias, as the float32 tensor that replaces it. */
export function dequantizedInitializer(input: ExportInput, name: string): Tensor<'float32'> {
  const q = withCodes(input, name);
  return { dtype: 'float32', dims: [...q.dims], data: dequantize(q) };
}
