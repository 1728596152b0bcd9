import { QuantforgeError } from '../errors/error.js';
import type { QuantforgePlugin } from '../plugins/types.js';
import { resolveSchemeOptions } from '../quant/scheme.js';
import type { Recipe } from './recipe.js';
import { isPreset, isSchemeUse, schemeDefinitionOf, type Usable } from './scheme-use.js';
import type { ActiveScheme } from './stages/scheme-tasks.js';

function isPlugin(v: unknown): v is QuantforgePlugin {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { name?: unknown }).name === 'string' && 'kind' in v;
}

function isPlainOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isPlugin(v) && !isSchemeUse(v) && !isPreset(v);
}

function onlyScheme(plugin: QuantforgePlugin): string {
  const names = Object.keys(plugin.schemes ?? {});
  if (names.length !== 1) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `plugin "${plugin.name}" provides ${names.length} schemes (${names.join(', ') || 'none'}); say which one to use`, {
      details: { plugin: plugin.name, schemes: names },
      hint: 'Pass { plugin, scheme: "<name>", options } to pipeline.use.',
    });
  }
  return names[0]!;
}

/**
 * The schemes a pipeline uses, keyed by scheme name. Using a scheme again merges its options (later keys win), as
 * unified does; options are validated against the scheme's schema on every use (`QF_OPTIONS_INVALID`).
 */
export class SchemeUses {
  readonly #uses = new Map<string, ActiveScheme & { raw: Record<string, unknown> }>();
  /** The recipe of the last preset used, if any. */
  presetRecipe: Recipe | undefined;

  add(item: Usable | readonly Usable[]): void {
    if (item === false || item === null || item === undefined) return;
    if (Array.isArray(item)) {
      const [first, second] = item as readonly unknown[];
      if (item.length === 2 && isPlugin(first) && isPlainOptions(second)) this.#addScheme(first, onlyScheme(first), second);
      else for (const x of item as readonly Usable[]) this.add(x);
      return;
    }
    if (isSchemeUse(item)) {
      const opts = item.options ?? {};
      if (!isPlainOptions(opts)) throw new QuantforgeError('QF_OPTIONS_INVALID', `options of scheme "${item.scheme}" must be an object`, { details: { scheme: item.scheme } });
      this.#addScheme(item.plugin, item.scheme, opts);
      return;
    }
    if (isPreset(item)) {
      for (const x of item.plugins) this.add(x);
      if (item.recipe !== undefined) this.presetRecipe = item.recipe;
      return;
    }
    if (isPlugin(item)) {
      this.#addScheme(item, onlyScheme(item), {});
      return;
    }
    throw new QuantforgeError('QF_INVALID_ARGUMENT', 'pipeline.use takes a scheme use, a plugin, [plugin, options], a preset or a list of them', {
      details: { type: typeof item },
    });
  }

  #addScheme(plugin: QuantforgePlugin, scheme: string, options: Record<string, unknown>): void {
    if (plugin.kind !== 'scheme') {
      throw new QuantforgeError('QF_INVALID_ARGUMENT', `plugin "${plugin.name}" is a ${plugin.kind} plugin; pipeline.use takes scheme plugins`, {
        details: { plugin: plugin.name, kind: plugin.kind },
      });
    }
    const definition = schemeDefinitionOf(plugin, scheme);
    const prior = this.#uses.get(scheme);
    if (prior !== undefined && prior.plugin.name !== plugin.name) {
      throw new QuantforgeError('QF_PLUGIN_CONFLICT', `scheme "${scheme}" is already used from plugin "${prior.plugin.name}"; cannot use it from "${plugin.name}" too`, {
        details: { scheme, plugin: plugin.name, usedFrom: prior.plugin.name },
      });
    }
    const raw = { ...(prior?.raw ?? {}), ...options };
    const resolved = resolveSchemeOptions(definition, raw) as Record<string, unknown>;
    const use: ActiveScheme & { raw: Record<string, unknown> } = { name: scheme, plugin, definition, options: resolved, raw };
    if (plugin.workerUrl !== undefined) use.workerUrl = plugin.workerUrl;
    this.#uses.set(scheme, use);
  }

  get(name: string): ActiveScheme | undefined {
    return this.#uses.get(name);
  }

  names(): string[] {
    return [...this.#uses.keys()];
  }

  all(): ActiveScheme[] {
    return [...this.#uses.values()];
  }
}
