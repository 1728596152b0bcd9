import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { affineEncoding, createObserver, quantizeWith, serializeObserverState, type QuantforgePlugin, type QuantizeResult, type QuantizedTensor } from '@quantforge/core';
import {
  dequantizingExporter, encodingBytes, encodingOf, f32, findImportProblems, gaussian, heavyTailed, inProcess, laplace, observedState, quantInfo, rng,
  serializedQuantInfo,
} from '../src/index.js';

function stats(data: Float32Array): { mean: number; sd: number; meanAbs: number } {
  let s = 0;
  let a = 0;
  for (const v of data) {
    s += v;
    a += Math.abs(v);
  }
  const mean = s / data.length;
  let q = 0;
  for (const v of data) q += (v - mean) ** 2;
  return { mean, sd: Math.sqrt(q / data.length), meanAbs: a / data.length };
}

describe('seeded test data', () => {
  it('draws the mulberry32 sequence: the same per seed, different across seeds, in [0, 1)', () => {
    const a = rng(1);
    // Pinned: plugins' expected values depend on this exact sequence.
    expect([a(), a(), a()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    const b = rng(1);
    const c = rng(2);
    const first = Array.from({ length: 1000 }, () => b());
    expect(first.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(first);
  });

  it('gives normal and Laplace tensors with the asked dims and spread', () => {
    const g = gaussian([100, 200], 3, 2);
    expect(g).toMatchObject({ dtype: 'float32', dims: [100, 200] });
    const gs = stats(g.data);
    expect(Math.abs(gs.mean)).toBeLessThan(0.05);
    expect(gs.sd).toBeCloseTo(2, 1);
    expect(gaussian([100, 200], 3, 2).data).toEqual(g.data);
    const l = laplace([20000], 4, 0.5);
    // Laplace(b): E|x| = b, sd = b·√2.
    const ls = stats(l.data);
    expect(ls.meanAbs).toBeCloseTo(0.5, 1);
    expect(ls.sd).toBeCloseTo(0.5 * Math.SQRT2, 1);
  });

  it('puts the heavy tail on every n-th value only', () => {
    const x = heavyTailed(20000, 5, 10, 6);
    const tail = x.filter((_, i) => i % 10 === 0);
    const body = x.filter((_, i) => i % 10 !== 0);
    expect(stats(tail).meanAbs).toBeCloseTo(6, 0);
    expect(stats(body).sd).toBeCloseTo(1, 1);
    expect(heavyTailed(20000, 5, 10, 6)).toEqual(x);
  });

  it('builds float32 tensors from numbers', () => {
    expect(f32([2, 2], [1, -2, 0.5, 3])).toEqual({ dtype: 'float32', dims: [2, 2], data: Float32Array.of(1, -2, 0.5, 3) });
  });
});

describe('plan facts and observer states', () => {
  it('defaults to a per-channel 8-bit Conv weight and applies overrides', () => {
    const base = { name: 'w', role: 'weight', consumers: [{ node: 'conv', opType: 'Conv', input: 1 }], bits: 8, granularity: 'per-channel', axis: 0, seed: 1, dependencies: {} };
    expect(quantInfo()).toEqual(base);
    expect(serializedQuantInfo()).toEqual(base);
    expect(quantInfo({ bits: 4, axis: undefined })).toMatchObject({ bits: 4, axis: undefined, name: 'w' });
    expect(serializedQuantInfo({ name: 'act', role: 'activation' })).toMatchObject({ name: 'act', role: 'activation', bits: 8 });
  });

  it('serializes an observer state after one observation', () => {
    const mm = observedState('minmax', Float32Array.of(-1, 3, 2));
    expect(mm).toMatchObject({ kind: 'minmax', min: -1, max: 3 });
    const x = Float32Array.of(0.5, 1, 2);
    const obs = createObserver('entropy');
    const state = obs.init('act');
    obs.observe(state, x, [3]);
    const h = observedState('entropy', x);
    expect(h).toEqual(serializeObserverState(state));
    expect(h.kind).toBe('histogram');
    expect(JSON.parse(JSON.stringify(h))).toEqual(h);
  });
});

describe('pipeline pieces', () => {
  const w = f32([2, 3], [0.1, -0.2, 0.3, 0.4, -0.5, 0.6]);
  const q = quantizeWith(affineEncoding({ min: -0.6, max: 0.6 }, { bits: 8, signed: true, symmetric: true }), w.data, w.dims) as QuantizedTensor;
  const result = (encodings: Record<string, QuantizedTensor>) => ({ encodings }) as unknown as QuantizeResult;

  it('fingerprints encodings by their bytes', () => {
    const same = encodingBytes(result({ w: q }));
    expect(encodingBytes(result({ w: structuredClone(q) }))).toBe(same);
    const changed = structuredClone(q);
    (changed.codes!.data as Int8Array)[0]! += 1;
    expect(encodingBytes(result({ w: changed }))).not.toBe(same);
  });

  it('finds an encoding of a kind, or throws', () => {
    expect(encodingOf(result({ w: q }), 'w', 'affine').bits).toBe(8);
    expect(() => encodingOf(result({ w: q }), 'w', 'codebook')).toThrow('w has no codebook encoding');
    expect(() => encodingOf(result({ w: q }), 'x', 'affine')).toThrow('x has no affine encoding');
  });

  it('drops the worker module for an in-process use, leaving the original alone', () => {
    const plugin: QuantforgePlugin = { name: 'p', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0', workerUrl: 'file:///w.js', mainUrl: 'file:///m.js' };
    const use = { plugin, scheme: 's', options: { bits: 4 } };
    const local = inProcess(use);
    expect(local).toEqual({ plugin: { name: 'p', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0', mainUrl: 'file:///m.js' }, scheme: 's', options: { bits: 4 } });
    expect('workerUrl' in local.plugin).toBe(false);
    expect(use.plugin.workerUrl).toBe('file:///w.js');
  });

  it('exports by writing dequantized weights into a copy of the model', () => {
    const exporter = dequantizingExporter(['affine', 'log']);
    expect(exporter.kinds).toEqual(['affine', 'log']);
    const init = { tensor: f32([2, 3], [0, 0, 0, 0, 0, 0]) };
    const model = { graph: { initializers: new Map([['w', init]]) } };
    const out = exporter.export({ model, encodings: { w: q } } as never);
    expect(out.valueMap).toEqual({});
    const written = out.model.graph.initializers.get('w')!.tensor;
    expect(written.dims).toEqual([2, 3]);
    for (let i = 0; i < 6; i++) expect(written.data[i]).toBeCloseTo(w.data[i]!, 2);
    expect(Array.from(init.tensor.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('plugin import rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-imports-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('ok.ts', "import { a } from '@quantforge/core';\nimport { Type } from '@sinclair/typebox';\nimport { b } from './b.js';\nimport { readFileSync } from 'node:fs';\n");
  write('doc.ts', "/** @example\n * import { x } from '@quantforge/onnx';\n */\n// import y from 'lodash'\nexport const z = 1;\n");
  write('bad.ts', "import { decode } from '@quantforge/onnx';\nimport { c } from './c';\nconst m = await import('tinypool');\n");
  write('nested/deep.ts', "export { d } from '../d.ts';\nimport '@quantforge/testing';\n");
  write('notes.md', "import x from 'anything'\n");

  it('lists disallowed specifiers and relative imports without .js, skipping comments', () => {
    expect(findImportProblems(dir)).toEqual({
      disallowed: ['bad.ts: @quantforge/onnx', 'bad.ts: tinypool', 'nested/deep.ts: @quantforge/testing'],
      missingJsExtension: ['bad.ts: ./c', 'nested/deep.ts: ../d.ts'],
    });
  });

  it('takes other allowed patterns', () => {
    expect(findImportProblems(new URL(`file://${dir}/`), [/^@quantforge\//, /^\./, /^node:/, /^@sinclair\//, /^tinypool$/]).disallowed).toEqual([]);
  });
});
