import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { recipeJsonSchema, validateRecipe, type Recipe } from '../../src/pipeline/recipe.js';

const SCHEMA_FILE = fileURLToPath(new URL('../../schema/recipe.schema.json', import.meta.url));

function problems(json: unknown): { path: string; message: string }[] {
  try {
    validateRecipe(json);
  } catch (e) {
    expect((e as { code?: string }).code).toBe('QF_RECIPE_INVALID');
    return (e as { details: { problems: { path: string; message: string }[] } }).details.problems;
  }
  return [];
}

describe('validateRecipe', () => {
  it('accepts a full recipe and returns it typed', () => {
    const recipe: Recipe = {
      scheme: { name: 'uniform', options: { bits: 8 } }, mode: 'static',
      weights: { bits: 4, granularity: 'per-group', axis: 0, blockSize: 32 }, activations: { bits: 8, granularity: 'per-tensor' },
      calibration: { calibrator: 'entropy', samples: 16, options: { bins: 1024 } },
      exclude: ['Softmax', 'head'], overrides: [{ match: { opType: 'Gemm' }, weights: { bits: 8 } }],
      seed: 7, workers: 2, evaluation: { samples: 10 },
    };
    expect(validateRecipe(recipe)).toBe(recipe);
    expect(validateRecipe({ scheme: 'uniform', mode: 'dynamic' }).mode).toBe('dynamic');
  });

  it('lists every problem with its JSON path', () => {
    const paths = problems({
      scheme: 'uniform', mode: 'fast', weights: { bits: 1 }, overrides: [{ match: {} }], extra: true, seed: -1,
    }).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['/mode', '/weights/bits', '/overrides/0/match', '/extra', '/seed']));
  });

  it('requires scheme and mode', () => {
    expect(problems({}).map((p) => p.path)).toEqual(expect.arrayContaining(['/scheme', '/mode']));
  });

  it('checks calibrator options against the observer schema and granularity against axis / blockSize', () => {
    expect(problems({ scheme: 'u', mode: 'static', calibration: { calibrator: 'percentile', options: { percentile: 10 } } }).map((p) => p.path))
      .toEqual(['/calibration/options/percentile']);
    expect(problems({ scheme: 'u', mode: 'static', weights: { granularity: 'per-tensor', axis: 0 } }).map((p) => p.path)).toEqual(['/weights']);
    expect(problems({ scheme: 'u', mode: 'static', overrides: [{ match: { node: 'n' }, weights: { granularity: 'per-channel', blockSize: 8 } }] }).map((p) => p.path))
      .toEqual(['/overrides/0/weights/blockSize']);
  });
});

describe('recipe JSON Schema', () => {
  const generated = `${JSON.stringify(recipeJsonSchema(), null, 2)}\n`;

  it('is a draft 2020-12 schema describing the recipe fields', () => {
    const s = recipeJsonSchema() as { $schema: string; properties: Record<string, unknown>; required: string[] };
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['scheme', 'mode', 'weights', 'activations', 'calibration', 'exclude', 'overrides', 'seed', 'workers', 'evaluation']));
    expect(s.required).toEqual(['scheme', 'mode']);
  });

  // Regenerate after changing RecipeSchema: QF_UPDATE_SCHEMA=1 npx vitest run test/pipeline/recipe.test.ts
  it('matches the committed schema/recipe.schema.json', () => {
    if (process.env.QF_UPDATE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, generated);
    expect(existsSync(SCHEMA_FILE)).toBe(true);
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(generated);
  });
});
