import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWalls, isWorkspaceRoot, listWorkspacePackages, mayDepend, scanImports } from '../src/walls.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('import scanner', () => {
  it('finds static, type, re-export, side-effect, dynamic and require imports with their lines', () => {
    const src = [
      "import { a } from '@quantforge/core';",
      'import type { B } from "@quantforge/onnx";',
      "export * from './local.js';",
      "export { c, type D } from '@quantforge/runtime';",
      "import 'side-effect';",
      'const m = await import("@quantforge/testing");',
      "const r = require('quantforge');",
      'import {',
      '  x,',
      "} from '@quantforge/scheme-a';",
    ].join('\n');
    expect(scanImports(src)).toEqual([
      { specifier: '@quantforge/core', line: 1, kind: 'import' },
      { specifier: '@quantforge/onnx', line: 2, kind: 'import' },
      { specifier: './local.js', line: 3, kind: 'export-from' },
      { specifier: '@quantforge/runtime', line: 4, kind: 'export-from' },
      { specifier: 'side-effect', line: 5, kind: 'side-effect' },
      { specifier: '@quantforge/testing', line: 6, kind: 'dynamic' },
      { specifier: 'quantforge', line: 7, kind: 'require' },
      { specifier: '@quantforge/scheme-a', line: 8, kind: 'import' },
    ]);
  });

  it('ignores imports inside comments, strings, templates and regex literals', () => {
    const src = [
      '/** @example',
      " * import { loadPlugin } from '@quantforge/cli';",
      ' */',
      "// import x from '@quantforge/cli'",
      "const s = \"import y from '@quantforge/cli'\";",
      "const t = `import z from '@quantforge/cli' ${1 + 1}`;",
      "const re = /'descr'\\s*:\\s*'([^']+)'/;",
      "const obj = { import: 1 }; obj.import('x');",
      "import real from '@quantforge/core';",
    ].join('\n');
    expect(scanImports(src)).toEqual([{ specifier: '@quantforge/core', line: 9, kind: 'import' }]);
  });
});

describe('wall rules', () => {
  it('encode the architecture guide', () => {
    expect(mayDepend('core', 'onnx')).toBe(false);
    expect(mayDepend('onnx', 'core')).toBe(true);
    expect(mayDepend('onnx', 'runtime')).toBe(false);
    expect(mayDepend('runtime', 'onnx')).toBe(true);
    expect(mayDepend('testing', 'runtime')).toBe(true);
    expect(mayDepend('plugin', 'plugin')).toBe(false);
    expect(mayDepend('plugin', 'testing')).toBe(true);
    for (const role of ['core', 'onnx', 'runtime', 'testing', 'plugin'] as const) expect(mayDepend(role, 'cli')).toBe(false);
    for (const role of ['tools', 'example'] as const) expect(mayDepend(role, 'cli')).toBe(true);
  });
});

describe('checkWalls on a workspace with violations', () => {
  const ws = mkdtempSync(join(tmpdir(), 'qf-walls-'));
  afterAll(() => rmSync(ws, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(ws, path)), { recursive: true });
    writeFileSync(join(ws, path), text);
  };
  const pkg = (dir: string, name: string, dependencies: Record<string, string> = {}) =>
    write(`${dir}/package.json`, JSON.stringify({ name, version: '0.0.0', dependencies }));
  write('package.json', JSON.stringify({ name: 'ws', private: true, workspaces: ['packages/*', 'plugins/*', 'tools'] }));
  pkg('packages/core', '@quantforge/core');
  pkg('packages/onnx', '@quantforge/onnx', { '@quantforge/core': '0.0.0' });
  pkg('packages/cli', 'quantforge', { '@quantforge/core': '0.0.0', '@quantforge/scheme-a': '0.0.0' });
  pkg('plugins/scheme-a', '@quantforge/scheme-a', { '@quantforge/core': '0.0.0' });
  pkg('plugins/scheme-b', '@quantforge/scheme-b', { '@quantforge/scheme-a': '0.0.0' });
  pkg('tools', '@quantforge/tools');
  write('packages/core/src/ok.ts', "import { x } from './local.js';\nimport type { Y } from '@quantforge/core';\n");
  write('packages/core/src/bad.ts', "// core must not know onnx\nimport { decode } from '@quantforge/onnx';\n");
  write('packages/core/dist/ignored.js', "import '@quantforge/onnx';\n");
  write('packages/onnx/src/index.ts', "export * from '@quantforge/core';\n");
  write('plugins/scheme-b/src/index.ts', "const a = await import('@quantforge/scheme-a');\nimport { q } from '../../scheme-a/src/q.js';\n");
  write('plugins/scheme-a/src/index.mts', "import { run } from 'quantforge';\n");
  write('tools/src/gen.js', "import { nope } from '@quantforge/nonexistent';\n");
  write('packages/cli/src/index.ts', "import a from '@quantforge/scheme-a';\nimport { core } from '@quantforge/core';\n");

  it('reports each broken wall with file, line and a message', () => {
    const found = checkWalls(ws).map((v) => `${v.file}:${v.line} ${v.from} -> ${v.to}`);
    expect(found.sort()).toEqual([
      'packages/core/src/bad.ts:2 @quantforge/core -> @quantforge/onnx',
      'plugins/scheme-a/src/index.mts:1 @quantforge/scheme-a -> quantforge',
      'plugins/scheme-b/package.json:1 @quantforge/scheme-b -> @quantforge/scheme-a',
      'plugins/scheme-b/src/index.ts:1 @quantforge/scheme-b -> @quantforge/scheme-a',
      'plugins/scheme-b/src/index.ts:2 @quantforge/scheme-b -> @quantforge/scheme-a',
      'tools/src/gen.js:1 @quantforge/tools -> @quantforge/nonexistent',
    ].sort());
    const relative = checkWalls(ws).find((v) => v.file === 'plugins/scheme-b/src/index.ts' && v.line === 2);
    expect(relative?.message).toContain('relative path');
  });
});

describe('the Quantforge workspace', () => {
  it('keeps its walls', () => {
    expect(isWorkspaceRoot(root)).toBe(true);
    const packages = listWorkspacePackages(root).map((p) => p.name);
    expect(packages).toEqual(expect.arrayContaining(['@quantforge/core', '@quantforge/onnx', '@quantforge/runtime', '@quantforge/testing', 'quantforge']));
    const violations = checkWalls(root).map((v) => `${v.file}:${v.line} ${v.message}`);
    expect(violations).toEqual([]);
  });
});
