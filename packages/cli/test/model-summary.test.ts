import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '@quantforge/onnx';
import { afterAll, describe, expect, it } from 'vitest';
import type { InspectReport } from '../src/commands/inspect.js';
import { censusOf, shapeText, summarizeValue } from '../src/model-summary.js';
import { addModel, ifModel, runCli, tempDir } from './helpers.js';

describe('summarizeValue', () => {
  it('labels non-tensor types and keeps symbolic and unknown dims', () => {
    expect(summarizeValue('s', { kind: 'sequence', elem: { kind: 'tensor', elemType: 'float32' } })).toEqual({ name: 's', dtype: 'sequence(tensor(float32))', shape: null });
    expect(summarizeValue('m', { kind: 'map', keyType: 'int64', value: { kind: 'tensor', elemType: 'float32' } }).dtype).toBe('map(int64, tensor(float32))');
    expect(summarizeValue('o', { kind: 'optional', elem: { kind: 'sequence' } }).dtype).toBe('optional(sequence(?))');
    expect(summarizeValue('u', undefined)).toEqual({ name: 'u', dtype: null, shape: null });
    expect(summarizeValue('t', { kind: 'tensor', elemType: 'int8', shape: ['n', null, 3] })).toEqual({ name: 't', dtype: 'int8', shape: ['n', null, 3] });
    expect(summarizeValue('r', { kind: 'tensor', elemType: 'float16' }).shape).toBeNull();
  });

  it('formats shapes', () => {
    expect(shapeText(['batch', null, 3])).toBe('[batch, ?, 3]');
    expect(shapeText([])).toBe('[]');
    expect(shapeText(null)).toBe('(unknown rank)');
  });
});

describe('censusOf', () => {
  it('counts nodes inside nested subgraphs', () => {
    const outer = ifModel();
    const inner = ifModel().graph;
    // Nest the whole If graph as a Loop body: 5 inner nodes and 2 inner subgraphs more.
    outer.graph.nodes.push({ name: 'loop', opType: 'Loop', domain: '', inputs: [], outputs: ['l'], attributes: [{ name: 'body', type: 'graph', value: inner }] });
    const c = censusOf(outer.graph);
    expect(c.nodes).toEqual({ total: 11, topLevel: 3, inSubgraphs: 8, subgraphs: 5 });
    expect(c.ops.slice(0, 2)).toEqual([
      { opType: 'Abs', domain: 'ai.onnx', count: 2 },
      { opType: 'If', domain: 'ai.onnx', count: 2 },
    ]);
    expect(c.ops.find((o) => o.opType === 'Loop')?.count).toBe(1);
  });
});

describe('inspect on a model that lists its initializer as an input (IR < 4 style)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('leaves the initializer out of the inputs and counts its parameters', async () => {
    const model = addModel();
    model.graph.inputs.push({ name: 'w', type: { kind: 'tensor', elemType: 'float32', shape: [4096] } });
    const file = join(tmp.dir, 'add.onnx');
    writeFileSync(file, encodeModel(model));
    const r = await runCli(['inspect', file, '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as InspectReport;
    expect(rep.inputs.map((v) => v.name)).toEqual(['x']);
    expect(rep.parameters).toEqual({ count: 4096, bytes: 16384, initializers: 1, constantNodes: 0 });
    expect(rep.unsupportedOps).toEqual([]);
  });
});
