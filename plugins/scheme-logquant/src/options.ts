import { Type, type Static } from '@sinclair/typebox';
import { QuantforgeError, validateOptions } from '@quantforge/core';

/**
 * TypeBox schema of {@link LogQuantOptions} (the scheme's `optionsSchema` and its part of the recipe JSON Schema).
 * Flat on purpose: the pipeline merges options shallowly over the defaults.
 */
export const LogQuantOptionsSchema = Type.Object({
  bits: Type.Optional(Type.Integer({ minimum: 2, maximum: 8, description: "Weight code width including the sign bit (2–8); unset: the plan's" })),
  activationBits: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, description: "Activation code width (a sign bit is added to it only when activations are signed); unset: the plan's" })),
  base: Type.Union([Type.Literal(2), Type.Literal('sqrt2')], { description: 'Base of the level ladder: 2 (Miyashita) or √2 (half-octave steps)' }),
  fsr: Type.Union([Type.Literal('max'), Type.Literal('search')], {
    description: 'max: the top level is the one the largest magnitude rounds to; search: the full-scale range with the least squared error',
  }),
  perChannel: Type.Boolean({ description: 'One full-scale range per weight channel (channelFsr) instead of one per tensor' }),
  axis: Type.Optional(Type.Integer({ description: "Channel axis for perChannel; unset: the plan's axis, else 0" })),
  searchOctaves: Type.Integer({ minimum: 1, maximum: 32, description: 'How many octaves below the max-derived range the fsr search looks' }),
  calibrator: Type.Optional(Type.Union([Type.Literal('minmax'), Type.Literal('log-histogram')], {
    description: "Activation statistics: minmax (fsr 'max') or the 1/16-octave log histogram (needed by fsr 'search'); unset: picked from fsr",
  })),
  activationSigned: Type.Union([Type.Boolean(), Type.Literal('auto')], {
    description: 'Signed activation codes; auto: signed only when calibration saw negative values (ReLU outputs stay unsigned)',
  }),
}, { additionalProperties: false });

/** Options of the LogQuant scheme as written (every field but the defaulted ones optional). */
export type LogQuantOptions = Partial<Static<typeof LogQuantOptionsSchema>>;

/** The options after defaults, with the calibrator chosen. */
export type ResolvedLogQuantOptions = Static<typeof LogQuantOptionsSchema> & { calibrator: 'minmax' | 'log-histogram' };

/** Defaults: base 2, fsr from the maximum, one range per tensor, signedness of activations from calibration. */
export const DEFAULT_LOGQUANT_OPTIONS: Static<typeof LogQuantOptionsSchema> = {
  base: 2, fsr: 'max', perChannel: false, searchOctaves: 8, activationSigned: 'auto',
};

/**
 * Merges options over {@link DEFAULT_LOGQUANT_OPTIONS}, validates them (`QF_OPTIONS_INVALID` listing every problem)
 * and picks the calibrator: `log-histogram` when `fsr` is `'search'` (the search needs the distribution), else
 * `minmax`. A `minmax` calibrator with `fsr: 'search'` is rejected.
 *
 * @example
 * ```ts
 * resolveLogQuantOptions({ bits: 4, fsr: 'search' }).calibrator; // 'log-histogram'
 * ```
 */
export function resolveLogQuantOptions(input: unknown = {}): ResolvedLogQuantOptions {
  const given = validateOptions(Type.Partial(LogQuantOptionsSchema, { additionalProperties: false }), input, 'logquant scheme options');
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const merged = validateOptions(LogQuantOptionsSchema, { ...DEFAULT_LOGQUANT_OPTIONS, ...defined }, 'logquant scheme options');
  if (merged.calibrator === 'minmax' && merged.fsr === 'search') {
    throw new QuantforgeError('QF_OPTIONS_INVALID', "invalid logquant scheme options: /calibrator: fsr 'search' needs the log-histogram calibrator", {
      details: { owner: 'logquant scheme options', problems: [{ path: '/calibrator', message: "fsr 'search' needs calibrator 'log-histogram'" }] },
      hint: "Drop calibrator (it is chosen from fsr) or set calibrator: 'log-histogram'",
    });
  }
  if (merged.axis !== undefined && !merged.perChannel) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', 'invalid logquant scheme options: /axis: axis needs perChannel', {
      details: { owner: 'logquant scheme options', problems: [{ path: '/axis', message: 'axis needs perChannel: true' }] },
    });
  }
  return { ...merged, calibrator: merged.calibrator ?? (merged.fsr === 'search' ? 'log-histogram' : 'minmax') };
}
