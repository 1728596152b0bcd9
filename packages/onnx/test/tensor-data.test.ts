import { describe, expect, it } from 'vitest';
import { fromBinary } from '@bufbuild/protobuf';
import { TensorProtoSchema } from 'onnx-buf';
import type { NamedTensor } from '@quantforge/core';
import { decodeModel, decodeTensorProto, encodeModel, encodeTensorProto } from '../src/index.js';
import { DataType as T, encodeModelProto, encodeTensor, littleEndianBytes as le, smallModel, tensorProto } from './generate.js';
import { firstDiff } from './helpers.js';

const roundTrip = (nt: NamedTensor): NamedTensor => decodeTensorProto(encodeTensorProto(nt));

describe('tensor data in the IR', () => {
  it('raw_data becomes an owned, aligned typed array (one copy, not a view into the file)', () => {
    // Put the float data at an odd offset of the input buffer, as a real file would.
    const inner = encodeTensor(tensorProto('w', T.FLOAT, [3], { rawData: le(new Float32Array([1, 2, 3])) }));
    const file = new Uint8Array(inner.length + 1);
    file.set(inner, 1);
    const nt = decodeTensorProto(file.subarray(1));
    const data = nt.tensor.data as Float32Array;
    expect(data).toBeInstanceOf(Float32Array);
    expect(Array.from(data)).toEqual([1, 2, 3]);
    expect(data.buffer).not.toBe(file.buffer);
    expect(data.byteOffset).toBe(0);
    expect(data.buffer.byteLength).toBe(12);
  });

  it('uses the storage the IR prescribes for each dtype', () => {
    const cases: [number, number[], Uint8Array<ArrayBuffer>, string, unknown[]][] = [
      [T.INT64, [2], le(new BigInt64Array([-1n, 5n])), 'BigInt64Array', [-1n, 5n]],
      [T.FLOAT16, [2], le(new Uint16Array([0x3c00, 0xc000])), 'Uint16Array', [0x3c00, 0xc000]],
      [T.BFLOAT16, [1], le(new Uint16Array([0x3f80])), 'Uint16Array', [0x3f80]],
      [T.INT4, [3], new Uint8Array([0x7f, 0x08]), 'Int8Array', [-1, 7, -8]],
      [T.UINT4, [3], new Uint8Array([0x7f, 0x08]), 'Uint8Array', [15, 7, 8]],
      [T.BOOL, [2], new Uint8Array([1, 0]), 'Uint8Array', [1, 0]],
      [T.UINT64, [1], le(new BigUint64Array([2n ** 64n - 1n])), 'BigUint64Array', [2n ** 64n - 1n]],
    ];
    for (const [dt, dims, raw, storage, values] of cases) {
      const nt = decodeTensorProto(encodeTensor(tensorProto('t', dt, dims, { rawData: raw })));
      expect(nt.tensor.data.constructor.name).toBe(storage);
      expect(Array.from(nt.tensor.data as ArrayLike<unknown>)).toEqual(values);
    }
  });

  it('typed fields (float_data, int64_data, int32_data for float16) decode to the same typed arrays', () => {
    expect(Array.from(decodeTensorProto(encodeTensor(tensorProto('a', T.FLOAT, [2], { floatData: [0.5, -1] }))).tensor.data as Float32Array)).toEqual([0.5, -1]);
    expect(decodeTensorProto(encodeTensor(tensorProto('b', T.INT64, [1], { int64Data: [7n] }))).tensor.data).toEqual(new BigInt64Array([7n]));
    expect(decodeTensorProto(encodeTensor(tensorProto('c', T.FLOAT16, [1], { int32Data: [0x3c00] }))).tensor.data).toEqual(new Uint16Array([0x3c00]));
  });

  it('a changed tensor is written with its new data, in its original storage form', () => {
    for (const init of [{ rawData: le(new Float32Array([1, 2])) }, { floatData: [1, 2] }]) {
      const bytes = encodeTensor(tensorProto('w', T.FLOAT, [2], init));
      const nt = decodeTensorProto(bytes);
      (nt.tensor.data as Float32Array)[1] = 42; // in place
      const out = encodeTensorProto(nt);
      const proto = fromBinary(TensorProtoSchema, out);
      expect('floatData' in init ? proto.floatData : Array.from(new Float32Array(proto.rawData.slice().buffer))).toEqual([1, 42]);
      expect(Array.from(decodeTensorProto(out).tensor.data as Float32Array)).toEqual([1, 42]);
      nt.tensor = { dtype: 'float32', dims: [3], data: new Float32Array([7, 8, 9]) }; // replaced
      expect(Array.from(decodeTensorProto(encodeTensorProto(nt)).tensor.data as Float32Array)).toEqual([7, 8, 9]);
    }
  });

  it('keeps odd originals (out-of-range int32_data, int4 padding bits, non-UTF-8 strings) only while unchanged', () => {
    const odd = [
      tensorProto('i8', T.INT8, [2], { int32Data: [200, -1] }),
      tensorProto('i4', T.INT4, [3], { rawData: new Uint8Array([0x12, 0xf3]) }),
      tensorProto('s', T.STRING, [1], { stringData: [new Uint8Array([0xff, 0x41])] }),
    ];
    for (const p of odd) {
      const bytes = encodeTensor(p);
      const nt = decodeTensorProto(bytes);
      expect(firstDiff(encodeTensorProto(nt), bytes)).toBe(-1);
      const d = nt.tensor.data as unknown as unknown[];
      d[0] = typeof d[0] === 'string' ? 'x' : 3;
      const again = roundTrip(nt);
      expect((again.tensor.data as unknown as unknown[])[0]).toBe(d[0]);
    }
  });

  it('changing the dtype drops a storage form that does not fit it', () => {
    const nt = decodeTensorProto(encodeTensor(tensorProto('w', T.FLOAT, [2], { floatData: [1, 2] })));
    nt.tensor = { dtype: 'int8', dims: [2], data: new Int8Array([3, 4]) };
    const proto = fromBinary(TensorProtoSchema, encodeTensorProto(nt));
    expect(proto.floatData).toEqual([]);
    expect(Array.from(proto.rawData)).toEqual([3, 4]);
  });

  it('a tensor built in code is written as raw_data (string_data for strings)', () => {
    const p = fromBinary(TensorProtoSchema, encodeTensorProto({ name: 'n', tensor: { dtype: 'int64', dims: [2], data: new BigInt64Array([1n, -2n]) } }));
    expect(p.dataType).toBe(T.INT64);
    expect(Array.from(new BigInt64Array(p.rawData.slice().buffer))).toEqual([1n, -2n]);
    const s = fromBinary(TensorProtoSchema, encodeTensorProto({ name: 's', tensor: { dtype: 'string', dims: [1], data: ['é'] } }));
    expect(new TextDecoder().decode(s.stringData[0])).toBe('é');
    const i4 = fromBinary(TensorProtoSchema, encodeTensorProto({ name: 'q', tensor: { dtype: 'int4', dims: [3], data: new Int8Array([-1, 7, -8]) } }));
    expect(Array.from(i4.rawData)).toEqual([0x7f, 0x08]);
  });

  it('rejects tensors whose storage does not match dtype and dims (QF_TENSOR_INVALID)', () => {
    expect(() => encodeTensorProto({ name: 'x', tensor: { dtype: 'float32', dims: [3], data: new Float32Array(2) } })).toThrow(expect.objectContaining({ code: 'QF_TENSOR_INVALID' }));
    expect(() => encodeTensorProto({ name: 'x', tensor: { dtype: 'float32', dims: [2], data: new Float64Array(2) as never } })).toThrow(expect.objectContaining({ code: 'QF_TENSOR_INVALID' }));
  });

  it('model initializers and Constant values behave the same way inside a model', () => {
    const bytes = encodeModelProto(smallModel({ weights: [tensorProto('W', T.FLOAT, [2, 2], { floatData: [1, 2, 3, 4] })] }));
    const model = decodeModel(bytes);
    expect(firstDiff(encodeModel(model), bytes)).toBe(-1);
    (model.graph.initializers.get('W')!.tensor.data as Float32Array)[0] = -1;
    expect((decodeModel(encodeModel(model)).graph.initializers.get('W')!.tensor.data as Float32Array)[0]).toBe(-1);
  });
});
