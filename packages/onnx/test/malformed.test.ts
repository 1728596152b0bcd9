import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { create, toBinary } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, OperatorSetIdProtoSchema } from 'onnx-buf';
import type { Model } from '@quantforge/core';
import { decodeModel, decodeTensorProto, encodeModel, loadModel, validateModel } from '../src/index.js';
import { DataType as T, encodeModelProto, nodeProto, smallModel, tensorProto } from './generate.js';
import { OCR_MODELS, tempDir } from './helpers.js';

const CODES = ['QF_ONNX_DECODE', 'QF_ONNX_INVALID_MODEL', 'QF_GRAPH_DANGLING_VALUE'];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code ?? `uncoded: ${(error as Error).message}`;
  }
  return undefined;
}

/** A deterministic pseudo-random generator (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('malformed input gives a coded error, never a crash or a hang', () => {
  it('garbage bytes: QF_ONNX_DECODE', () => {
    expect(codeOf(() => decodeModel(new TextEncoder().encode('this is not an onnx model at all')))).toBe('QF_ONNX_DECODE');
    expect(codeOf(() => decodeModel(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])))).toBe('QF_ONNX_DECODE');
    const random = rng(42);
    const t0 = performance.now();
    for (let i = 0; i < 300; i++) {
      const bytes = new Uint8Array(1 + Math.floor(random() * 2000)).map(() => Math.floor(random() * 256));
      expect(CODES).toContain(codeOf(() => decodeModel(bytes)));
    }
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('a huge length prefix does not allocate or hang', () => {
    // field 7 (graph), length 2^35
    expect(codeOf(() => decodeModel(new Uint8Array([0x3a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])))).toBe('QF_ONNX_DECODE');
  });

  it('truncated files: QF_ONNX_DECODE (or QF_ONNX_INVALID_MODEL when the cut falls between fields)', () => {
    const bytes = OCR_MODELS.length > 0 ? readFileSync(OCR_MODELS.find((m) => m.name.includes('cls'))!.path) : encodeModelProto(smallModel());
    const codes = new Set<string | undefined>();
    for (let k = 1; k <= 40; k++) {
      const cut = Math.floor((bytes.length * k) / 41);
      const code = codeOf(() => decodeModel(bytes.subarray(0, cut)));
      expect(CODES).toContain(code);
      codes.add(code);
    }
    expect(codes.has('QF_ONNX_DECODE')).toBe(true);
  });

  it('wrong field types: QF_ONNX_DECODE', () => {
    const good = encodeModelProto(smallModel());
    // ir_version (field 1) written as a length-delimited record instead of a varint
    expect(codeOf(() => decodeModel(new Uint8Array([0x0a, 0x01, 0x08, ...good])))).toBe('QF_ONNX_DECODE');
    // graph (field 7) written as a varint
    expect(codeOf(() => decodeModel(new Uint8Array([0x38, 0x05])))).toBe('QF_ONNX_DECODE');
    // producer_name (field 2) as a fixed32
    expect(codeOf(() => decodeModel(new Uint8Array([0x15, 1, 2, 3, 4, ...good])))).toBe('QF_ONNX_DECODE');
    // a packed float_data whose length is not a multiple of 4, inside a tensor
    expect(codeOf(() => decodeTensorProto(new Uint8Array([0x08, 0x02, 0x10, 0x01, 0x22, 0x03, 0, 0, 0])))).toBe('QF_DATA_FORMAT');
  });

  it('missing graph: QF_ONNX_INVALID_MODEL', () => {
    const noGraph = toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, opsetImport: [create(OperatorSetIdProtoSchema, { version: 13n })] }));
    expect(codeOf(() => decodeModel(noGraph))).toBe('QF_ONNX_INVALID_MODEL');
    expect(codeOf(() => decodeModel(new Uint8Array(0)))).toBe('QF_ONNX_INVALID_MODEL');
    expect(codeOf(() => encodeModel({ irVersion: 8, opsetImports: [] } as unknown as Model))).toBe('QF_ONNX_INVALID_MODEL');
  });

  it('tensor data that does not fit its dims: QF_ONNX_INVALID_MODEL', () => {
    const bad = smallModel({ weights: [tensorProto('W', T.FLOAT, [2, 2], { floatData: [1, 2, 3] })] });
    expect(codeOf(() => decodeModel(encodeModelProto(bad)))).toBe('QF_ONNX_INVALID_MODEL');
    const badType = smallModel({ weights: [tensorProto('W', 77, [1], { rawData: new Uint8Array(4) })] });
    expect(codeOf(() => decodeModel(encodeModelProto(badType)))).toBe('QF_ONNX_INVALID_MODEL');
  });

  it('dangling value names: QF_GRAPH_DANGLING_VALUE, with the value and node in the details', () => {
    const bytes = encodeModelProto(smallModel({ nodes: [nodeProto('Add', ['X', 'W'], ['S'], { name: 'add' }), nodeProto('Relu', ['nope'], ['Y'], { name: 'relu' })] }));
    let error: { code?: string; details?: Record<string, unknown> } | undefined;
    try {
      decodeModel(bytes);
    } catch (e) {
      error = e as typeof error;
    }
    expect(error?.code).toBe('QF_GRAPH_DANGLING_VALUE');
    expect(error?.details).toMatchObject({ value: 'nope', node: 'relu', graph: 'small' });
    // validation can be switched off, and validateModel run on its own
    const model = decodeModel(bytes, { validate: false });
    expect(codeOf(() => validateModel(model))).toBe('QF_GRAPH_DANGLING_VALUE');
    // a graph output nothing produces
    const noOut = smallModel({ nodes: [nodeProto('Add', ['X', 'W'], ['S'])] });
    expect(codeOf(() => decodeModel(encodeModelProto(noOut)))).toBe('QF_GRAPH_DANGLING_VALUE');
  });

  it('subgraphs may read outer-scope names, but not names that exist nowhere', () => {
    const branch = (reads: string) => create(GraphProtoSchema, { name: 'branch', node: [nodeProto('Identity', [reads], ['b'])], output: [{ name: 'b' } as never] });
    const withIf = (reads: string) => smallModel({
      nodes: [
        nodeProto('Add', ['X', 'W'], ['S']),
        nodeProto('If', ['cond'], ['Y'], { attribute: [{ name: 'then_branch', type: 5, g: branch(reads) }, { name: 'else_branch', type: 5, g: branch('S') }] as never }),
      ],
      weights: [tensorProto('W', T.FLOAT, [2, 2], { floatData: [1, 2, 3, 4] }), tensorProto('cond', T.BOOL, [], { int32Data: [1] })],
    });
    expect(() => decodeModel(encodeModelProto(withIf('S')))).not.toThrow();
    expect(() => decodeModel(encodeModelProto(withIf('X')))).not.toThrow();
    expect(codeOf(() => decodeModel(encodeModelProto(withIf('ghost'))))).toBe('QF_GRAPH_DANGLING_VALUE');
  });

  it('deep nesting is a coded error', () => {
    let g = create(GraphProtoSchema, { name: 'leaf' });
    for (let i = 0; i < 60; i++) {
      g = create(GraphProtoSchema, { name: `g${i}`, node: [nodeProto('Loop', [], [], { attribute: [{ name: 'body', type: 5, g }] as never })] });
    }
    const bytes = toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, graph: g }));
    expect(codeOf(() => decodeModel(bytes))).toBe('QF_ONNX_DECODE');
  });

  it('a missing file: QF_IO; a directory instead of bytes: QF_INVALID_ARGUMENT', async () => {
    await expect(loadModel(`${tempDir()}/missing.onnx`)).rejects.toMatchObject({ code: 'QF_IO' });
    expect(codeOf(() => decodeModel('model.onnx' as never))).toBe('QF_INVALID_ARGUMENT');
  });

  it('bad .pb files: QF_DATA_FORMAT', () => {
    expect(codeOf(() => decodeTensorProto(new Uint8Array([0xff, 0xff])))).toBe('QF_DATA_FORMAT');
    expect(codeOf(() => decodeTensorProto(new Uint8Array([0x08, 0x03, 0x10, 0x01])))).toBe('QF_DATA_FORMAT'); // dims [3], no data
  });
});
