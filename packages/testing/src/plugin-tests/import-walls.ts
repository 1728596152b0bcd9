/**
 * A plugin's own import rules, stricter than the workspace walls (tools/src/walls.ts), which allow a plugin onnx,
 * runtime and testing and never look at third-party names or file extensions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What {@link findImportProblems} found; each entry is `file: specifier`, file relative to the source folder. */
export interface ImportProblems {
  /** Specifiers that match none of the allowed patterns. */
  disallowed: string[];
  /** Relative `from '…'` specifiers that do not end in `.js` (ESM needs the emitted file's name). */
  missingJsExtension: string[];
}

/** What a scheme plugin's sources may import: core, typebox, Node built-ins and their own files. */
export const SCHEME_PLUGIN_IMPORTS: readonly RegExp[] = [/^@quantforge\/core$/, /^@sinclair\/typebox(\/.*)?$/, /^node:/, /^\.\.?\//];

/** Source code without comments: TSDoc examples show imports a user would write. */
function code(path: string): string {
  return readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...tsFiles(p));
    else if (d.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

/**
 * Scans every `.ts` file under `srcDir` (comments removed) for single-quoted import specifiers (`from '…'`,
 * `import '…'`, `import('…')`) outside `allowed`, and for relative `from` imports without a `.js` extension.
 *
 * @example
 * ```ts
 * const problems = findImportProblems(new URL('../src/', import.meta.url));
 * // { disallowed: [], missingJsExtension: [] } for a clean plugin
 * ```
 */
export function findImportProblems(srcDir: string | URL, allowed: readonly RegExp[] = SCHEME_PLUGIN_IMPORTS): ImportProblems {
  const dir = typeof srcDir === 'string' ? srcDir : fileURLToPath(srcDir);
  const problems: ImportProblems = { disallowed: [], missingJsExtension: [] };
  for (const path of tsFiles(dir)) {
    const file = relative(dir, path).split('\\').join('/');
    const text = code(path);
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      if (!allowed.some((re) => re.test(m[1]!))) problems.disallowed.push(`${file}: ${m[1]}`);
    }
    for (const m of text.matchAll(/from\s*'(\.[^']+)'/g)) if (!m[1]!.endsWith('.js')) problems.missingJsExtension.push(`${file}: ${m[1]}`);
  }
  return problems;
}
