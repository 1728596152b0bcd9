import semver from 'semver';
import { QuantforgeError } from '../errors/error.js';

/**
 * The plugin API version this copy of core implements. Plugins declare the range they support in their manifest
 * (`quantforge.hostApi`) and their plugin value (`hostApi`); both are checked against this on load and on register.
 * Bump the major when the plugin contract changes incompatibly.
 *
 * @example
 * ```ts
 * import { HOST_API_VERSION } from '@quantforge/core';
 * console.log(`host API ${HOST_API_VERSION}`); // "host API 1.0.0"
 * ```
 */
export const HOST_API_VERSION = '1.0.0';

/**
 * Throws `QF_PLUGIN_API_MISMATCH` unless {@link HOST_API_VERSION} satisfies `range`. The message names both sides so a
 * user can tell which package to upgrade (or that two copies of core are installed).
 *
 * @example
 * ```ts
 * assertHostApi('^1.0.0', 'scheme-uniform'); // ok on host 1.x
 * assertHostApi('^2.0.0', 'scheme-uniform'); // throws QF_PLUGIN_API_MISMATCH
 * ```
 */
export function assertHostApi(range: string, pluginName: string): void {
  if (semver.validRange(range) === null) {
    throw new QuantforgeError('QF_MANIFEST_INVALID', `plugin "${pluginName}" declares hostApi "${range}", which is not a semver range`, {
      details: { plugin: pluginName, key: 'hostApi', hostApi: range },
      hint: 'Use a range such as "^1.0.0".',
    });
  }
  if (!semver.satisfies(HOST_API_VERSION, range, { includePrerelease: true })) {
    throw new QuantforgeError(
      'QF_PLUGIN_API_MISMATCH',
      `plugin "${pluginName}" needs host API ${range}, but this @quantforge/core provides host API ${HOST_API_VERSION}`,
      {
        details: { plugin: pluginName, wanted: range, host: HOST_API_VERSION },
        hint: 'Install versions of the plugin and @quantforge/core whose API ranges meet; `npm ls @quantforge/core` shows whether an old second copy of core is loaded.',
      },
    );
  }
}
