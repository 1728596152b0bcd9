import { describe, expect, it } from 'vitest';
import { resolveSchemeOptions } from '@quantforge/core';
import { f32, quantInfo } from '@quantforge/testing';
import { resolveLogQuantOptions } from '../src/options.js';
import { logQuant, logQuantPlugin } from '../src/plugin.js';
import { logQuantScheme } from '../src/scheme.js';

describe('LogQuant options', () => {
  it('fills defaults and picks the calibrator from fsr', () => {
    expect(resolveLogQuantOptions()).toEqual({ base: 2, fsr: 'max', perChannel: false, searchOctaves: 8, activationSigned: 'auto', calibrator: 'minmax' });
    expect(resolveLogQuantOptions({ fsr: 'search' }).calibrator).toBe('log-histogram');
    expect(resolveLogQuantOptions({ calibrator: 'log-histogram' }).fsr).toBe('max');
  });

  it.each([
    [{ bits: 1 }, '/bits'],
    [{ base: 10 }, '/base'],
    [{ fsr: 'mean' }, '/fsr'],
    [{ typo: true }, 'typo'],
    [{ fsr: 'search', calibrator: 'minmax' }, '/calibrator'],
    [{ axis: 1 }, '/axis'],
  ])('rejects %j with QF_OPTIONS_INVALID', (options, where) => {
    try {
      resolveLogQuantOptions(options);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'QF_OPTIONS_INVALID' });
      expect(JSON.stringify((e as { details: unknown }).details)).toContain(where);
    }
  });

  it('gives a SchemeUse whose options the pipeline validates against the scheme schema', () => {
    const use = logQuant({ bits: 3, base: 'sqrt2' });
    expect(use).toMatchObject({ plugin: logQuantPlugin, scheme: 'logquant', options: { bits: 3, base: 'sqrt2' } });
    expect(resolveSchemeOptions(logQuantScheme, use.options)).toMatchObject({ bits: 3, base: 'sqrt2', fsr: 'max' });
    expect(() => logQuant({ bits: 9 })).toThrow(expect.objectContaining({ code: 'QF_OPTIONS_INVALID' }));
  });

  it('refuses bias tensors with a coded error', () => {
    expect(() => logQuantScheme.quantizeWeight!(f32([2], [1, 2]), {}, quantInfo({ role: 'bias', bits: 32 }))).toThrow(expect.objectContaining({ code: 'QF_QUANTIZE' }));
  });
});
