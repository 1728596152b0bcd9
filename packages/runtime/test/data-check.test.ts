import { describe, expect, it } from 'vitest';
import { checkFeed, checkedSource, concatFeeds, inputSpecsFromGraph, makeSource, shapeMatches, type Feed, type InputSpec } from '../src/data/index.js';

const t = (dims: number[], dtype: 'float32' | 'int64' = 'float32') =>
  dtype === 'int64' ? { dtype, dims, data: new BigInt64Array(dims.reduce((a, b) => a * b, 1)) } : { dtype, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) };

const model: InputSpec[] = [
  { name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] },
  { name: 'ids', dtype: 'int64', shape: [null, 'seq'] },
];

describe('checkFeed', () => {
  it('accepts any size for symbolic and unknown dims', () => {
    expect(() => checkFeed({ input: t([1, 1, 28, 28]), ids: t([1, 7], 'int64') }, model)).not.toThrow();
    expect(() => checkFeed({ input: t([4, 1, 28, 28]), ids: t([4, 1], 'int64') }, model)).not.toThrow();
    expect(shapeMatches([2, 3], ['a', 3])).toBe(true);
    expect(shapeMatches([2, 3], [2, 4])).toBe(false);
    expect(shapeMatches([2], [2, 1])).toBe(false);
  });

  it('names a missing input (QF_DATA_MISSING)', () => {
    expect(() => checkFeed({ input: t([1, 1, 28, 28]) }, model, { sample: 3 })).toThrow(
      expect.objectContaining({ code: 'QF_DATA_MISSING', details: expect.objectContaining({ input: 'ids', sample: 3 }) }),
    );
  });

  it('names an unknown input, a wrong dtype and a wrong shape (QF_DATA_MISMATCH)', () => {
    const good = { input: t([1, 1, 28, 28]), ids: t([1, 2], 'int64') };
    expect(() => checkFeed({ ...good, extra: t([1]) }, model)).toThrow(expect.objectContaining({ code: 'QF_DATA_MISMATCH', details: expect.objectContaining({ input: 'extra' }) }));
    expect(() => checkFeed({ ...good, ids: t([1, 2]) }, model)).toThrow(
      expect.objectContaining({ code: 'QF_DATA_MISMATCH', details: expect.objectContaining({ input: 'ids', expected: 'int64', actual: 'float32' }) }),
    );
    expect(() => checkFeed({ ...good, input: t([1, 28, 28, 1]) }, model)).toThrow(
      expect.objectContaining({ code: 'QF_DATA_MISMATCH', message: expect.stringContaining('[batch, 1, 28, 28]'), details: expect.objectContaining({ input: 'input' }) }),
    );
    expect(() => checkFeed({ ...good, input: t([1, 28, 28]) }, model)).toThrow(expect.objectContaining({ code: 'QF_DATA_MISMATCH' }));
  });

  it('checkedSource reports the index of the bad sample', async () => {
    const feeds: Feed[] = [{ input: t([1, 1, 28, 28]), ids: t([1, 1], 'int64') }, { input: t([1, 1, 27, 28]), ids: t([1, 1], 'int64') }];
    const source = checkedSource(makeSource(async function* () { yield* feeds; }, { description: 'two', count: 2 }), model);
    expect(source.count).toBe(2);
    const seen: Feed[] = [];
    await expect((async () => { for await (const f of source) seen.push(f); })()).rejects.toMatchObject({ code: 'QF_DATA_MISMATCH', details: { sample: 1, input: 'input' } });
    expect(seen).toHaveLength(1);
  });
});

describe('concatFeeds and makeSource', () => {
  it('concatenates along axis 0 and refuses different trailing dims', () => {
    const a = { x: { dtype: 'float32' as const, dims: [1, 2], data: new Float32Array([1, 2]) } };
    const b = { x: { dtype: 'float32' as const, dims: [1, 2], data: new Float32Array([3, 4]) } };
    const ab = concatFeeds([a, b]);
    expect(ab.x!.dims).toEqual([2, 2]);
    expect([...(ab.x!.data as Float32Array)]).toEqual([1, 2, 3, 4]);
    const c = { x: { dtype: 'float32' as const, dims: [1, 3], data: new Float32Array(3) } };
    expect(() => concatFeeds([a, c])).toThrow(expect.objectContaining({ code: 'QF_DATA_MISMATCH', details: expect.objectContaining({ input: 'x' }) }));
    expect(() => concatFeeds([a, {}])).toThrow(expect.objectContaining({ code: 'QF_DATA_MISSING' }));
  });

  it('validates limit and batch', () => {
    const gen = async function* () {};
    expect(() => makeSource(gen, { description: 'x' }, { batch: 0 })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
    expect(() => makeSource(gen, { description: 'x' }, { limit: 1.5 })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
    expect(makeSource(gen, { description: 'x', count: 10 }, { limit: 5, batch: 2 }).count).toBe(3);
  });
});

describe('inputSpecsFromGraph', () => {
  it('keeps real inputs with dtype and shape and skips initializers listed as inputs', () => {
    const graph = {
      inputs: [
        { name: 'input', type: { kind: 'tensor' as const, elemType: 'float32' as const, shape: ['batch', 1, 28, 28] } },
        { name: 'w', type: { kind: 'tensor' as const, elemType: 'float32' as const, shape: [3] } },
        { name: 'untyped' },
      ],
      initializers: new Map([['w', { name: 'w', tensor: t([3]) }]]),
    };
    expect(inputSpecsFromGraph(graph as never)).toEqual([{ name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] }, { name: 'untyped' }]);
  });
});
