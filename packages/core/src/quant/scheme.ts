import type { TSchema } from '@sinclair/typebox';
import { QuantforgeError } from '../errors/error.js';
import type { DType } from '../ir/dtype.js';
import type { Dim } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { Range } from './affine.js';
import type { Encoding, EncodingKind, QuantizedTensor } from './encoding.js';
import type { ObserverState } from './observers/index.js';
import { validateOptions } from './options.js';
import type { ConsumerRef, Granularity, StatRequest, TensorRole } from './plan.js';

/** What a scheme knows about a tensor at plan time. */
export interface TensorPlanInfo {
  name: string;
  role: TensorRole;
  /** Shape if known (activations may have symbolic or unknown dims). */
  dims?: readonly Dim[];
  dtype?: DType;
  consumers: readonly ConsumerRef[];
  /** The plan's bit width and granularity hints (from the recipe and the backend's capabilities). */
  bits: number;
  granularity: Granularity;
  axis?: number;
  blockSize?: number;
}

/** What a scheme knows when it materializes an encoding (in a worker for weights). */
export interface TensorQuantInfo extends TensorPlanInfo {
  /** Per-tensor seed derived from the run seed ({@link tensorSeed}); the same seed gives the same bytes. */
  seed: number;
  /** Encodings of the tensors named in the plan entry's `dependsOn` (a bias gets `input` and `weight`). */
  dependencies: Readonly<Record<string, Encoding>>;
}

/** The calibration result for one activation: the finalized range, the request, and the merged observer state. */
export interface ActivationStats {
  range: Range;
  request: StatRequest;
  state: ObserverState;
}

/**
 * A quantization scheme: plain data plus pure functions, passed by value (`pipeline.use(uniform({ bits: 8 }))`).
 *
 * - `optionsSchema` (TypeBox) is the single source of the options' TypeScript type and of the recipe JSON Schema;
 *   `defaults` must validate against it ({@link defineScheme} checks).
 * - `statsFor` runs at plan time and names the statistics a tensor needs, or null (weights and biases are read
 *   directly).
 * - `encodeActivation` turns calibration statistics into an encoding (activations carry no codes);
 *   `quantizeWeight` turns a constant tensor (weight, bias, gradient) into encoding + codes. It must be pure and
 *   deterministic given `info.seed`: it runs in a worker with JSON options.
 * - `supports` lists the roles and encoding kinds; a method is present exactly when a role needing it is supported.
 *
 * How the mission's schemes fit (prose, not implementations):
 * - **Uniform**: `statsFor('activation')` → `{ observer: 'entropy' | 'minmax' | …, finalize: { bits, signed,
 *   symmetric } }`; `encodeActivation` → `affineEncoding(stats.range, format)`; `quantizeWeight` →
 *   `reduceRanges` + `affineEncoding` + `quantizeWith`; a bias uses `dependencies.input` and `.weight` for
 *   `scale = s_in · s_w[c]`, 32 bits.
 * - **LogQuant**: activations request `minmax` or `percentile`; `encodeActivation` picks
 *   `fsr = ceil(log2(range.max))` and returns `{ kind: 'log', step: 1 (or 0.5 for √2), fsr,
 *   minExponent: fsr − (2^bits − 1)·step, zeroCode: true }`; weights add `signed: true` and one sign bit, optionally
 *   `channelFsr` per output channel; `quantizeWith` does the rounding.
 * - **Weighted entropy** (Park et al.): weights are clustered (codebook encoding, `subvectorLength: 1`); activations
 *   request `'log-histogram'` (1/16-octave bins), search Park's (fsr, step) on `stats.state` for the largest weighted
 *   entropy and return a log encoding whose `minExponent` is Park's "fsr", `step` his log step and
 *   `fsr = minExponent + L·step`.
 * - **k-means / product VQ**: `supports.roles = ['weight']`, `statsFor` returns null; `quantizeWeight` runs k-means
 *   seeded by `info.seed` and returns `{ kind: 'codebook', centroids, k, groups, subvectorLength: d, grouping:
 *   'tensor' | 'channel' | 'subspace', layout: { perm, rowLength } }` with uint8/uint16 indices, optionally a
 *   `residual` stage; `dequantize` is the reference.
 * - **Ternary / TernGrad**: `quantizeWeight` computes `scale` (e.g. max|g| per tensor or channel) and, for TernGrad,
 *   stochastic codes from `info.seed` (so it builds codes itself instead of `quantizeWith`), returning
 *   `{ kind: 'ternary', scale }` with int8 codes in {−1, 0, 1}; TWN-style schemes set `threshold` and may use
 *   `quantizeWith`. Gradients use role `'gradient'`.
 *
 * @example
 * ```ts
 * const Options = Type.Object({ bits: Type.Integer({ minimum: 2, maximum: 16 }) });
 * const scheme = defineScheme({
 *   name: 'tiny-uniform', optionsSchema: Options, defaults: { bits: 8 },
 *   supports: { roles: ['weight'], encodings: ['affine'] },
 *   statsFor: () => null,
 *   quantizeWeight: (t, o) => { const d = t.data as Float32Array;
 *     const e = affineEncoding(tensorRange(d), { bits: o.bits, signed: true, symmetric: true });
 *     return quantizeWith(e, d, t.dims); },
 * });
 * ```
 */
export interface SchemeDefinition<Options> {
  name: string;
  optionsSchema: TSchema;
  defaults: Options;
  supports: { roles: readonly TensorRole[]; encodings: readonly EncodingKind[] };
  statsFor(role: TensorRole, info: TensorPlanInfo, options: Options): StatRequest | null;
  encodeActivation?(stats: ActivationStats, options: Options, info: TensorQuantInfo): Encoding;
  quantizeWeight?(tensor: Tensor, options: Options, info: TensorQuantInfo): QuantizedTensor | Promise<QuantizedTensor>;
}

/**
 * Checks a scheme definition and returns it: a non-empty name, defaults valid against the options schema
 * (`QF_OPTIONS_INVALID`), and the methods its roles need (`QF_INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * export const myScheme = defineScheme({ name: 'my', optionsSchema, defaults, supports, statsFor, quantizeWeight });
 * ```
 */
export function defineScheme<Options>(def: SchemeDefinition<Options>): SchemeDefinition<Options> {
  if (typeof def.name !== 'string' || def.name.length === 0) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', 'a scheme needs a non-empty name', { details: { name: def.name } });
  }
  validateOptions(def.optionsSchema, def.defaults, `${def.name} scheme defaults`);
  const roles = def.supports.roles;
  const missing: string[] = [];
  if (roles.includes('activation') && def.encodeActivation === undefined) missing.push('encodeActivation');
  if (roles.some((r) => r !== 'activation') && def.quantizeWeight === undefined) missing.push('quantizeWeight');
  if (missing.length > 0) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `scheme ${def.name} supports ${roles.join(', ')} but lacks ${missing.join(', ')}`, {
      details: { name: def.name, roles: [...roles], missing },
    });
  }
  return def;
}

/**
 * Applies a scheme's defaults under user options (shallow: top-level keys of `options` win) and validates the result
 * against the scheme's schema (`QF_OPTIONS_INVALID` listing every problem).
 *
 * @example
 * ```ts
 * const opts = resolveSchemeOptions(uniform, { bits: 4 });
 * ```
 */
export function resolveSchemeOptions<Options>(def: SchemeDefinition<Options>, options: unknown = {}): Options {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return validateOptions(def.optionsSchema, options, `${def.name} scheme options`) as Options;
  }
  const merged = { ...(def.defaults as object), ...(options as object) };
  return validateOptions(def.optionsSchema, merged, `${def.name} scheme options`) as Options;
}

/**
 * True when a scheme quantizes tensors of `role`.
 *
 * @example
 * ```ts
 * schemeSupports(kmeans, 'activation'); // false
 * ```
 */
export function schemeSupports<Options>(def: SchemeDefinition<Options>, role: TensorRole): boolean {
  return def.supports.roles.includes(role);
}

/**
 * A 32-bit seed for one tensor from the run seed and the tensor name (FNV-1a over the name, mixed with the seed), so
 * results do not depend on worker count or scheduling order.
 *
 * @example
 * ```ts
 * tensorSeed(42, 'conv1.weight'); // same number on every run and worker
 * ```
 */
export function tensorSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}
