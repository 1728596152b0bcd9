import { describe, expect, it } from 'vitest';
import { QuantforgeError } from '../../src/errors/index.js';
import { HOST_API_VERSION, assertHostApi, validateManifest } from '../../src/plugins/index.js';

const good = {
  name: 'qf-scheme-scale',
  version: '1.2.0',
  quantforge: {
    manifestVersion: 1, kind: 'scheme', name: 'scheme-scale', hostApi: '^1.0.0',
    main: './dist/index.js', worker: './dist/worker.js', provides: { schemes: ['scale'] }, fixtures: './fixtures',
  },
};

function thrown(fn: () => unknown): QuantforgeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantforgeError);
    return e as QuantforgeError;
  }
  throw new Error('expected a QuantforgeError');
}

function withManifest(patch: Record<string, unknown>): unknown {
  return { ...good, quantforge: { ...good.quantforge, ...patch } };
}

describe('validateManifest', () => {
  it('returns the typed manifest of a valid package.json', () => {
    const m = validateManifest(good);
    expect(m).toEqual(good.quantforge);
    expect(m).not.toBe(good.quantforge);
  });

  it('QF_MANIFEST_MISSING when there is no quantforge key, naming the package', () => {
    const e = thrown(() => validateManifest({ name: 'left-pad' }));
    expect(e.code).toBe('QF_MANIFEST_MISSING');
    expect(e.message).toContain('left-pad');
    expect(thrown(() => validateManifest(null, 'from-arg')).message).toContain('from-arg');
  });

  it('names the offending key in message and details.key', () => {
    const e = thrown(() => validateManifest(withManifest({ hostApi: 'one point oh' })));
    expect(e.code).toBe('QF_MANIFEST_INVALID');
    expect(e.details.key).toBe('quantforge.hostApi');
    expect(e.message).toContain('quantforge.hostApi');
    expect(e.message).toContain('one point oh');
  });

  it('lists every problem at once', () => {
    const e = thrown(() => validateManifest(withManifest({ manifestVersion: 2, kind: 'codec', main: '../outside.js', extra: true })));
    const keys = (e.details.problems as { key: string }[]).map((p) => p.key);
    expect(keys).toEqual(expect.arrayContaining(['quantforge.manifestVersion', 'quantforge.kind', 'quantforge.main', 'quantforge.extra']));
    for (const k of ['manifestVersion', 'kind', 'main', 'extra']) expect(e.message).toContain(`quantforge.${k}`);
  });

  it('checks provides against the kind and the name lists', () => {
    expect(thrown(() => validateManifest(withManifest({ provides: {} }))).details.key).toBe('quantforge.provides.schemes');
    expect(thrown(() => validateManifest(withManifest({ kind: 'backend' }))).details.key).toBe('quantforge.provides.targets');
    expect(thrown(() => validateManifest(withManifest({ provides: { schemes: ['a', 'a'] } }))).message).toContain('twice');
    expect(thrown(() => validateManifest(withManifest({ provides: { schemes: ['x'], codecs: ['y'] } }))).details.key).toBe('quantforge.provides.codecs');
    expect(thrown(() => validateManifest(withManifest({ worker: 'dist/worker.js' }))).details.key).toBe('quantforge.worker');
    expect(thrown(() => validateManifest({ name: 'p', quantforge: 'yes' })).details.key).toBe('quantforge');
  });
});

describe('host API handshake', () => {
  it('accepts ranges the host satisfies', () => {
    expect(HOST_API_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(() => assertHostApi('^1.0.0', 'p')).not.toThrow();
    expect(() => assertHostApi(`>=${HOST_API_VERSION}`, 'p')).not.toThrow();
  });

  it('QF_PLUGIN_API_MISMATCH says which version the host has and which range the plugin wants', () => {
    const e = thrown(() => assertHostApi('^2.0.0', 'scheme-future'));
    expect(e.code).toBe('QF_PLUGIN_API_MISMATCH');
    expect(e.message).toContain('scheme-future');
    expect(e.message).toContain('^2.0.0');
    expect(e.message).toContain(HOST_API_VERSION);
    expect(e.details).toMatchObject({ wanted: '^2.0.0', host: HOST_API_VERSION });
  });
});
