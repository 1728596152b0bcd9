import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// onnx-buf is used behind one module: packages/onnx/src/codec.ts. Only this package's tests (which build fixtures
// with onnx-buf's create()) and its benchmark (which times the bare codec as the peer) may import it too.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ALLOWED = [join('packages', 'onnx', 'src', 'codec.ts'), join('packages', 'onnx', 'test') + sep, join('packages', 'onnx', 'bench') + sep];
const SKIP = new Set(['node_modules', 'dist', '.nx', '.git', 'coverage']);

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    if (SKIP.has(e)) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(c|m)?(t|j)sx?$/.test(e)) out.push(p);
  }
  return out;
}

describe('module boundary', () => {
  it('only packages/onnx/src/codec.ts imports onnx-buf', () => {
    const offenders = sources(ROOT)
      .map((p) => relative(ROOT, p))
      .filter((rel) => !ALLOWED.some((a) => rel === a || rel.startsWith(a)))
      .filter((rel) => /(from\s+|import\s*\(\s*|require\s*\(\s*)['"]onnx-buf['"/]/.test(readFileSync(join(ROOT, rel), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the package sources import only core, the protobuf runtime and node builtins', () => {
    const src = join(ROOT, 'packages', 'onnx', 'src');
    for (const file of sources(src)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)) {
        expect(m[1]!, relative(ROOT, file)).toMatch(/^(\.\.?\/|node:|@quantforge\/core$|@bufbuild\/protobuf$|onnx-buf$)/);
      }
    }
  });
});
