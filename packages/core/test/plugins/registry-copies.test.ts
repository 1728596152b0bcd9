import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

type Core = typeof import('../../dist/index.js');

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const workspaceModules = fileURLToPath(new URL('../../../../node_modules', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'qf-core-copy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A second installed copy of core: its own files (so its own module instances), deps resolved as usual. */
function installCopy(): string {
  cpSync(dist, join(tmp, 'core', 'dist'), { recursive: true });
  symlinkSync(workspaceModules, join(tmp, 'core', 'node_modules'), 'dir');
  return pathToFileURL(join(tmp, 'core', 'dist', 'index.js')).href;
}

const plugin = { name: 'copies-fixture', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0', schemes: { 'copies-s': { name: 'copies-s' } } } as const;

describe('one registry per process across copies of core', () => {
  it('a query-string copy and a separately installed copy see the same registry', async () => {
    const a = (await import('../../dist/index.js')) as Core;
    const b = (await import('../../dist/index.js?copy=2' as string)) as Core;
    const c = (await import(installCopy())) as Core;
    expect(c.registerPlugin).not.toBe(a.registerPlugin);
    expect(c.QuantforgeError).not.toBe(a.QuantforgeError);

    const registered = a.registerPlugin({ ...plugin, schemes: { ...plugin.schemes } });
    try {
      expect(b.getPlugin('copies-fixture')).toBe(registered);
      expect(c.getPlugin('copies-fixture')).toBe(registered);
      expect(c.findScheme('copies-s')?.plugin).toBe(registered);
      // Same object through the other copy: a no-op. A different plugin under the name: a conflict, with a code.
      expect(c.registerPlugin(registered)).toBe(registered);
      let code = '';
      try {
        c.registerPlugin({ ...plugin, version: '1.1.0' });
      } catch (e) {
        code = (e as { code: string }).code;
        expect(a.isQuantforgeError(e)).toBe(true);
      }
      expect(code).toBe('QF_PLUGIN_CONFLICT');
    } finally {
      c.unregisterPlugin('copies-fixture');
    }
    expect(a.getPlugin('copies-fixture')).toBeUndefined();
  });
});
