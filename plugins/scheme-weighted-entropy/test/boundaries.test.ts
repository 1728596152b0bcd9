import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url);
// A plugin may depend on core (and onnx / runtime / testing), never on another plugin.
const ALLOWED = [/^@quantforge\/core$/, /^@sinclair\/typebox(\/.*)?$/, /^node:/, /^\.\.?\//];

/** Source code without comments: TSDoc examples show imports a user would write. */
function code(file: string): string {
  return readFileSync(new URL(file, SRC), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

describe('module boundaries', () => {
  it('imports only core, typebox, node built-ins and its own files from src', () => {
    const bad: string[] = [];
    for (const file of readdirSync(SRC).filter((f) => f.endsWith('.ts'))) {
      for (const m of code(file).matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        if (!ALLOWED.some((re) => re.test(m[1]!))) bad.push(`${file}: ${m[1]}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('writes relative imports with .js extensions', () => {
    const bad: string[] = [];
    for (const file of readdirSync(SRC).filter((f) => f.endsWith('.ts'))) {
      for (const m of code(file).matchAll(/from\s*'(\.[^']+)'/g)) if (!m[1]!.endsWith('.js')) bad.push(`${file}: ${m[1]}`);
    }
    expect(bad).toEqual([]);
  });
});
