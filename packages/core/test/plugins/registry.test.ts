import { afterEach, describe, expect, it } from 'vitest';
import { QuantforgeError } from '../../src/errors/index.js';
import {
  definePlugin, findScheme, findTarget, getPlugin, listPlugins, registerPlugin, requireProvider, unregisterPlugin,
  type QuantforgePlugin,
} from '../../src/plugins/index.js';

const names: string[] = [];
afterEach(() => {
  for (const n of names.splice(0)) unregisterPlugin(n);
});

function scheme(name: string, schemes: string[], extra: Partial<QuantforgePlugin> = {}): QuantforgePlugin {
  names.push(name);
  return definePlugin({
    name, kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0',
    schemes: Object.fromEntries(schemes.map((s) => [s, { name: s, describe: () => `scheme ${s}` }])),
    ...extra,
  });
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantforgeError);
    return (e as QuantforgeError).code;
  }
  return 'no error';
}

describe('plugin registry', () => {
  it('registers, finds providers and lists plugins in order', () => {
    const a = registerPlugin(scheme('reg-a', ['ra-1', 'ra-2']));
    names.push('reg-b');
    registerPlugin({ name: 'reg-b', kind: 'backend', version: '0.1.0', hostApi: '^1.0.0', targets: { 'rb-t': { name: 'rb-t' } } });
    expect(getPlugin('reg-a')).toBe(a);
    expect(findScheme('ra-2')?.plugin).toBe(a);
    expect(findScheme('ra-2')?.provider.describe?.()).toBe('scheme ra-2');
    expect(findTarget('rb-t')?.plugin.name).toBe('reg-b');
    expect(findScheme('rb-t')).toBeUndefined();
    const listed = listPlugins().map((p) => p.name);
    expect(listed.indexOf('reg-a')).toBeLessThan(listed.indexOf('reg-b'));
    expect(listPlugins('backend').map((p) => p.name)).toContain('reg-b');
    expect(listPlugins('backend').map((p) => p.name)).not.toContain('reg-a');
  });

  it('registering the same plugin twice is a no-op (same object, or same package and version)', () => {
    const p = scheme('reg-same', ['rs']);
    expect(registerPlugin(p)).toBe(p);
    expect(registerPlugin(p)).toBe(p);
    const fromSamePackage = { ...scheme('reg-pkg', ['rp'], { packageName: 'qf-scheme-pkg' }) };
    registerPlugin(fromSamePackage);
    expect(registerPlugin({ ...fromSamePackage, schemes: { rp: { name: 'rp' } } })).toBe(fromSamePackage);
  });

  it('a different plugin under a taken name is QF_PLUGIN_CONFLICT', () => {
    registerPlugin(scheme('reg-c', ['rc']));
    expect(code(() => registerPlugin(scheme('reg-c', ['rc'])))).toBe('QF_PLUGIN_CONFLICT');
    expect(code(() => registerPlugin(scheme('reg-c', ['rc'], { version: '2.0.0' })))).toBe('QF_PLUGIN_CONFLICT');
  });

  it('a provider name taken by another plugin is QF_PLUGIN_CONFLICT and registers nothing', () => {
    registerPlugin(scheme('reg-d', ['shared-name']));
    let err: QuantforgeError | undefined;
    try {
      registerPlugin(scheme('reg-e', ['fresh', 'shared-name']));
    } catch (e) {
      err = e as QuantforgeError;
    }
    expect(err?.code).toBe('QF_PLUGIN_CONFLICT');
    expect(err?.message).toContain('reg-d');
    expect(getPlugin('reg-e')).toBeUndefined();
    expect(findScheme('fresh')).toBeUndefined();
  });

  it('checks the host API and the plugin shape on register', () => {
    expect(code(() => registerPlugin(scheme('reg-f', ['rf'], { hostApi: '^9.0.0' })))).toBe('QF_PLUGIN_API_MISMATCH');
    expect(getPlugin('reg-f')).toBeUndefined();
    expect(code(() => registerPlugin(scheme('reg-g', ['rg'], { version: 'latest' })))).toBe('QF_INVALID_ARGUMENT');
    expect(code(() => registerPlugin({ ...scheme('reg-h', []), schemes: { x: { name: 'y' } } }))).toBe('QF_INVALID_ARGUMENT');
    expect(code(() => registerPlugin({ name: '', kind: 'scheme', version: '1.0.0', hostApi: '^1' }))).toBe('QF_INVALID_ARGUMENT');
  });

  it('unregister frees the name and its providers; requireProvider lists what exists', () => {
    registerPlugin(scheme('reg-i', ['ri']));
    expect(requireProvider('schemes', 'ri').plugin.name).toBe('reg-i');
    expect(unregisterPlugin('reg-i')).toBe(true);
    expect(unregisterPlugin('reg-i')).toBe(false);
    expect(findScheme('ri')).toBeUndefined();
    expect(code(() => requireProvider('schemes', 'ri'))).toBe('QF_PLUGIN_UNKNOWN');
    registerPlugin(scheme('reg-j', ['ri']));
    expect(findScheme('ri')?.plugin.name).toBe('reg-j');
  });
});
