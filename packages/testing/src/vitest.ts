import { beforeAll, describe, it } from 'vitest';
import { listCases } from './case.js';
import { BASE_CHECKS, fixturesDirOf, pluginDirPath, runConformance, type ConformanceOptions, type ConformanceResult } from './conformance.js';

/**
 * Declares a vitest suite with one test per conformance check of a plugin folder: the base checks and one
 * `fixture:<case>` test per case folder. Import it from `@quantforge/testing/vitest` in a plugin's test file.
 *
 * @example
 * ```ts
 * // plugins/scheme-uniform/test/conformance.test.ts
 * import { describeConformance } from '@quantforge/testing/vitest';
 * describeConformance(new URL('..', import.meta.url));
 * ```
 */
export function describeConformance(pluginDir: string | URL, options: ConformanceOptions = {}): void {
  const dir = pluginDirPath(pluginDir);
  const fixtures = fixturesDirOf(dir, options);
  const ids = [...BASE_CHECKS, ...(fixtures === undefined ? [] : listCases(fixtures).map((c) => `fixture:${c}`))];
  describe(`quantforge conformance: ${dir}`, () => {
    let result: ConformanceResult;
    beforeAll(async () => {
      result = await runConformance(dir, options);
    }, 120_000);
    for (const id of ids) {
      it(id, (ctx) => {
        const check = result.checks.find((c) => c.id === id);
        if (check === undefined) throw new Error(`check ${id} did not run`);
        if (check.status === 'skip') ctx.skip(check.message);
        if (check.status === 'fail') throw new Error(check.message);
      });
    }
  });
}
export * from './plugin-tests/vitest.js';
