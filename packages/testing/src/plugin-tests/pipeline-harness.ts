/**
 * A vitest harness that runs a scheme plugin through core's pipeline on core's tiny test MLP, with core's own
 * pipeline test doubles (a plain-JS float runner and a fake-quant exporter).
 */
import { beforeAll, expect } from 'vitest';
import { quantforge, type DataSource, type Exporter, type Model, type QuantizeResult, type Recipe, type RunnerFactory, type SchemeUse } from '@quantforge/core';
import { encodingBytes, inProcess } from './pipeline.js';

/** What the harness uses of core's `test/pipeline/doubles.ts`. */
export interface PipelineDoubles {
  jsRunners(): { factory: RunnerFactory };
  fakeQuantExporter(): Exporter;
}

/** What the harness uses of core's `test/pipeline/models.ts`. */
export interface PipelineModels {
  /** x[batch,4] → MatMul w1 [4, 8] → Add b1 → Relu → Gemm(w2 [3, 8]ᵀ, c2) → y[batch,3]. */
  mlp(): Model;
  feeds(count: number, seed?: number): DataSource;
}

/** Options of {@link usePipelineHarness}. */
export interface PipelineHarnessOptions {
  /** The exporter of every run: a value, or built from core's doubles per run. Default: core's fake-quant exporter. */
  exporter?: Exporter | ((doubles: PipelineDoubles) => Exporter);
}

/** Options of one harness run. */
export interface HarnessRunOptions {
  /** Without one the pipeline derives it from the single scheme use. */
  recipe?: Recipe;
  /** Pipeline workers; omitted, the pipeline picks its default. */
  workers?: number;
}

/** What {@link usePipelineHarness} returns; usable inside tests (after the suite's `beforeAll`). */
export interface PipelineHarness {
  readonly doubles: PipelineDoubles;
  readonly models: PipelineModels;
  /**
   * Runs `use` on the MLP with run seed 5: calibrates on `feeds(6)` unless the recipe is weight-only, evaluates on
   * `feeds(4, 500)`.
   */
  run(use: SchemeUse, options?: HarnessRunOptions): Promise<QuantizeResult>;
  /**
   * Runs `use` on 1 and on 2 workers and in process (see {@link inProcess}), expects byte-identical encodings from all
   * three, and returns the 1-worker result.
   */
  expectSameBytesEverywhere(use: SchemeUse, recipe?: Recipe): Promise<QuantizeResult>;
}

/**
 * Declares a `beforeAll` that loads core's pipeline test doubles from `coreTestDir` (they are test sources of a
 * Quantforge checkout, not part of any published package, so this needs the monorepo) and returns the harness.
 *
 * @example
 * ```ts
 * const harness = usePipelineHarness(new URL('../../../packages/core/test/pipeline/', import.meta.url));
 * it('gives the same bytes on 1 and 2 workers and in process', async () => {
 *   await harness.expectSameBytesEverywhere(uniform());
 * });
 * ```
 */
export function usePipelineHarness(coreTestDir: URL, options: PipelineHarnessOptions = {}): PipelineHarness {
  let doubles: PipelineDoubles | undefined;
  let models: PipelineModels | undefined;
  beforeAll(async () => {
    doubles = (await import(new URL('doubles.ts', coreTestDir).href)) as PipelineDoubles;
    models = (await import(new URL('models.ts', coreTestDir).href)) as PipelineModels;
  });
  const loaded = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the pipeline harness is used before its beforeAll ran (call it inside a test)');
    return value;
  };
  const harness: PipelineHarness = {
    get doubles() {
      return loaded(doubles);
    },
    get models() {
      return loaded(models);
    },
    run(use, { recipe, workers } = {}) {
      const d = harness.doubles;
      const m = harness.models;
      const exporter = options.exporter === undefined ? d.fakeQuantExporter() : typeof options.exporter === 'function' ? options.exporter(d) : options.exporter;
      let p = quantforge(m.mlp(), { createRunner: d.jsRunners().factory, exporter }).use(use);
      if (recipe !== undefined) p = p.recipe(recipe);
      if (recipe?.mode !== 'weight-only') p = p.calibrate(m.feeds(6));
      return p.evaluate(m.feeds(4, 500)).run(workers === undefined ? { seed: 5 } : { seed: 5, workers });
    },
    async expectSameBytesEverywhere(use, recipe) {
      const one = await harness.run(use, { recipe, workers: 1 });
      const two = await harness.run(use, { recipe, workers: 2 });
      const local = await harness.run(inProcess(use), { recipe });
      expect(encodingBytes(two)).toBe(encodingBytes(one));
      expect(encodingBytes(local)).toBe(encodingBytes(one));
      return one;
    },
  };
  return harness;
}
