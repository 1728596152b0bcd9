import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { QuantforgeError } from '../../src/errors/index.js';
import { getPlugin, loadPlugin, resolvePluginPackage, unregisterPlugin } from '../../src/plugins/index.js';

const root = mkdtempSync(join(tmpdir(), 'qf-loader-'));
const project = join(root, 'project');
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  for (const n of ['loader-fixture', 'loader-factory', 'loader-local']) unregisterPlugin(n);
});

interface FakePlugin {
  dir: string;
  pkgName: string;
  name: string;
  main?: string;
  manifest?: Record<string, unknown>;
  withWorker?: boolean;
}

/** Writes a plain-JS plugin package; `main` is the source of its main module. */
function writePlugin(p: FakePlugin): string {
  mkdirSync(join(p.dir, 'dist'), { recursive: true });
  const manifest = {
    manifestVersion: 1, kind: 'scheme', name: p.name, hostApi: '^1.0.0', main: './dist/index.js',
    ...(p.withWorker === false ? {} : { worker: './dist/worker.js' }), provides: { schemes: [`${p.name}-s`] }, ...p.manifest,
  };
  writeFileSync(join(p.dir, 'package.json'), JSON.stringify({ name: p.pkgName, version: '1.0.0', type: 'module', quantforge: manifest }));
  const value = `{ name: ${JSON.stringify(p.name)}, kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0', schemes: { ${JSON.stringify(`${p.name}-s`)}: { name: ${JSON.stringify(`${p.name}-s`)} } } }`;
  writeFileSync(join(p.dir, 'dist', 'index.js'), p.main ?? `export default ${value};\n`);
  if (p.withWorker !== false) writeFileSync(join(p.dir, 'dist', 'worker.js'), 'export function run() { return 1; }\n');
  return p.dir;
}

async function rejection(p: Promise<unknown>): Promise<QuantforgeError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(QuantforgeError);
  return e as QuantforgeError;
}

mkdirSync(join(project, 'src'), { recursive: true });
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true }));
const fixtureDir = writePlugin({ dir: join(project, 'node_modules', 'qf-scheme-fixture'), pkgName: 'qf-scheme-fixture', name: 'loader-fixture' });
writePlugin({
  dir: join(project, 'node_modules', '@acme', 'qf-factory'), pkgName: '@acme/qf-factory', name: 'loader-factory', withWorker: false,
  main: "export default async () => ({ name: 'loader-factory', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0', schemes: { 'loader-factory-s': { name: 'loader-factory-s' } } });\n",
});

describe('loadPlugin', () => {
  it('resolves a package name from the project node_modules, registers it and sets absolute URLs', async () => {
    const p = await loadPlugin('qf-scheme-fixture', { projectDir: join(project, 'src') });
    expect(p.name).toBe('loader-fixture');
    expect(p.packageName).toBe('qf-scheme-fixture');
    expect(p.manifest?.provides.schemes).toEqual(['loader-fixture-s']);
    expect(p.workerUrl).toBe(pathToFileURL(join(fixtureDir, 'dist', 'worker.js')).href);
    expect(p.mainUrl).toBe(pathToFileURL(join(fixtureDir, 'dist', 'index.js')).href);
    expect(getPlugin('loader-fixture')?.name).toBe('loader-fixture');
    // Loading again is a no-op, not a conflict.
    await expect(loadPlugin('qf-scheme-fixture', { projectDir: project })).resolves.toMatchObject({ name: 'loader-fixture' });
  });

  it('accepts a scoped package whose default export is an async factory', async () => {
    const p = await loadPlugin('@acme/qf-factory', { projectDir: project });
    expect(p.name).toBe('loader-factory');
    expect(p.workerUrl).toBeUndefined();
  });

  it('accepts a relative or absolute path to the plugin folder or its package.json', async () => {
    const local = writePlugin({ dir: join(project, 'plugins', 'local'), pkgName: 'local-plugin', name: 'loader-local' });
    expect((await loadPlugin('./plugins/local', { projectDir: project })).name).toBe('loader-local');
    unregisterPlugin('loader-local');
    expect((await loadPlugin(join(local, 'package.json'), { projectDir: root })).name).toBe('loader-local');
  });

  it('QF_PLUGIN_NOT_FOUND lists where it looked', async () => {
    const e = await rejection(loadPlugin('qf-scheme-absent', { projectDir: join(project, 'src') }));
    expect(e.code).toBe('QF_PLUGIN_NOT_FOUND');
    expect(e.details.lookedAt).toEqual(expect.arrayContaining([join(project, 'node_modules', 'qf-scheme-absent', 'package.json')]));
    expect(e.message).toContain(join(project, 'src', 'node_modules', 'qf-scheme-absent'));
    expect((await rejection(loadPlugin('./nowhere', { projectDir: project }))).code).toBe('QF_PLUGIN_NOT_FOUND');
  });

  it('QF_PLUGIN_LOAD when main throws, exports no plugin, or disagrees with the manifest', async () => {
    const cases: Record<string, string> = {
      throws: "throw new Error('init exploded');\n",
      empty: 'export const x = 1;\n',
      renamed: "export default { name: 'other-name', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0', schemes: { 'bad-throws-s': { name: 'bad-throws-s' } } };\n",
    };
    for (const [kind, main] of Object.entries(cases)) {
      const dir = writePlugin({ dir: join(root, 'bad', kind), pkgName: `bad-${kind}`, name: `bad-${kind}`, main });
      const e = await rejection(loadPlugin(dir, { projectDir: root }));
      expect(e.code, kind).toBe('QF_PLUGIN_LOAD');
      expect(e.message, kind).toContain(`bad-${kind}`);
    }
    const unbuilt = writePlugin({ dir: join(root, 'bad', 'unbuilt'), pkgName: 'bad-unbuilt', name: 'bad-unbuilt' });
    rmSync(join(unbuilt, 'dist'), { recursive: true });
    expect((await rejection(loadPlugin(unbuilt, { projectDir: root }))).message).toContain('does not exist');
  });

  it('checks manifest and host API before running plugin code', async () => {
    const sideEffect = "globalThis.__qfLoaderRan = true; export default {};\n";
    const future = writePlugin({ dir: join(root, 'future'), pkgName: 'future', name: 'future', main: sideEffect, manifest: { hostApi: '^7.0.0' } });
    const e = await rejection(loadPlugin(future, { projectDir: root }));
    expect(e.code).toBe('QF_PLUGIN_API_MISMATCH');
    expect(e.message).toContain('^7.0.0');
    const broken = writePlugin({ dir: join(root, 'broken'), pkgName: 'broken', name: 'broken', main: sideEffect, manifest: { kind: 'codec' } });
    expect((await rejection(loadPlugin(broken, { projectDir: root }))).details.key).toBe('quantforge.kind');
    expect((globalThis as Record<string, unknown>).__qfLoaderRan).toBeUndefined();
    expect(resolvePluginPackage(fixtureDir, { projectDir: root }).manifest.name).toBe('loader-fixture');
  });
});
