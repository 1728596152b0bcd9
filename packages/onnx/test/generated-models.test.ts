import { describe, expect, it } from 'vitest';
import { fromBinary } from '@bufbuild/protobuf';
import type { Model } from '@quantforge/core';
import { decodeModel, decodeTensorProto, encodeModel, encodeTensorProto } from '../src/index.js';
import { AttributeType, ModelProtoSchema, encodeModelProto, encodeTensor, everyTensor, fullModel } from './generate.js';
import { firstDiff } from './helpers.js';

const CASES: { ir: number; opset: number }[] = [];
for (let ir = 7; ir <= 10; ir++) for (let opset = 9; opset <= 21; opset++) CASES.push({ ir, opset });

describe('generated models that use every field', () => {
  it.each(CASES)('IR $ir, opset $opset: decode -> IR -> encode is byte-identical', ({ ir, opset }) => {
    const bytes = encodeModelProto(fullModel(ir, opset));
    const model = decodeModel(bytes);
    expect(model.irVersion).toBe(ir);
    expect(model.opsetImports[0]).toMatchObject({ domain: '', version: opset });
    expect(firstDiff(encodeModel(model), bytes)).toBe(-1);
  });

  it('survives structuredClone (how the IR travels to workers)', () => {
    const bytes = encodeModelProto(fullModel(10, 21));
    const clone = structuredClone(decodeModel(bytes));
    expect(firstDiff(encodeModel(clone), bytes)).toBe(-1);
  });

  it('carries the fields newer than ONNX 1.10 into the IR', () => {
    const model = decodeModel(encodeModelProto(fullModel(10, 21)));
    const custom = model.graph.nodes.find((n) => n.name === 'custom')!;
    expect(custom.overload).toBe('v2');
    expect(model.graph.nodes[0]!.metadataProps).toEqual([{ key: 'k', value: 'v' }]);
    expect(model.graph.inputs[0]!.metadataProps).toEqual([{ key: 'layout', value: 'NC' }]);
    expect(model.functions?.map((f) => [f.name, f.domain, f.overload ?? ''])).toEqual([['LocalFn', 'local', ''], ['LocalFn', 'local', 'fast']]);
    expect(model.functions?.[0]!.attributes).toEqual(['body', 'sp', 'tp']);
    expect(model.trainingInfo?.[0]!.updateBinding).toEqual([{ key: 'f32_fields', value: 'f32_fields_next' }]);
    expect(model.graph.sparseInitializers[0]!.dims).toEqual([10]);
    expect(model.modelVersion).toBe(9007199254740993n);
    expect(model.graph.quantizationAnnotation?.[0]!.tensorName).toBe('Y');
    const types = new Set(custom.attributes.map((a) => a.type));
    for (const t of ['float', 'int', 'string', 'tensor', 'graph', 'sparse_tensor', 'type_proto', 'floats', 'ints', 'strings', 'tensors', 'graphs', 'sparse_tensors', 'type_protos', 'undefined']) {
      expect(types.has(t as never), t).toBe(true);
    }
    const imax = custom.attributes.find((a) => a.name === 'i_max')!;
    expect(imax).toMatchObject({ type: 'int', value: 2n ** 63n - 1n });
    const ref = model.functions![0]!.nodes[1]!.attributes[0]!;
    expect(ref).toMatchObject({ name: 'alpha', type: 'float', refAttrName: 'alpha' });
    const shaped = model.graph.valueInfo[0]!.type!;
    expect(shaped).toMatchObject({ kind: 'tensor', elemType: 'float32', shape: [1, 'seq', null, 0, ''], denotation: 'IMAGE' });
  });

  it('writes edits: changed attributes, names and metadata reach the bytes', () => {
    const model = decodeModel(encodeModelProto(fullModel(9, 17)));
    const custom = model.graph.nodes.find((n) => n.name === 'custom')!;
    custom.overload = 'v3';
    custom.domain = '';
    model.graph.nodes[2]!.domain = 'com.changed';
    const f = custom.attributes.find((a) => a.name === 'f')!;
    if (f.type === 'float') f.value = 0.75;
    model.graph.nodes[0]!.metadataProps = [{ key: 'k2', value: 'v2' }];
    const again = decodeModel(encodeModel(model));
    const c2 = again.graph.nodes.find((n) => n.name === 'custom')!;
    expect(c2.overload).toBe('v3');
    expect(c2.domain).toBe('');
    expect(again.graph.nodes[2]!.domain).toBe('com.changed');
    expect(c2.attributes.find((a) => a.name === 'f')).toMatchObject({ type: 'float', value: 0.75 });
    expect(again.graph.nodes[0]!.metadataProps).toEqual([{ key: 'k2', value: 'v2' }]);
  });
});

describe('every tensor storage form', () => {
  it.each(everyTensor().map((t) => ({ name: t.name || '(unnamed)', t })))('$name round-trips as a .pb', ({ t }) => {
    const bytes = encodeTensor(t);
    expect(firstDiff(encodeTensorProto(decodeTensorProto(bytes)), bytes)).toBe(-1);
  });
});

describe('models built in code', () => {
  it('encode to the ONNX the IR describes, and decode back to the same IR', () => {
    const model: Model = {
      irVersion: 10,
      opsetImports: [{ domain: '', version: 21 }, { domain: 'com.microsoft', version: 1 }],
      producerName: 'quantforge',
      graph: {
        name: 'g',
        inputs: [{ name: 'x', type: { kind: 'tensor', elemType: 'float32', shape: ['batch', 4] } }],
        outputs: [{ name: 'y', type: { kind: 'tensor', elemType: 'int8', shape: ['batch', 4] } }],
        valueInfo: [],
        initializers: new Map([
          ['scale', { name: 'scale', tensor: { dtype: 'float32', dims: [], data: new Float32Array([0.5]) } }],
          ['zp', { name: 'zp', tensor: { dtype: 'int8', dims: [], data: new Int8Array([3]) } }],
        ]),
        sparseInitializers: [],
        nodes: [{
          name: 'q', opType: 'QuantizeLinear', domain: '', inputs: ['x', 'scale', 'zp'], outputs: ['y'],
          attributes: [{ name: 'axis', type: 'int', value: 1 }, { name: 'saturate', type: 'int', value: 1n }],
          metadataProps: [{ key: 'scheme', value: 'uniform' }],
        }],
      },
    };
    const bytes = encodeModel(model);
    const proto = fromBinary(ModelProtoSchema, bytes);
    expect(proto.irVersion).toBe(10n);
    expect(proto.graph!.node[0]!.attribute.map((a) => [a.name, a.type, a.i])).toEqual([['axis', AttributeType.INT, 1n], ['saturate', AttributeType.INT, 1n]]);
    expect(proto.graph!.initializer[1]!.rawData).toEqual(new Uint8Array([3]));
    const back = decodeModel(bytes);
    expect(back.graph.nodes[0]!.attributes[1]).toEqual({ name: 'saturate', type: 'int', value: 1 });
    expect(back.graph.inputs).toEqual(model.graph.inputs);
    expect(back.graph.initializers.get('scale')!.tensor).toEqual(model.graph.initializers.get('scale')!.tensor);
    expect(firstDiff(encodeModel(back), bytes)).toBe(-1);
  });
});
