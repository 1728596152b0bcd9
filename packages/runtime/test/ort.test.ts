import { tensor, type Tensor } from '@quantforge/core';
import { encodeModel } from '@quantforge/onnx';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/engine/index.js';
import { createOrtSession, fromOrtTensor, toOrtTensor, withExposedOutputs } from '../src/ort/index.js';
import { makeModel, makeNode, randomFloats } from './linear-helpers.js';

const samples: Tensor[] = [
  tensor('float32', [2, 2], Float32Array.from([1.5, -2, 0, 3])),
  tensor('int8', [3], Int8Array.from([-128, 0, 127])),
  tensor('uint8', [3], Uint8Array.from([0, 1, 255])),
  tensor('int32', [2], Int32Array.from([-5, 2 ** 31 - 1])),
  tensor('int64', [2], BigInt64Array.from([-(2n ** 40n), 7n])),
  tensor('bool', [3], Uint8Array.from([1, 0, 1])),
  tensor('float16', [2], Uint16Array.from([0x3c00, 0xc000])),
];

describe('core <-> ort tensors', () => {
  for (const t of samples) {
    it(`round-trips ${t.dtype}`, () => {
      const back = fromOrtTensor(toOrtTensor(ort, t));
      expect(back.dtype).toBe(t.dtype);
      expect(back.dims).toEqual(t.dims);
      expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(t.data as ArrayLike<unknown>));
    });
  }

  it('refuses dtypes onnxruntime cannot hold', () => {
    expect(() => toOrtTensor(ort, tensor('int4', [2]))).toThrow(expect.objectContaining({ code: 'QF_DTYPE_UNSUPPORTED' }));
  });

  it('copies a view so the result owns its buffer', () => {
    const big = new Float32Array(8);
    const t = fromOrtTensor(new ort.Tensor('float32', big.subarray(2, 4), [2]));
    expect(t.data.length).toBe(2);
    expect((t.data as Float32Array).buffer.byteLength).toBe(8);
  });
});

function chain() {
  const f = (name: string, shape: number[]) => ({ name, type: { kind: 'tensor' as const, elemType: 'float32' as const, shape } });
  return makeModel(
    [makeNode('MatMul', ['x', 'w'], ['h'], {}, 'mm'), makeNode('Gemm', ['h', 'w2', 'b'], ['y'], { transB: 1 }, 'fc')],
    [f('x', [2, 6])], [f('y', [2, 3])],
    { w: tensor('float32', [6, 5], randomFloats(30, 1)), w2: tensor('float32', [3, 5], randomFloats(15, 2)), b: tensor('float32', [3], randomFloats(3, 3)) },
  );
}

describe('createOrtSession', () => {
  const x = tensor('float32', [2, 6], randomFloats(12, 4));

  it('runs a model given as IR, bytes or with exposed intermediates, matching the reference executor', async () => {
    const model = chain();
    const ref = createExecutor(model).run({ x }, { outputs: ['y', 'h'] });
    const s1 = await createOrtSession(model);
    expect(s1.inputNames).toEqual(['x']);
    const y1 = (await s1.run({ x })).y!;
    const s2 = await createOrtSession(encodeModel(model), { exposeOutputs: ['h'] });
    expect(s2.outputNames).toEqual(['y', 'h']);
    const out2 = await s2.run({ x });
    for (const [a, b] of [[y1, ref.y!], [out2.h!, ref.h!]] as const) {
      expect(a.dims).toEqual(b.dims);
      const d = Array.from(a.data as Float32Array, (v, i) => Math.abs(v - (b.data as Float32Array)[i]!));
      expect(Math.max(...d)).toBeLessThan(1e-5);
    }
    const only = await s2.run({ x }, { outputs: ['h'] });
    expect(Object.keys(only)).toEqual(['h']);
    await s1.release();
    await s2.release();
  });

  it('types exposed outputs from value info, initializers or shape inference', () => {
    const m = withExposedOutputs(chain(), ['h', 'w', 'y']);
    expect(m.graph.outputs.map((o) => o.name)).toEqual(['y', 'h', 'w']);
    expect(m.graph.outputs[1]!.type).toMatchObject({ kind: 'tensor', elemType: 'float32' });
    expect(m.graph.outputs[2]!.type).toMatchObject({ kind: 'tensor', elemType: 'float32', shape: [6, 5] });
  });

  it('reports garbage bytes and bad feeds as QF_ORT_FAILED', async () => {
    await expect(createOrtSession(new Uint8Array([1, 2, 3, 4, 5]))).rejects.toMatchObject({ code: 'QF_ORT_FAILED' });
    const s = await createOrtSession(chain());
    await expect(s.run({ x: tensor('float32', [3, 2]) })).rejects.toMatchObject({ code: 'QF_ORT_FAILED' });
    await s.release();
  });
});
