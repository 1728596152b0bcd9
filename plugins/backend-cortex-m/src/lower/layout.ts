/**
 * ONNX (NCHW activations, OIHW conv weights) to CMSIS-NN (NHWC activations, OHWI conv weights, 1HWO depthwise
 * weights) layout conversion.
 */

/** NHWC dims of an NCHW shape; other ranks are unchanged. */
export function nhwcDims(dims: readonly number[]): number[] {
  if (dims.length !== 4) return [...dims];
  const [n, c, h, w] = dims as [number, number, number, number];
  return [n, h, w, c];
}

/** Reorders NCHW data to NHWC. */
export function nchwToNhwc<T extends Int8Array | Int16Array | Int32Array | Float32Array>(data: T, dims: readonly number[]): T {
  const [n, c, h, w] = dims as [number, number, number, number];
  const out = new (data.constructor as new (len: number) => T)(data.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ch] = data[((b * c + ch) * h + y) * w + x]!;
      }
    }
  }
  return out;
}

/** Reorders NHWC data back to NCHW (for comparing simulator outputs with ONNX tensors). */
export function nhwcToNchw<T extends Int8Array | Int16Array | Int32Array | Float32Array>(data: T, nchw: readonly number[]): T {
  const [n, c, h, w] = nchw as [number, number, number, number];
  const out = new (data.constructor as new (len: number) => T)(data.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) out[((b * c + ch) * h + y) * w + x] = data[((b * h + y) * w + x) * c + ch]!;
      }
    }
  }
  return out;
}

/** Conv weights OIHW → OHWI (`[C_OUT, HK, WK, CK]`); it is the NCHW → NHWC reordering with O as the batch. */
export function oihwToOhwi(data: Int8Array, dims: readonly number[]): Int8Array {
  return nchwToNhwc(data, dims);
}

/** Depthwise weights ONNX `[C_OUT, 1, HK, WK]` → CMSIS-NN `[1, HK, WK, C_OUT]`. */
export function depthwiseWeights(data: Int8Array, dims: readonly number[]): Int8Array {
  const [cOut, , kh, kw] = dims as [number, number, number, number];
  const out = new Int8Array(data.length);
  for (let o = 0; o < cOut; o++) {
    for (let i = 0; i < kh * kw; i++) out[i * cOut + o] = data[o * kh * kw + i]!;
  }
  return out;
}

/**
 * Fully-connected weights as CMSIS-NN reads them: `[C_OUT][K]`, row per output. `transposed` says the ONNX weight
 * is `[K, C_OUT]` (MatMul, Gemm transB = 0). `flattenedFrom` is the NCHW shape `[1, C, H, W]` the input was flattened
 * from: ONNX column `c·H·W + h·W + w` then moves to NHWC position `(h·W + w)·C + c`.
 */
export function denseWeights(data: Int8Array, dims: readonly number[], transposed: boolean, flattenedFrom?: readonly number[]): Int8Array {
  const [r, s] = dims as [number, number];
  const cOut = transposed ? s : r;
  const k = transposed ? r : s;
  const out = new Int8Array(data.length);
  const [, c, h, w] = (flattenedFrom ?? [1, k, 1, 1]) as [number, number, number, number];
  for (let o = 0; o < cOut; o++) {
    for (let col = 0; col < k; col++) {
      const ch = Math.floor(col / (h * w));
      const pix = col % (h * w);
      const dst = flattenedFrom === undefined ? col : pix * c + ch;
      out[o * k + dst] = data[transposed ? col * cOut + o : o * k + col]!;
    }
  }
  return out;
}
