// The vitest helpers of the plugin tests, on core's own affine8 test scheme (core/test/fixtures: a scheme and its
// worker module written against core's dist, so they run in workers without a build of their own).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineSchemeWorker, type QuantforgePlugin, type SchemeDefinition, type SchemeWorkerExports, type StatRequest } from '@quantforge/core';
import { gaussian, observedState, serializedQuantInfo } from '../src/index.js';
import {
  describeImportBoundaries, expectActivationTaskMatches, expectBuiltPlugin, expectWeightTaskMatches, usePipelineHarness, useWorkerPool,
} from '../src/vitest.js';

interface Affine8 {
  affine8: SchemeDefinition<unknown>;
  affine8Plugin: QuantforgePlugin;
}
const { affine8, affine8Plugin } = (await import(new URL('../../core/test/fixtures/affine8-scheme.mjs', import.meta.url).href)) as Affine8;
const local = defineSchemeWorker(affine8);
const workerUrl = affine8Plugin.workerUrl!;
const options = { symmetricActivations: false, narrowRange: true };

describe('worker identity helpers', () => {
  const workers = useWorkerPool({ workers: 1, timeoutMs: 60_000 });

  it('pass when a worker and the process agree, returning the worker result', async () => {
    const r = await expectWeightTaskMatches({ pool: workers.pool, workerUrl, local, task: { options, info: serializedQuantInfo() }, tensor: gaussian([4, 6], 2) });
    expect(r.value.encoding).toMatchObject({ kind: 'affine', bits: 8 });
    expect(r.tensors.codes).toMatchObject({ dtype: 'int8', dims: [4, 6] });
  });

  it('fail when one code byte differs', async () => {
    const tampered: SchemeWorkerExports = {
      ...local,
      async quantizeWeight(task, tensors) {
        const r = await local.quantizeWeight(task, tensors);
        (r.tensors.codes!.data as Int8Array)[0]! ^= 1;
        return r;
      },
    };
    await expect(expectWeightTaskMatches({ pool: workers.pool, workerUrl, local: tampered, task: { options, info: serializedQuantInfo() }, tensor: gaussian([4, 6], 2) }))
      .rejects.toThrow();
  });

  it('fail when an expected output is missing', async () => {
    await expect(expectWeightTaskMatches({ pool: workers.pool, workerUrl, local, task: { options, info: serializedQuantInfo() }, tensor: gaussian([4, 6], 2), outputs: ['codes', 'scales'] }))
      .rejects.toThrow('worker output scales');
  });

  it('compare activation encodings, and fail when they differ', async () => {
    const request: StatRequest = { observer: 'minmax', options: {}, finalize: { bits: 8, signed: false, symmetric: false } };
    const task = { options, info: serializedQuantInfo({ name: 'act', role: 'activation', consumers: [], granularity: 'per-tensor', axis: undefined }), request, state: observedState('minmax', Float32Array.of(0, 1, 3)) };
    const value = await expectActivationTaskMatches({ pool: workers.pool, workerUrl, local, task });
    expect(value.range).toEqual({ min: 0, max: 3 });
    const other = defineSchemeWorker({ ...affine8, encodeActivation: (s, o, i) => affine8.encodeActivation!({ ...s, range: { min: 0, max: 4 } }, o, i) });
    await expect(expectActivationTaskMatches({ pool: workers.pool, workerUrl, local: other, task })).rejects.toThrow();
  });

  it('check that a plugin value points at built modules', () => {
    const dist = new URL('../dist/', import.meta.url);
    const built: QuantforgePlugin = { name: 'p', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0', mainUrl: new URL('index.js', dist).href, workerUrl: new URL('worker.js', dist).href };
    expectBuiltPlugin(built, 'p');
    expect(() => expectBuiltPlugin(built, 'q')).toThrow();
    expect(() => expectBuiltPlugin({ ...built, workerUrl: new URL('missing.js', dist).href }, 'p')).toThrow();
    expect(() => expectBuiltPlugin({ ...built, mainUrl: new URL('../src/index.ts', dist).href }, 'p')).toThrow();
    expect(() => expectBuiltPlugin(affine8Plugin, affine8Plugin.name)).toThrow();
  });
});

describe('pipeline harness', () => {
  const harness = usePipelineHarness(new URL('../../core/test/pipeline/', import.meta.url));

  it('runs a scheme on the MLP with core\'s doubles, the same on 1 and 2 workers and in process', async () => {
    const one = await harness.expectSameBytesEverywhere({ plugin: affine8Plugin, scheme: 'affine8' });
    expect(Object.keys(one.encodings).sort()).toEqual(Object.keys(one.plan.tensors).sort());
    expect(one.encodings.w2?.encoding).toMatchObject({ kind: 'affine', bits: 8 });
    expect(one.report.evaluation!.sqnrDb).toBeGreaterThan(20);
  });

  it('skips calibration in weight-only mode', async () => {
    const r = await harness.run({ plugin: affine8Plugin, scheme: 'affine8' }, { recipe: { scheme: 'affine8', mode: 'weight-only' }, workers: 1 });
    expect(r.stats).toBeNull();
    expect(Object.keys(r.encodings).sort()).toEqual(['w1', 'w2']);
  });
});

const clean = mkdtempSync(join(tmpdir(), 'qf-clean-src-'));
writeFileSync(join(clean, 'index.ts'), "import { a } from '@quantforge/core';\nexport { b } from './b.js';\n");
afterAll(() => rmSync(clean, { recursive: true, force: true }));
describeImportBoundaries(clean);
