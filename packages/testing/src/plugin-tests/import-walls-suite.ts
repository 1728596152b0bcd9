import { describe, expect, it } from 'vitest';
import { findImportProblems, SCHEME_PLUGIN_IMPORTS } from './import-walls.js';

/**
 * Declares the `module boundaries` suite of a scheme plugin: one test that its sources import only core, typebox,
 * Node built-ins and their own files ({@link SCHEME_PLUGIN_IMPORTS}), one that relative imports end in `.js`. For
 * other rules call {@link findImportProblems} with your own patterns.
 *
 * @example
 * ```ts
 * // plugins/scheme-uniform/test/boundaries.test.ts
 * import { describeImportBoundaries } from '@quantforge/testing/vitest';
 * describeImportBoundaries(new URL('../src/', import.meta.url));
 * ```
 */
export function describeImportBoundaries(srcDir: string | URL): void {
  describe('module boundaries', () => {
    it('imports only core, typebox, node built-ins and its own files from src', () => {
      expect(findImportProblems(srcDir, SCHEME_PLUGIN_IMPORTS).disallowed).toEqual([]);
    });

    it('writes relative imports with .js extensions', () => {
      expect(findImportProblems(srcDir, SCHEME_PLUGIN_IMPORTS).missingJsExtension).toEqual([]);
    });
  });
}
