import { tensor, type Tensor } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { gemm } from '../src/kernels/linear/gemm.js';
import { sgemmAcc } from '../src/kernels/linear/gemm-core.js';
import { matMul } from '../src/kernels/linear/matmul.js';
import { ctxFor, makeNode, maxAbsDiff, randomFloats } from './linear-helpers.js';

function naive(m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>, aOff = 0, bOff = 0): Float64Array {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[aOff + i * k + p]! * b[bOff + p * n + j]!;
    y[i * n + j] = s;
  }
  return y;
}

describe('blocked sgemm', () => {
  it('matches a naive product across block edges (M, N, K not multiples of the blocks)', () => {
    for (const [m, n, k] of [[1, 1, 1], [5, 7, 3], [9, 600, 130], [4, 513, 257]] as const) {
      const a = randomFloats(m * k, m + 1), b = randomFloats(k * n, n + 2);
      const c = new Float32Array(m * n);
      sgemmAcc(m, n, k, a, 0, b, 0, c, 0);
      expect(maxAbsDiff(c, naive(m, n, k, a, b))).toBeLessThan(1e-4);
    }
  });
});

describe('MatMul', () => {
  const run = (ad: number[], bd: number[]): Tensor => {
    const a = tensor('float32', ad, randomFloats(ad.reduce((x, y) => x * y, 1), 11));
    const b = tensor('float32', bd, randomFloats(bd.reduce((x, y) => x * y, 1), 12));
    return matMul([a, b], ctxFor(makeNode('MatMul', ['a', 'b'], ['y'])))[0]!;
  };

  it('2-D', () => {
    const y = run([3, 4], [4, 5]);
    expect(y.dims).toEqual([3, 5]);
    expect(maxAbsDiff(y.data as Float32Array, naive(3, 5, 4, randomFloats(12, 11), randomFloats(20, 12)))).toBeLessThan(1e-6);
  });

  it('broadcasts batch dims both ways', () => {
    const y = run([2, 1, 3, 4], [3, 4, 2]);
    expect(y.dims).toEqual([2, 3, 3, 2]);
    const a = randomFloats(24, 11), b = randomFloats(24, 12);
    // batch (i, j) uses A[i] and B[j]
    const want = naive(3, 2, 4, a, b, 12, 8 * 2);
    const got = (y.data as Float32Array).subarray((1 * 3 + 2) * 6, (1 * 3 + 2) * 6 + 6);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-6);
  });

  it('1-D operands are promoted and the added dims dropped', () => {
    expect(run([4], [4, 5]).dims).toEqual([5]);
    expect(run([2, 3, 4], [4]).dims).toEqual([2, 3]);
    expect(run([4], [4]).dims).toEqual([]);
    const y = run([2, 3, 4], [4]);
    expect(maxAbsDiff(y.data as Float32Array, naive(6, 1, 4, randomFloats(24, 11), randomFloats(4, 12)))).toBeLessThan(1e-6);
  });

  it('rejects mismatched inner dims', () => {
    expect(() => run([2, 3], [4, 2])).toThrow(/inner dims/);
  });
});

describe('Gemm', () => {
  const a = randomFloats(12, 21), b = randomFloats(20, 22);
  const t = (rows: number, cols: number, d: Float32Array): Float32Array => {
    const o = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) o[c * rows + r] = d[r * cols + c]!;
    return o;
  };
  const base = naive(3, 5, 4, a, b);

  for (const [ta, tb] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
    it(`transA=${ta} transB=${tb} with alpha, beta and a row-broadcast C`, () => {
      const A = ta ? tensor('float32', [4, 3], t(3, 4, a)) : tensor('float32', [3, 4], a);
      const B = tb ? tensor('float32', [5, 4], t(4, 5, b)) : tensor('float32', [4, 5], b);
      const C = tensor('float32', [5], new Float32Array([1, 2, 3, 4, 5]));
      const node = makeNode('Gemm', ['a', 'b', 'c'], ['y'], { transA: ta, transB: tb, alpha: { float: 0.5 }, beta: { float: 2 } });
      const [y] = gemm([A, B, C], ctxFor(node));
      const want = base.map((v, i) => 0.5 * v + 2 * (1 + (i % 5)));
      expect(y!.dims).toEqual([3, 5]);
      expect(maxAbsDiff(y!.data as Float32Array, want)).toBeLessThan(1e-5);
    });
  }

  it('broadcasts a column C [M, 1] and a scalar C', () => {
    const node = makeNode('Gemm', ['a', 'b', 'c'], ['y']);
    const [y] = gemm([tensor('float32', [3, 4], a), tensor('float32', [4, 5], b), tensor('float32', [3, 1], new Float32Array([10, 20, 30]))], ctxFor(node));
    expect(maxAbsDiff(y!.data as Float32Array, base.map((v, i) => v + 10 * (1 + Math.floor(i / 5))))).toBeLessThan(1e-5);
    const [z] = gemm([tensor('float32', [3, 4], a), tensor('float32', [4, 5], b), tensor('float32', [], new Float32Array([7]))], ctxFor(node));
    expect(maxAbsDiff(z!.data as Float32Array, base.map((v) => v + 7))).toBeLessThan(1e-5);
  });

  it('rejects a C that does not broadcast', () => {
    const node = makeNode('Gemm', ['a', 'b', 'c'], ['y']);
    expect(() => gemm([tensor('float32', [3, 4], a), tensor('float32', [4, 5], b), tensor('float32', [2], new Float32Array(2))], ctxFor(node))).toThrow(/broadcast/);
  });
});
