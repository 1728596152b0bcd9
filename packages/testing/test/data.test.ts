import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QuantforgeError, type Tensor } from '@quantforge/core';
import { compareTensors } from '../src/compare.js';
import { readCase } from '../src/case.js';
import { parseNpy } from '../src/npy.js';
import { tensorFromJson, tensorToJson } from '../src/tensor-json.js';

function npy(descr: string, shape: string, body: Uint8Array, version = 1, fortran = 'False'): Uint8Array {
  const header = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': (${shape}), }\n`;
  const lenBytes = version === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lenBytes + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), 8 + lenBytes);
  out.set(body, 8 + lenBytes + header.length);
  return out;
}

function dataCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantforgeError);
    return (e as QuantforgeError).code;
  }
  return 'no error';
}

describe('.npy reader', () => {
  it('reads the numpy-written fixture', () => {
    const t = parseNpy(readFileSync(new URL('./fixtures/plugin-scale/fixtures/npy-input/x.npy', import.meta.url)));
    expect(t.dtype).toBe('float32');
    expect(t.dims).toEqual([2, 3]);
    expect(Array.from(t.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reads version 2 headers, int64 and scalars into owned buffers', () => {
    const body = new Uint8Array(new BigInt64Array([-5n, 2n ** 40n]).buffer);
    const t = parseNpy(npy('<i8', '2,', body, 2));
    expect(t.dtype).toBe('int64');
    expect(Array.from(t.data as BigInt64Array)).toEqual([-5n, 2n ** 40n]);
    expect((t.data as BigInt64Array).byteOffset).toBe(0);
    const scalar = parseNpy(npy('<f8', '', new Uint8Array(new Float64Array([2.5]).buffer)));
    expect(scalar.dims).toEqual([]);
    expect(scalar.data[0]).toBe(2.5);
  });

  it('refuses what it cannot read with QF_DATA_FORMAT', () => {
    const four = new Uint8Array(4);
    expect(dataCode(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])))).toBe('QF_DATA_FORMAT');
    expect(dataCode(() => parseNpy(npy('>f4', '1,', four)))).toBe('QF_DATA_FORMAT');
    expect(dataCode(() => parseNpy(npy('<f4', '1,', four, 1, 'True')))).toBe('QF_DATA_FORMAT');
    expect(dataCode(() => parseNpy(npy('<f4', '2,', four)))).toBe('QF_DATA_FORMAT');
  });
});

describe('JSON tensors', () => {
  it('round-trips numeric, int64 and bool tensors', () => {
    const ids = tensorFromJson({ dtype: 'int64', dims: [2], data: ['9007199254740993', -1] }, 'ids');
    expect(ids.data[0]).toBe(9007199254740993n);
    expect(tensorToJson(ids)).toEqual({ dtype: 'int64', dims: [2], data: ['9007199254740993', '-1'] });
    const flags = tensorFromJson({ dtype: 'bool', dims: [2], data: [true, 0] }, 'flags');
    expect(Array.from(flags.data as Uint8Array)).toEqual([1, 0]);
  });

  it('names the place of a bad tensor', () => {
    for (const bad of [{ dtype: 'float33', dims: [1], data: [1] }, { dtype: 'float32', dims: [2], data: [1] }, { dtype: 'int8', dims: [1], data: ['x'] }, 7]) {
      try {
        tensorFromJson(bad, 'inputs.x');
        expect.unreachable();
      } catch (e) {
        expect((e as QuantforgeError).code).toBe('QF_DATA_FORMAT');
        expect((e as QuantforgeError).message).toContain('inputs.x');
      }
    }
  });
});

describe('compareTensors', () => {
  const f = (data: number[], dims = [data.length]): Tensor => ({ dtype: 'float32', dims, data: new Float32Array(data) });
  it('accepts values within tolerance and NaN against NaN', () => {
    expect(compareTensors(f([1, Number.NaN]), f([1, Number.NaN]))).toBeUndefined();
    expect(compareTensors(f([1.05]), f([1]), { atol: 0.1 })).toBeUndefined();
    expect(compareTensors(f([110]), f([100]), { rtol: 0.1 })).toBeUndefined();
  });

  it('reports dtype, dims and the worst element', () => {
    expect(compareTensors(f([1]), { dtype: 'float64', dims: [1], data: new Float64Array([1]) })).toContain('dtype');
    expect(compareTensors(f([1, 2], [2]), f([1, 2], [1, 2]))).toContain('dims');
    expect(compareTensors(f([1, 5, 2.5]), f([1, 2, 2]), { atol: 0.1 })).toBe('2 of 3 values differ; worst at index 1: got 5, expected 2 (atol 0.1, rtol 0)');
    expect(compareTensors(f([Number.NaN]), f([1]))).toContain('1 of 1');
    const ints = (v: number) => ({ dtype: 'int32', dims: [1], data: new Int32Array([v]) }) as Tensor;
    expect(compareTensors(ints(3), ints(4))).toContain('got 3, expected 4');
  });
});

describe('case.json', () => {
  it('reads a case with inline and .npy inputs', () => {
    const c = readCase(new URL('./fixtures/plugin-scale/fixtures/npy-input', import.meta.url).pathname);
    expect(c.id).toBe('npy-input');
    expect(c.transfer).toBe('share');
    expect(c.inputs.x?.dims).toEqual([2, 3]);
    expect(c.expect.tolerance).toEqual({ atol: 1e-6, rtol: 1e-6 });
  });

  it('refuses a case folder without a valid case.json', () => {
    expect(dataCode(() => readCase(new URL('./fixtures/plugin-scale', import.meta.url).pathname))).toBe('QF_DATA_FORMAT');
  });
});
