// The uniform scheme inside core's pipeline on a tiny hand-built MLP, with the pipeline tests' own service doubles (a
// plain-JS float runner and a fake-quant exporter). Runs against dist: the pipeline sends scheme work to workers.
import { describe, expect, it } from 'vitest';
import type { AffineEncoding, QuantizeResult, Recipe } from '@quantforge/core';
import { encodingOf } from '@quantforge/testing';
import { usePipelineHarness } from '@quantforge/testing/vitest';
import { parseFormatSpec, uniform } from '../dist/index.js';

const harness = usePipelineHarness(new URL('../../../packages/core/test/pipeline/', import.meta.url));

function affine(r: QuantizeResult, name: string): AffineEncoding {
  return encodingOf(r, name, 'affine');
}

describe('uniform scheme in the core pipeline', () => {
  it('quantizes a static MLP: int8 per-channel weights, uint8 activations, int32 bias', async () => {
    const r = await harness.run(uniform(), { workers: 1 });
    expect(r.report.warnings).toEqual([]);
    expect(Object.keys(r.encodings).sort()).toEqual(Object.keys(r.plan.tensors).sort());
    // MatMul B [4, 8] has its output channels last; Gemm with transB = 1 first.
    expect(affine(r, 'w1')).toMatchObject({ bits: 8, signed: true, narrowRange: true, axis: 1 });
    expect(affine(r, 'w2')).toMatchObject({ bits: 8, signed: true, axis: 0 });
    expect(affine(r, 'w2').scale.length).toBe(3);
    // The Add constant is per-tensor, as the planner asks.
    expect(affine(r, 'b1').axis).toBeUndefined();
    const x = affine(r, 'x');
    expect(x).toMatchObject({ bits: 8, signed: false, symmetric: false, storage: 'uint8' });
    const bias = affine(r, 'c2');
    const sIn = affine(r, 'r').scale[0]!;
    expect(bias).toMatchObject({ bits: 32, storage: 'int32', axis: 0 });
    expect(Array.from(bias.scale)).toEqual(Array.from(affine(r, 'w2').scale, (s) => Math.fround(sIn * s)));
    expect(r.report.evaluation!.sqnrDb).toBeGreaterThan(20);
  });

  it('gives the same bytes on 1 and 2 workers and in process', async () => {
    const use = uniform({ weights: { clipping: 'mse' }, calibrator: 'percentile', calibratorOptions: { percentile: 99.9 } });
    const one = await harness.expectSameBytesEverywhere(use);
    expect(one.plan.tensors.x!.stats).toMatchObject({ observer: 'percentile', options: { percentile: 99.9 } });
  });

  it('takes bits and granularity from the recipe in weight-only mode', async () => {
    const recipe: Recipe = { scheme: 'uniform', mode: 'weight-only', weights: { bits: 4, granularity: 'per-group', blockSize: 4 } };
    const r = await harness.run(uniform(), { recipe, workers: 1 });
    expect(Object.keys(r.encodings).sort()).toEqual(['w1', 'w2']);
    // Blocks run along the reduction axis: MatMul's K (axis 0), Gemm's K with transB = 1 (axis 1).
    expect(affine(r, 'w1')).toMatchObject({ bits: 4, storage: 'int4', axis: 0, blockSize: 4 });
    expect(affine(r, 'w2')).toMatchObject({ bits: 4, axis: 1, blockSize: 4 });
    expect(affine(r, 'w2').scale.length).toBe(3 * 2);
  });

  it('lets the scheme options override the plan, also for a static model with a bias', async () => {
    const r = await harness.run(uniform({ weights: parseFormatSpec('int4,per-group:4,asym') }), { workers: 1 });
    expect(r.plan.tensors.w2).toMatchObject({ granularity: 'per-channel', bits: 8 });
    expect(affine(r, 'w2')).toMatchObject({ bits: 4, symmetric: false, axis: 1, blockSize: 4 });
    // A per-group weight has no scale per output channel: the bias gets s_in · min(s_w), per tensor.
    const bias = affine(r, 'c2');
    expect(bias.axis).toBeUndefined();
    expect(bias.scale[0]).toBe(Math.fround(affine(r, 'r').scale[0]! * Math.min(...affine(r, 'w2').scale)));
    expect(r.report.evaluation!.sqnrDb).toBeGreaterThan(5);
  });

  it('quantizes only the weights in dynamic mode, leaving activation parameters to run time', async () => {
    const r = await harness.run(uniform(), { recipe: { scheme: 'uniform', mode: 'dynamic' }, workers: 1 });
    const planned = Object.values(r.plan.tensors);
    expect(planned.filter((e) => e.role === 'bias')).toEqual([]);
    expect(planned.filter((e) => e.role === 'activation').every((e) => e.stats === null)).toBe(true);
    expect(affine(r, 'w1').bits).toBe(8);
    expect(r.encodings.w1!.codes!.dtype).toBe('int8');
  });
});
