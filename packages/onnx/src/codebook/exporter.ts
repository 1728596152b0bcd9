import {
  QuantforgeError, codebookShape, sizeOf, type EncodingKind, type Exporter, type ExportInput, type ExportResult, type PlanEntry, type QuantizedTensor,
} from '@quantforge/core';
import { modelOpset } from '../qdq/opset.js';
import { ExportState } from '../qdq/state.js';
import { fakeQuantizeLogActivations } from '../simulated/activations.js';
import { assemble } from '../simulated/assemble.js';
import { LOG_FAKE_QUANT_OPSET } from '../simulated/log-fake-quant.js';
import { checkMode, encodingOf, isConstant, unsupported, withCodes } from '../simulated/entries.js';
import { delegateAffine } from '../simulated/delegate.js';
import { expandCodebook, OPSET_PACKED_INDICES } from './expand.js';
import { expandLogWeight } from './log-weights.js';
import { OPSET_SLICE_INPUTS, packPays, packWidth, unpackNeedsSlice, type IndexPacking } from './pack.js';
import { logLadder } from '../simulated/log-ladder.js';

const WEIGHT_KINDS: readonly EncodingKind[] = ['affine', 'codebook', 'log'];
const ACTIVATION_KINDS: readonly EncodingKind[] = ['affine', 'log'];

/** Default-domain opset of the expansion ops (Cast with `to`, Reshape with a shape input, Add with broadcasting). */
export const CODEBOOK_OPSET = 7;

/** Options of {@link codebookExporter}. */
export interface CodebookExporterOptions {
  /**
   * `'auto'` (default): narrow indices take less than a byte (where that saves bytes: tensors of more than about a
   * thousand indices). At opset 21 or higher, where ONNX has 4-bit types,
   * indices of codebooks with k ≤ 16 are uint4 and log codes of ladders with at most 7 levels int4. Below opset 21
   * they are packed into uint8 bytes — 2 per byte for k ≤ 16 (log: ≤ 7 levels), 4 for k ≤ 4, 8 for k = 2 — and
   * unpacked in the graph with integer Div / Mul / Sub (and a Slice at opset 10+ when the count does not fill the
   * last byte; a model below 10 is then raised through the QDQ exporter's version adapter). `'never'`: always whole
   * bytes.
   */
  packIndices?: 'auto' | 'never';
}

/** Whether the expansion of `q` uses a Slice: a padded codebook layout, or arithmetic packing with a ragged tail. */
function needsSlice(q: QuantizedTensor, packing: IndexPacking): boolean {
  const e = q.encoding;
  const n = sizeOf(q.dims);
  if (e.kind === 'codebook') {
    if ((e.layout.pad ?? 0) > 0) return true;
    if (packing !== 'arithmetic') return false;
    const { rows, perRow } = codebookShape(e, n);
    return [e.k, e.residual?.k].some((k) => k !== undefined && packPays(rows * perRow, k) && unpackNeedsSlice(rows * perRow, packWidth(k)!));
  }
  if (e.kind !== 'log' || packing !== 'arithmetic') return false;
  const levels = 2 * logLadder(e).levels + 1;
  return packPays(n, levels) && unpackNeedsSlice(n, packWidth(levels)!);
}

function exportCodebook(input: ExportInput, options: CodebookExporterOptions): ExportResult {
  checkMode(input.mode);
  const entries = Object.values(input.plan.tensors).filter((e) => e.role !== 'gradient');
  const kindOf = (e: PlanEntry) => input.encodings[e.tensor]?.encoding.kind;
  for (const entry of entries) {
    if (isConstant(entry)) {
      const kind = encodingOf(input, entry.tensor).encoding.kind;
      if (!WEIGHT_KINDS.includes(kind)) throw unsupported('codebook', entry, kind, WEIGHT_KINDS, 'Use the simulated exporter to evaluate this encoding, or a codebook, log or affine scheme');
    } else if (input.mode === 'static') {
      const kind = encodingOf(input, entry.tensor).encoding.kind;
      if (!ACTIVATION_KINDS.includes(kind)) throw unsupported('codebook', entry, kind, ACTIVATION_KINDS, 'Quantize activations with an affine or log scheme');
    }
  }
  // Affine tensors (and, in dynamic mode, the run-time-quantized activations) are the QDQ exporter's to write.
  const toQdq = (e: PlanEntry) => {
    if (isConstant(e)) return kindOf(e) === 'affine';
    if (input.mode === 'static') return kindOf(e) === 'affine';
    return input.mode === 'dynamic' && (kindOf(e) === undefined || kindOf(e) === 'affine');
  };
  const expanded = entries.filter((e) => isConstant(e) && !toQdq(e));
  const logActs = input.mode === 'static' ? entries.filter((e) => !isConstant(e) && kindOf(e) === 'log') : [];
  const auto = (options.packIndices ?? 'auto') === 'auto';
  // Native 4-bit types need opset 21, which is never raised to; below it, 'auto' packs bytes arithmetically.
  const planned: IndexPacking = !auto ? 'none' : modelOpset(input.model) >= OPSET_PACKED_INDICES ? 'native' : 'arithmetic';
  // Codes once per tensor: withCodes assigns them (nearest centroid) when the encoding came without.
  const coded = new Map(expanded.map((e) => [e.tensor, withCodes(input, e.tensor)]));
  const slicing = expanded.some((e) => needsSlice(coded.get(e.tensor)!, planned));
  const needed = Math.max(expanded.length > 0 ? CODEBOOK_OPSET : 0, logActs.length > 0 ? LOG_FAKE_QUANT_OPSET : 0, slicing ? OPSET_SLICE_INPUTS : 0);
  const qdq = delegateAffine(input, toQdq, needed);
  const state = new ExportState({ ...input, model: qdq.model });
  Object.assign(state.valueMap, qdq.valueMap);
  const packed: IndexPacking = !auto ? 'none' : modelOpset(qdq.model) >= OPSET_PACKED_INDICES ? 'native' : 'arithmetic';
  for (const entry of expanded) {
    const refs = state.consumers(entry);
    if (refs.length === 0) continue;
    const q = coded.get(entry.tensor)!;
    const { nodes, output } = q.encoding.kind === 'codebook' ? expandCodebook(state.edit, entry.tensor, q, packed) : expandLogWeight(state.edit, entry.tensor, q, packed);
    state.edit.insertAfterProducerOf(entry.tensor, nodes);
    state.rewire(refs, output);
    state.replaced.add(entry.tensor);
    state.origin.set(output, entry.tensor);
    state.valueMap[entry.tensor] = output;
  }
  fakeQuantizeLogActivations(state, logActs);
  return { model: assemble(state, needed, 'codebook'), valueMap: state.valueMap };
}

/**
 * The codebook exporter: a compressed ONNX model. Codebook weights are stored as narrow index initializers plus float
 * centroids and expanded in the graph in front of their consumers (`Cast → Gather → Reshape → Transpose`; per-channel
 * codebooks, product quantization and a residual stage included, see `expandCodebook`); log weights as their int8
 * codes and a table of signed powers of two; affine tensors are written by the QDQ exporter; log activations are
 * fake-quantized as in the simulated exporter. Indices of codebooks with k ≤ 16 (and short log ladders) take 4 bits
 * or fewer: native uint4 / int4 at opset 21+, packed bytes unpacked in the graph below (see
 * {@link CodebookExporterOptions}); a padded PQ layout is sliced back to its rows. In dynamic mode only consumers with affine weights get run-time-quantized inputs
 * (the QDQ exporter's integer kernels); consumers of codebook and log weights read float activations. Models below
 * the opset the expansion needs (7; log activations 9) are raised through the QDQ exporter's version adapter. Ternary encodings are refused with `QF_ENCODING_UNSUPPORTED`. The
 * input model is not mutated.
 *
 * @example
 * ```ts
 * const { model } = codebookExporter().export({ model: prepared, plan, encodings, mode: 'weight-only' });
 * await saveModel(model, 'model.codebook.onnx'); // ~1/4 of the float file for 8-bit indices
 * ```
 */
export function codebookExporter(options: CodebookExporterOptions = {}): Exporter {
  if (options.packIndices !== undefined && !['auto', 'never'].includes(options.packIndices)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `packIndices must be 'auto' or 'never', got ${String(options.packIndices)}`, { details: { packIndices: options.packIndices } });
  }
  return { name: 'codebook', kinds: [...WEIGHT_KINDS], export: (input) => exportCodebook(input, options) };
}
