import { QuantforgeError, type Exporter, type Recipe, type SchemeUse } from '@quantforge/core';
import { codebookExporter, qdqExporter, simulatedExporter } from '@quantforge/onnx';
import { logQuant } from '@quantforge/scheme-logquant';
import { uniform } from '@quantforge/scheme-uniform';
import { kmeans, pq } from '@quantforge/scheme-vq';
import { weightedEntropy } from '@quantforge/scheme-weighted-entropy';

/** The scheme names `--scheme` accepts, in help order. */
export const SCHEME_NAMES = ['uniform', 'logquant', 'weighted-entropy', 'kmeans', 'pq'] as const;
/** `'uniform' | 'logquant' | 'weighted-entropy' | 'kmeans' | 'pq'`. */
export type SchemeName = (typeof SCHEME_NAMES)[number];

/** Which ONNX exporter writes the result: QDQ (affine only), simulated (dequantized values), codebook (compressed). */
export type ExporterChoice = 'qdq' | 'simulated' | 'codebook';

/**
 * The scheme-related flags of `quantforge quantize`, as `parseArgs` gives them (strings) or already typed. Every
 * field is optional; unset fields leave the recipe's or the scheme's default.
 */
export interface SchemeFlags {
  /** `--weight-bits <b>`: weight code width (pq: not allowed, use `pqCentroids`). */
  weightBits?: string | number;
  /** `--activation-bits <b>`: activation code width (schemes that quantize activations only). */
  activationBits?: string | number;
  /** `--granularity per-tensor|per-channel`: one weight range / codebook per tensor or per output channel. */
  granularity?: string;
  /** `--mode static|dynamic|weight-only`; default: static for schemes that quantize activations, else weight-only. */
  mode?: string;
  /** `--pq-dim <d>`: pq sub-vector length. */
  pqDim?: string | number;
  /** `--pq-centroids <K>`: pq centroids per sub-space. */
  pqCentroids?: string | number;
  /** `--scheme-options <json>`: the scheme's own options (a JSON object, or the parsed object). */
  schemeOptions?: string | Record<string, unknown>;
  /** `--compress`: write codebook and log weights as indices + tables (codebook exporter) instead of floats. */
  compress?: boolean;
}

/** What {@link schemeFromFlags} resolves: the scheme use, the recipe part the flags fix and the exporter to use. */
export interface SchemeSelection {
  name: SchemeName;
  /** For `pipeline.use(...)`: the plugin's factory result, options validated. */
  use: SchemeUse;
  /** A valid recipe with the scheme name, mode and the weight / activation formats the flags set. */
  recipe: Recipe;
  exporter: ExporterChoice;
}

/** What each scheme can do, for checking flag combinations before the plugin sees them. */
interface SchemeTraits {
  activations: boolean;
  bitsOption: boolean;
  perChannel: boolean;
  encodings: 'affine' | 'non-affine';
}

const TRAITS: Record<SchemeName, SchemeTraits> = {
  uniform: { activations: true, bitsOption: true, perChannel: true, encodings: 'affine' },
  logquant: { activations: true, bitsOption: true, perChannel: true, encodings: 'non-affine' },
  'weighted-entropy': { activations: true, bitsOption: true, perChannel: false, encodings: 'non-affine' },
  kmeans: { activations: false, bitsOption: true, perChannel: true, encodings: 'non-affine' },
  pq: { activations: false, bitsOption: false, perChannel: false, encodings: 'non-affine' },
};

function usage(message: string, details: Record<string, unknown>, hint: string): QuantforgeError {
  return new QuantforgeError('QF_CLI_USAGE', message, { details: { command: 'quantize', ...details }, hint });
}

function intFlag(flag: string, raw: string | number | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = typeof raw === 'number' ? raw : /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw usage(`--${flag} must be an integer from ${min} to ${max}, got "${String(raw)}"`, { flag: `--${flag}`, value: raw }, `e.g. --${flag} ${Math.min(Math.max(4, min), max)}`);
  }
  return n;
}

function parseSchemeOptions(raw: SchemeFlags['schemeOptions']): Record<string, unknown> {
  if (raw === undefined) return {};
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw usage(`--scheme-options is not valid JSON: ${(e as Error).message}`, { flag: '--scheme-options', value: raw }, 'Pass a JSON object, e.g. --scheme-options \'{"fsr":"search"}\'');
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw usage('--scheme-options must be a JSON object', { flag: '--scheme-options', value: raw }, 'Pass a JSON object, e.g. --scheme-options \'{"base":"sqrt2"}\'');
  }
  return structuredClone(value as Record<string, unknown>);
}

/** A flag and the same field in `--scheme-options` must agree; returns the flag's value, else the option's. */
function agree(flag: string, fromFlag: number | undefined, options: Record<string, unknown>, key: string): unknown {
  const fromOptions = options[key];
  if (fromFlag !== undefined && fromOptions !== undefined && fromOptions !== fromFlag) {
    throw usage(`--${flag} ${fromFlag} contradicts "${key}": ${JSON.stringify(fromOptions)} in --scheme-options`, { flag: `--${flag}`, option: key }, `Give ${key} once`);
  }
  return fromFlag ?? fromOptions;
}

function objectOf(v: unknown, key: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `invalid uniform scheme options: /${key}: must be an object`, {
      details: { owner: 'uniform scheme options', problems: [{ path: `/${key}`, message: 'must be an object' }] },
    });
  }
  return { ...(v as Record<string, unknown>) };
}

function schemeName(name: string): SchemeName {
  if (!(SCHEME_NAMES as readonly string[]).includes(name)) {
    throw usage(`unknown scheme "${name}" (known: ${SCHEME_NAMES.join(', ')})`, { flag: '--scheme', value: name }, `Use one of ${SCHEME_NAMES.join(', ')}`);
  }
  return name as SchemeName;
}

function modeOf(name: SchemeName, traits: SchemeTraits, raw: string | undefined, activationBits: number | undefined): Recipe['mode'] {
  const mode = raw ?? (traits.activations ? 'static' : 'weight-only');
  if (mode !== 'static' && mode !== 'dynamic' && mode !== 'weight-only') {
    throw usage(`--mode must be static, dynamic or weight-only, got "${mode}"`, { flag: '--mode', value: mode }, 'e.g. --mode weight-only');
  }
  if (!traits.activations && mode !== 'weight-only') {
    throw usage(`the ${name} scheme quantizes weights only: --mode ${mode} needs a scheme that quantizes activations`, { scheme: name, mode }, 'Drop --mode (weight-only is the default for this scheme)');
  }
  if (mode === 'dynamic' && name !== 'uniform') {
    throw usage(`--mode dynamic computes affine activation ranges at run time; the ${name} scheme has no run-time form`, { scheme: name, mode }, 'Use --mode static or weight-only, or --scheme uniform');
  }
  if (activationBits !== undefined && mode !== 'static') {
    throw usage(
      traits.activations ? `--activation-bits needs --mode static (got ${mode})` : `the ${name} scheme quantizes weights only: --activation-bits does not apply`,
      { scheme: name, mode, flag: '--activation-bits' },
      traits.activations ? 'Drop --activation-bits or use --mode static' : 'Drop --activation-bits, or use uniform, logquant or weighted-entropy to quantize activations',
    );
  }
  return mode;
}

/**
 * Maps the CLI's scheme flags to a plugin's scheme use, the recipe part they fix and the exporter to write with. It
 * only validates flag combinations and calls the plugins' factories (which validate their options, throwing
 * `QF_OPTIONS_INVALID`); it holds no quantization logic.
 *
 * Exporter: `qdq` for `uniform` (affine: real QuantizeLinear/DequantizeLinear); for the other schemes `codebook`
 * with `compress` (indices + centroids, log codes + tables) and `simulated` otherwise (dequantized float weights and
 * activation fake-quant, for evaluation in any ONNX runtime).
 *
 * Throws `QF_CLI_USAGE` for an unknown scheme, malformed numbers or JSON, flags the scheme does not take (`--pq-dim`
 * without `--scheme pq`, `--weight-bits` with pq, `--activation-bits` with a weight-only scheme or mode,
 * `--granularity per-channel` with weighted-entropy or pq), a flag contradicting `--scheme-options`, and a mode the
 * scheme cannot run; `QF_OPTIONS_INVALID` (from the plugin) for scheme options that do not match its schema.
 *
 * @example
 * ```ts
 * const s = schemeFromFlags('logquant', { weightBits: '3', activationBits: '4', schemeOptions: '{"fsr":"search"}' });
 * s.exporter; // 'simulated'
 * s.recipe;   // { scheme: 'logquant', mode: 'static', weights: { bits: 3 }, activations: { bits: 4 } }
 * const result = await quantforge(model, { services: { exporter: createExporter(s.exporter) } }).use(s.use).recipe(s.recipe)...;
 *
 * schemeFromFlags('pq', { pqDim: 4, pqCentroids: 256, compress: true }).exporter; // 'codebook'
 * ```
 */
export function schemeFromFlags(name: string, flags: SchemeFlags = {}): SchemeSelection {
  const scheme = schemeName(name);
  const traits = TRAITS[scheme];
  const weightBits = intFlag('weight-bits', flags.weightBits, scheme === 'uniform' ? 2 : 1, 16);
  const activationBits = intFlag('activation-bits', flags.activationBits, 2, 16);
  const pqDim = intFlag('pq-dim', flags.pqDim, 1, 256);
  const pqCentroids = intFlag('pq-centroids', flags.pqCentroids, 2, 65_536);
  if (scheme !== 'pq' && (pqDim !== undefined || pqCentroids !== undefined)) {
    const flag = pqDim !== undefined ? '--pq-dim' : '--pq-centroids';
    throw usage(`${flag} applies to --scheme pq only (got --scheme ${scheme})`, { scheme, flag }, 'Drop the flag or use --scheme pq');
  }
  if (scheme === 'pq' && weightBits !== undefined) {
    throw usage('--weight-bits does not apply to pq: its code width is log2 of --pq-centroids per sub-vector of --pq-dim weights', { scheme, flag: '--weight-bits' }, 'Use --pq-centroids K (e.g. 256 for 8-bit codes)');
  }
  const granularity = flags.granularity;
  if (granularity !== undefined && granularity !== 'per-tensor' && granularity !== 'per-channel') {
    throw usage(`--granularity must be per-tensor or per-channel, got "${granularity}"`, { flag: '--granularity', value: granularity }, 'e.g. --granularity per-channel');
  }
  if (granularity === 'per-channel' && !traits.perChannel) {
    throw usage(`the ${scheme} scheme has no per-channel form`, { scheme, flag: '--granularity' }, 'Drop --granularity or use uniform, logquant or kmeans');
  }
  const mode = modeOf(scheme, traits, flags.mode, activationBits);
  const options = parseSchemeOptions(flags.schemeOptions);

  const recipe: Recipe = { scheme, mode };
  if (weightBits !== undefined || granularity !== undefined) {
    recipe.weights = {};
    if (weightBits !== undefined && weightBits >= 2) recipe.weights.bits = weightBits;
    if (granularity !== undefined) recipe.weights.granularity = granularity;
    if (Object.keys(recipe.weights).length === 0) delete recipe.weights;
  }
  if (activationBits !== undefined) recipe.activations = { bits: activationBits };

  const o: Record<string, unknown> = { ...options };
  const put = (key: string, value: unknown): void => {
    if (value !== undefined) o[key] = value;
  };
  let use: SchemeUse;
  switch (scheme) {
    case 'uniform': {
      const weights = objectOf(options.weights, 'weights');
      const activations = objectOf(options.activations, 'activations');
      const wb = agree('weight-bits', weightBits, weights, 'bits');
      const ab = agree('activation-bits', activationBits, activations, 'bits');
      if (wb !== undefined) weights.bits = wb;
      if (ab !== undefined) activations.bits = ab;
      if (granularity !== undefined) weights.granularity = granularity;
      use = uniform({ ...options, weights, activations } as Parameters<typeof uniform>[0]);
      break;
    }
    case 'logquant':
      put('bits', agree('weight-bits', weightBits, options, 'bits'));
      put('activationBits', agree('activation-bits', activationBits, options, 'activationBits'));
      if (granularity !== undefined) o.perChannel = granularity === 'per-channel';
      use = logQuant(o as Parameters<typeof logQuant>[0]);
      break;
    case 'weighted-entropy':
      put('bits', agree('weight-bits', weightBits, options, 'bits'));
      put('activationBits', agree('activation-bits', activationBits, options, 'activationBits'));
      use = weightedEntropy(o as Parameters<typeof weightedEntropy>[0]);
      break;
    case 'kmeans':
    case 'pq':
      if (options.method !== undefined) {
        throw usage('--scheme-options cannot set "method": --scheme picks kmeans or pq', { scheme, option: 'method' }, 'Drop "method" from --scheme-options');
      }
      if (scheme === 'kmeans') {
        put('bits', agree('weight-bits', weightBits, options, 'bits'));
        if (granularity !== undefined) o.perChannel = granularity === 'per-channel';
        use = kmeans(o as Parameters<typeof kmeans>[0]);
      } else {
        put('pqDim', agree('pq-dim', pqDim, options, 'pqDim'));
        put('pqCentroids', agree('pq-centroids', pqCentroids, options, 'pqCentroids'));
        use = pq(o as Parameters<typeof pq>[0]);
      }
      break;
  }
  const exporter: ExporterChoice = traits.encodings === 'affine' ? 'qdq' : flags.compress === true ? 'codebook' : 'simulated';
  return { name: scheme, use, recipe, exporter };
}

/**
 * The exporter service for an {@link ExporterChoice}, with its defaults.
 *
 * @example
 * ```ts
 * const services = { exporter: createExporter(schemeFromFlags('kmeans', { weightBits: 4, compress: true }).exporter) };
 * ```
 */
export function createExporter(choice: ExporterChoice): Exporter {
  switch (choice) {
    case 'qdq':
      return qdqExporter();
    case 'simulated':
      return simulatedExporter();
    case 'codebook':
      return codebookExporter();
    default:
      throw new QuantforgeError('QF_INVALID_ARGUMENT', `unknown exporter "${String(choice)}" (known: qdq, simulated, codebook)`, { details: { exporter: choice } });
  }
}
