// Dense matrix products on row-major typed arrays. B is packed four columns at a time into a small panel (per K block,
// so the panel stays in L1); a 4x4 tile of C is accumulated in locals while A's four rows stream by. Sums are formed in
// float64 locals and added to C once per K block.

const KB = 256;
const panel = new Float32Array(KB * 4);

/**
 * C[M,N] += A[M,K] * B[K,N], all row-major; A and B dense, C with row stride `ldc` (default N, so a column block
 * of a wider C can be written). `aOff`/`bOff`/`cOff` address one matrix inside a batched buffer. C may be float32 (float kernels) or float64 (integer kernels: with |values| <= 255 every product and
 * partial sum is exact, and the caller wraps the total to int32).
 */
export function gemmAcc(
  m: number, n: number, k: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  c: Float32Array | Float64Array, cOff: number,
  ldc: number = n,
): void {
  const n4 = n - (n % 4);
  const m4 = m - (m % 4);
  for (let k0 = 0; k0 < k; k0 += KB) {
    const kc = Math.min(KB, k - k0);
    const kq = kc * 4;
    for (let j = 0; j < n4; j += 4) {
      for (let p = 0, s = bOff + k0 * n + j; p < kq; p += 4, s += n) {
        panel[p] = b[s]!; panel[p + 1] = b[s + 1]!; panel[p + 2] = b[s + 2]!; panel[p + 3] = b[s + 3]!;
      }
      let i = 0;
      for (; i < m4; i += 4) {
        const r0 = aOff + i * k + k0, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let p = 0, q = 0; q < kq; p++, q += 4) {
          const b0 = panel[q]!, b1 = panel[q + 1]!, b2 = panel[q + 2]!, b3 = panel[q + 3]!;
          let x = a[r0 + p]!;
          c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
          x = a[r1 + p]!;
          c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
          x = a[r2 + p]!;
          c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
          x = a[r3 + p]!;
          c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
        }
        let o = cOff + i * ldc + j;
        c[o] = c[o]! + c00; c[o + 1] = c[o + 1]! + c01; c[o + 2] = c[o + 2]! + c02; c[o + 3] = c[o + 3]! + c03;
        o += ldc;
        c[o] = c[o]! + c10; c[o + 1] = c[o + 1]! + c11; c[o + 2] = c[o + 2]! + c12; c[o + 3] = c[o + 3]! + c13;
        o += ldc;
        c[o] = c[o]! + c20; c[o + 1] = c[o + 1]! + c21; c[o + 2] = c[o + 2]! + c22; c[o + 3] = c[o + 3]! + c23;
        o += ldc;
        c[o] = c[o]! + c30; c[o + 1] = c[o + 1]! + c31; c[o + 2] = c[o + 2]! + c32; c[o + 3] = c[o + 3]! + c33;
      }
      for (; i < m; i++) {
        const r0 = aOff + i * k + k0;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        for (let p = 0, q = 0; q < kq; p++, q += 4) {
          const x = a[r0 + p]!;
          c00 += x * panel[q]!; c01 += x * panel[q + 1]!; c02 += x * panel[q + 2]!; c03 += x * panel[q + 3]!;
        }
        const o = cOff + i * ldc + j;
        c[o] = c[o]! + c00; c[o + 1] = c[o + 1]! + c01; c[o + 2] = c[o + 2]! + c02; c[o + 3] = c[o + 3]! + c03;
      }
    }
    if (n4 < n) {
      for (let i = 0; i < m; i++) {
        const r0 = aOff + i * k + k0;
        for (let j = n4; j < n; j++) {
          let s = 0;
          for (let p = 0, bp = bOff + k0 * n + j; p < kc; p++, bp += n) s += a[r0 + p]! * b[bp]!;
          c[cOff + i * ldc + j] = c[cOff + i * ldc + j]! + s;
        }
      }
    }
  }
}

/** Float kernels' name for {@link gemmAcc} with a float32 C. */
export function sgemmAcc(m: number, n: number, k: number, a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number, ldc = n): void {
  gemmAcc(m, n, k, a, aOff, b, bOff, c, cOff, ldc);
}

/** Integer kernels' name for {@link gemmAcc} with exact float64 sums. */
export function dgemmAcc(m: number, n: number, k: number, a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float64Array, cOff: number, ldc = n): void {
  gemmAcc(m, n, k, a, aOff, b, bOff, c, cOff, ldc);
}

/** Row-major transpose of a rows x cols matrix starting at `off` into a fresh cols x rows array. */
export function transpose2d(src: Float32Array, off: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const s = off + r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[s + c]!;
  }
  return out;
}
