import { QuantforgeError } from '../errors/error.js';
import type { QuantforgePlugin, SchemeProvider } from '../plugins/types.js';
import type { SchemeDefinition } from '../quant/scheme.js';
import type { Recipe } from './recipe.js';

/**
 * One scheme of a plugin, with options, as passed to `pipeline.use(...)`. A scheme plugin usually exports a factory
 * returning it (`uniform({ bits: 4 })`).
 *
 * @example
 * ```ts
 * export const uniform = (options: Partial<UniformOptions> = {}): SchemeUse => ({ plugin, scheme: 'uniform', options });
 * pipeline.use(uniform({ bits: 4 }));
 * ```
 */
export interface SchemeUse {
  /** The plugin value; its `schemes[scheme]` must be a {@link SchemeDefinition} (see {@link schemeProvider}). */
  plugin: QuantforgePlugin;
  scheme: string;
  /** Options over the scheme's defaults (shallow); validated when added. */
  options?: Record<string, unknown>;
}

/**
 * A bundle of uses and an optional recipe (unified's preset). The recipe applies unless `.recipe()` sets one.
 *
 * @example
 * ```ts
 * const int8: PipelinePreset = { name: 'int8', plugins: [uniform({ bits: 8 })], recipe: { scheme: 'uniform', mode: 'static' } };
 * ```
 */
export interface PipelinePreset {
  name?: string;
  plugins: readonly Usable[];
  recipe?: Recipe;
}

/**
 * What `pipeline.use` accepts: a {@link SchemeUse}, a scheme plugin (its only scheme, default options), a
 * `[plugin, options]` tuple, a {@link PipelinePreset}, or a falsy value (ignored, for conditional composition).
 */
export type Usable = SchemeUse | QuantforgePlugin | readonly [QuantforgePlugin, Record<string, unknown>] | PipelinePreset | false | null | undefined;

/**
 * Types a scheme definition as a registry provider, so a plugin can list it under `schemes`. The provider IS the
 * definition: the pipeline reads `statsFor`, `quantizeWeight`, … from it on the main thread.
 *
 * @example
 * ```ts
 * export default definePlugin({ name: 'scheme-uniform', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0',
 *   schemes: { uniform: schemeProvider(uniformScheme) }, workerUrl: new URL('./worker.js', import.meta.url).href });
 * ```
 */
export function schemeProvider<O>(definition: SchemeDefinition<O>): SchemeProvider {
  return definition as unknown as SchemeProvider;
}

/**
 * The scheme definition a plugin provides under `name`; `QF_PLUGIN_UNKNOWN` when absent, `QF_INVALID_ARGUMENT` when
 * the provider is not a scheme definition.
 *
 * @example
 * ```ts
 * const def = schemeDefinitionOf(plugin, 'uniform');
 * ```
 */
export function schemeDefinitionOf(plugin: QuantforgePlugin, name: string): SchemeDefinition<unknown> {
  const provider = plugin.schemes?.[name];
  if (provider === undefined) {
    const known = Object.keys(plugin.schemes ?? {});
    throw new QuantforgeError('QF_PLUGIN_UNKNOWN', `plugin "${plugin.name}" provides no scheme "${name}" (it provides: ${known.join(', ') || 'none'})`, {
      details: { plugin: plugin.name, scheme: name, provides: known },
    });
  }
  const d = provider as unknown as Partial<SchemeDefinition<unknown>>;
  const ok = typeof d.statsFor === 'function' && typeof d.optionsSchema === 'object' && d.optionsSchema !== null
    && typeof d.supports === 'object' && d.supports !== null && Array.isArray(d.supports.roles);
  if (!ok) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `scheme "${name}" of plugin "${plugin.name}" is not a scheme definition`, {
      details: { plugin: plugin.name, scheme: name },
      hint: 'List the value returned by defineScheme under plugin.schemes (see schemeProvider).',
    });
  }
  return d as SchemeDefinition<unknown>;
}

/**
 * True when `value` looks like a {@link SchemeUse}.
 *
 * @example
 * ```ts
 * isSchemeUse({ plugin, scheme: 'uniform' }); // true
 * ```
 */
export function isSchemeUse(value: unknown): value is SchemeUse {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'plugin' in value && 'scheme' in value;
}

/**
 * True when `value` looks like a {@link PipelinePreset}.
 *
 * @example
 * ```ts
 * isPreset({ plugins: [uniform()] }); // true
 * ```
 */
export function isPreset(value: unknown): value is PipelinePreset {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Array.isArray((value as { plugins?: unknown }).plugins);
}
