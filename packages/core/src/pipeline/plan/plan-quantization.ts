import { QuantforgeError } from '../../errors/error.js';
import type { Model, Node } from '../../ir/graph.js';
import { validatePlan, type Granularity, type PlanEntry, type QuantPlan, type StatRequest } from '../../quant/plan.js';
import { resolveSchemeOptions, schemeSupports, type SchemeDefinition, type TensorPlanInfo } from '../../quant/scheme.js';
import { recipeSchemeName, recipeSchemeOptions, type ActivationFormat, type Recipe, type RecipeOverride, type WeightFormat } from '../recipe.js';
import { indexGraph, type GraphIndex } from './graph-index.js';
import { blockAxis, channelAxis } from './op-rules.js';
import { placeQuantization, type Draft } from './placement.js';
import { tieGroups } from './ties.js';

/** A scheme the planner may assign: its definition and the options it was used with (already validated). */
export interface SchemeBinding {
  definition: SchemeDefinition<unknown>;
  options: Record<string, unknown>;
}

/** Schemes by name (the recipe's `scheme` and override `scheme`s must be among them). */
export type PlannerSchemes = Readonly<Record<string, SchemeBinding>>;

const DEFAULT_BITS = 8;
const DEFAULT_BLOCK = 32;

function matches(o: RecipeOverride, d: Draft, idx: GraphIndex): boolean {
  const m = o.match;
  if (m.tensor !== undefined && m.tensor !== d.tensor) return false;
  if (m.node === undefined && m.opType === undefined) return true;
  const related = d.consumers.map((c) => ({ name: c.node, opType: c.opType }));
  const p = d.producer === undefined ? undefined : idx.producer.get(d.tensor);
  if (p !== undefined) related.push({ name: p.name, opType: p.opType });
  return related.some((r) => (m.node === undefined || r.name === m.node) && (m.opType === undefined || r.opType === m.opType));
}

function fail(message: string, details: Record<string, unknown>, hint?: string): QuantforgeError {
  return new QuantforgeError('QF_PIPELINE_INVALID', message, hint === undefined ? { details } : { details, hint });
}

function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

/** Granularity, axis and block size of a weight, falling back to per-tensor where the layout does not allow more. */
function weightLayout(d: Draft, fmt: WeightFormat, dims: readonly (number | string | null)[] | undefined): Pick<PlanEntry, 'granularity' | 'axis' | 'blockSize'> {
  const wanted: Granularity = d.elementwise ? 'per-tensor' : (fmt.granularity ?? 'per-channel');
  const rank = dims?.length ?? 0;
  if (wanted === 'per-tensor' || d.owner === undefined || rank < 2) return { granularity: 'per-tensor' };
  const axis = normAxis(fmt.axis ?? (wanted === 'per-channel' ? channelAxis(d.owner, rank) : blockAxis(d.owner, rank)), rank);
  if (axis === undefined) return { granularity: 'per-tensor' };
  return wanted === 'per-channel' ? { granularity: 'per-channel', axis } : { granularity: 'per-group', axis, blockSize: fmt.blockSize ?? DEFAULT_BLOCK };
}

function withCalibrator(request: StatRequest, recipe: Recipe): StatRequest {
  const cal = recipe.calibration;
  if (cal?.calibrator === undefined && cal?.options === undefined) return request;
  const observer = cal.calibrator ?? request.observer;
  const options = cal.options ?? (observer === request.observer ? request.options : {});
  return { observer, options, finalize: request.finalize } as StatRequest;
}

/**
 * Plans quantization of a (prepared) model: which tensors are quantized, with which scheme, options, bits,
 * granularity, statistics and dependencies, and which nodes stay float and why. Placement follows onnxruntime's QDQ
 * quantizer and NNCF:
 *
 * - Conv / ConvTranspose / Gemm / MatMul: activation inputs and the constant weight (per-channel axis Conv 0,
 *   ConvTranspose 1, Gemm 0 with transB else 1, MatMul the last axis); a constant bias becomes a 32-bit `bias`
 *   entry with `dependsOn: { input, weight }` (static mode only: its scale is input scale × weight scale).
 * - Relu / constant-bounded Clip right after such an op fold into its output range: only their output is quantized.
 * - Data-movement ops keep the quantized domain; range-preserving ones tie outputs to the data input (`tieGroup`,
 *   named after the group's first tensor in plan order).
 * - Add / Mul: every input (constant operands as per-tensor weights) and the output.
 * - Everything else stays float and is listed in `excluded`.
 *
 * Modes: `static` as above; `dynamic` plans weights and the activation inputs of compute ops with `stats: null`
 * (their parameters are computed at run time: DynamicQuantizeLinear + MatMulInteger / ConvInteger; biases stay
 * float); `weight-only` plans only the weights of compute ops. Recipe `exclude` names nodes or op types; `overrides`
 * (in order, later wins) change scheme, options and formats for matching tensors. The result passes `validatePlan`.
 *
 * @throws QuantforgeError `QF_PIPELINE_INVALID` (unknown scheme, a static plan whose scheme cannot encode
 *   activations), `QF_OPTIONS_INVALID` (override options)
 * @example
 * ```ts
 * const plan = planQuantization(model, { scheme: 'uniform', mode: 'static' }, { uniform: { definition: uniformScheme, options: {} } });
 * Object.keys(plan.tensors); // ['input', 'conv.weight', 'conv.bias', 'relu_out', ...]
 * ```
 */
export function planQuantization(model: Model, recipe: Recipe, schemes: PlannerSchemes): QuantPlan {
  const defaultScheme = recipeSchemeName(recipe);
  const binding = (name: string): SchemeBinding => {
    const b = schemes[name];
    if (b === undefined) {
      throw fail(`the recipe names scheme "${name}", which the pipeline does not use (it uses: ${Object.keys(schemes).join(', ') || 'none'})`, { scheme: name, available: Object.keys(schemes) },
        'Add the scheme plugin with pipeline.use(...) or fix the recipe.');
    }
    return b;
  };
  binding(defaultScheme);
  for (const o of recipe.overrides ?? []) if (o.scheme !== undefined) binding(o.scheme);

  const idx = indexGraph(model);
  const exclude = new Set(recipe.exclude ?? []);
  const placement = placeQuantization(idx, recipe.mode, (n: Node) => exclude.has(n.name) || exclude.has(n.opType));
  const tensors: Record<string, PlanEntry> = {};

  for (const d of placement.drafts.values()) {
    const hits = (recipe.overrides ?? []).filter((o) => matches(o, d, idx));
    const schemeName = hits.reduce<string>((s, o) => o.scheme ?? s, defaultScheme);
    const { definition, options: useOptions } = binding(schemeName);
    const role = d.role;
    if (!schemeSupports(definition, role)) {
      if (role === 'activation') {
        throw fail(`scheme "${schemeName}" does not quantize activations, but a ${recipe.mode} plan needs ${d.tensor} quantized`, { scheme: schemeName, tensor: d.tensor, mode: recipe.mode },
          'Use mode "weight-only" with this scheme, or a scheme that supports activations.');
      }
      continue;
    }
    if (role === 'bias') {
      const w = tensors[d.dependsOn!.weight];
      if (w === undefined || tensors[d.dependsOn!.input] === undefined || w.granularity === 'per-group') continue;
    }
    const merged = { ...useOptions, ...(schemeName === defaultScheme ? recipeSchemeOptions(recipe) : {}) };
    for (const o of hits) Object.assign(merged, o.options ?? {});
    const options = resolveSchemeOptions(definition, merged) as Record<string, unknown>;
    const dims = idx.dims(d.tensor);
    const dtype = idx.dtype(d.tensor);
    let layout: Pick<PlanEntry, 'granularity' | 'axis' | 'blockSize'>;
    let bits: number;
    if (role === 'activation') {
      const fmt: ActivationFormat = Object.assign({}, recipe.activations, ...hits.map((o) => o.activations ?? {}));
      bits = fmt.bits ?? DEFAULT_BITS;
      layout = { granularity: 'per-tensor' };
    } else if (role === 'weight') {
      const fmt: WeightFormat = Object.assign({}, recipe.weights, ...hits.map((o) => o.weights ?? {}));
      bits = fmt.bits ?? DEFAULT_BITS;
      layout = weightLayout(d, fmt, dims);
    } else {
      bits = 32;
      const w = tensors[d.dependsOn!.weight]!;
      const channels = w.axis === undefined ? undefined : w.dims?.[w.axis];
      if (w.granularity === 'per-channel') {
        if (dims?.length !== 1 || dims[0] !== channels) continue;
        layout = { granularity: 'per-channel', axis: 0 };
      } else {
        layout = { granularity: 'per-tensor' };
      }
    }
    const info: TensorPlanInfo = { name: d.tensor, role, consumers: d.consumers, bits, ...layout };
    if (dims !== undefined) info.dims = dims;
    if (dtype !== null) info.dtype = dtype;
    let stats: StatRequest | null = null;
    if (role === 'activation' && recipe.mode === 'static') {
      const requested = definition.statsFor('activation', info, options);
      if (requested === null) {
        throw fail(`scheme "${schemeName}" asked for no statistics for activation ${d.tensor}; a static plan needs them`, { scheme: schemeName, tensor: d.tensor });
      }
      stats = withCalibrator(requested, recipe);
    }
    const entry: PlanEntry = { tensor: d.tensor, role, scheme: schemeName, options, consumers: d.consumers, bits, ...layout, stats };
    if (d.producer !== undefined) entry.producer = d.producer;
    if (d.dependsOn !== undefined) entry.dependsOn = { ...d.dependsOn };
    if (dims !== undefined) entry.dims = dims;
    if (dtype !== null) entry.dtype = dtype;
    tensors[d.tensor] = entry;
  }
  for (const [tensor, group] of tieGroups(tensors, placement.ties)) tensors[tensor]!.tieGroup = group;
  return validatePlan({ version: 1, tensors, excluded: placement.excluded });
}
