import { QuantforgeError } from '@quantforge/core';
import type { ActivationOptions, WeightOptions } from './options.js';

/** Which option group a format spec describes; activations are per-tensor and take no clipping. */
export type FormatTarget = 'weights' | 'activations';

const TYPE = /^(u?)int(\d+)$/;
const INT = /^-?\d+$/;

const WEIGHT_TOKENS = 'int2…int16, uint2…uint16, per-tensor, per-channel[:axis], per-group[:blockSize], axis:N, sym, asym, narrow, full, pow2, minmax, mse, percentile[:p]';
const ACTIVATION_TOKENS = 'int2…int16, uint2…uint16, per-tensor, sym, asym, narrow, full, pow2';

function bad(spec: string, token: string, index: number, why: string, target: FormatTarget): QuantforgeError {
  return new QuantforgeError('QF_OPTIONS_INVALID', `bad ${target} format "${spec}": token "${token}" ${why}`, {
    details: { owner: `${target} format`, spec, token, index, problems: [{ path: `/${index}`, message: `${token}: ${why}` }] },
    hint: `Write comma-separated tokens such as "int8,per-channel,sym"; allowed: ${target === 'weights' ? WEIGHT_TOKENS : ACTIVATION_TOKENS}`,
  });
}

/**
 * Parses the CLI shorthand of a number format (`--weights int8,per-channel,sym`, `--activations uint8,per-tensor,asym`)
 * into the options it sets; fields it does not mention stay at the scheme's defaults when merged by `uniform(...)`.
 *
 * Tokens: `intN` / `uintN` (N = 2–16), `per-tensor`, `per-channel` or `per-channel:<axis>`, `per-group` or
 * `per-group:<blockSize>`, `axis:<n>`, `sym` / `asym` (also `symmetric` / `asymmetric`), `narrow` / `full`
 * (narrow range on / off), `pow2`; for weights also the clipping `minmax`, `mse`, `percentile` or `percentile:<p>`.
 * Setting one field twice, or an unknown token, throws `QF_OPTIONS_INVALID` naming the token.
 *
 * @example
 * ```ts
 * parseFormatSpec('int4,per-group:32,asym'); // { bits: 4, signed: true, granularity: 'per-group', blockSize: 32, symmetric: false }
 * parseFormatSpec('uint8,per-tensor,asym', 'activations'); // { bits: 8, signed: false, symmetric: false }
 * ```
 */
export function parseFormatSpec(spec: string, target: 'activations'): Partial<ActivationOptions>;
export function parseFormatSpec(spec: string, target?: 'weights'): Partial<WeightOptions>;
export function parseFormatSpec(spec: string, target: FormatTarget = 'weights'): Partial<WeightOptions> | Partial<ActivationOptions> {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `bad ${target} format: expected comma-separated tokens, got ${JSON.stringify(spec)}`, {
      details: { owner: `${target} format`, spec, problems: [{ path: '', message: 'Expected a non-empty string' }] },
      hint: `Write e.g. "${target === 'weights' ? 'int8,per-channel,sym' : 'uint8,per-tensor,asym'}"`,
    });
  }
  const out: Record<string, unknown> = {};
  const tokens = spec.split(',').map((t) => t.trim().toLowerCase());
  tokens.forEach((token, index) => {
    const set = (fields: Record<string, unknown>): void => {
      for (const [k, v] of Object.entries(fields)) {
        if (k in out && out[k] !== v) throw bad(spec, token, index, `contradicts an earlier token (${k} is already ${JSON.stringify(out[k])})`, target);
        out[k] = v;
      }
    };
    const weightsOnly = (): void => {
      if (target !== 'weights') throw bad(spec, token, index, 'applies to weights only (activations are per-tensor, ranges come from calibration)', target);
    };
    const [head = '', arg, ...rest] = token.split(':');
    if (token === '') throw bad(spec, token, index, 'is empty', target);
    if (rest.length > 0) throw bad(spec, token, index, 'has more than one ":" argument', target);
    const intArg = (min: number): number => {
      if (arg === undefined || !INT.test(arg) || Number(arg) < min) throw bad(spec, token, index, `needs an integer argument${min > -Infinity ? ` ≥ ${min}` : ''}`, target);
      return Number(arg);
    };
    const noArg = (): void => {
      if (arg !== undefined) throw bad(spec, token, index, 'takes no ":" argument', target);
    };
    const type = TYPE.exec(head);
    if (type !== null) {
      noArg();
      const bits = Number(type[2]);
      if (!(bits >= 2 && bits <= 16)) throw bad(spec, token, index, 'needs a bit width of 2–16', target);
      set({ bits, signed: type[1] === '' });
      return;
    }
    switch (head) {
      case 'per-tensor': noArg(); set({ granularity: 'per-tensor' }); break;
      case 'per-channel':
        weightsOnly();
        set(arg === undefined ? { granularity: 'per-channel' } : { granularity: 'per-channel', axis: intArg(-Infinity) });
        break;
      case 'per-group':
        weightsOnly();
        set(arg === undefined ? { granularity: 'per-group' } : { granularity: 'per-group', blockSize: intArg(1) });
        break;
      case 'axis': weightsOnly(); set({ axis: intArg(-Infinity) }); break;
      case 'sym': case 'symmetric': noArg(); set({ symmetric: true }); break;
      case 'asym': case 'asymmetric': noArg(); set({ symmetric: false }); break;
      case 'narrow': noArg(); set({ narrowRange: true }); break;
      case 'full': noArg(); set({ narrowRange: false }); break;
      case 'pow2': noArg(); set({ powerOfTwo: true }); break;
      case 'minmax': case 'mse': weightsOnly(); noArg(); set({ clipping: head }); break;
      case 'percentile': {
        weightsOnly();
        if (arg === undefined) {
          set({ clipping: 'percentile' });
          break;
        }
        const p = Number(arg);
        if (!(p > 50 && p <= 100)) throw bad(spec, token, index, 'needs a percentile in (50, 100]', target);
        set({ clipping: 'percentile', percentile: p });
        break;
      }
      default: throw bad(spec, token, index, 'is not a known format token', target);
    }
  });
  // Per-tensor is the only activation granularity, so it sets nothing there.
  if (target === 'activations') delete out.granularity;
  return out as Partial<WeightOptions>;
}
