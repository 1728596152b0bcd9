import type { Window3 } from './geometry.js';

// Patch matrices for convolution as a matrix product. Rows are (channel, kd, kh, kw), columns are output positions,
// so Conv becomes W[M, C*k] x col[C*k, L]. Padding reads as 0; integer kernels subtract zero points beforehand.

let scratch = new Float32Array(0);
/** Larger patch matrices get a buffer of their own, so one huge layer does not pin memory for the process lifetime. */
const KEEP_LIMIT = 8 * 1024 * 1024;

/**
 * A zeroed work buffer of `n` floats, reused across calls so large convolutions do not churn the GC. Kernels run
 * synchronously and never return it, so one module-wide buffer is safe.
 */
export function patchBuffer(n: number): Float32Array {
  if (n > KEEP_LIMIT) return new Float32Array(n);
  if (scratch.length < n) scratch = new Float32Array(Math.min(KEEP_LIMIT, Math.max(n, Math.ceil(scratch.length * 1.5))));
  const view = scratch.subarray(0, n);
  view.fill(0);
  return view;
}

/** First and one-past-last output index whose input coordinate o*s - p + off lies in [0, size). */
function validRange(out: number, stride: number, pad: number, offset: number, size: number): [number, number] {
  // o*s - p + off >= 0  <=>  o >= (p - off) / s
  let lo = Math.ceil((pad - offset) / stride);
  // o*s - p + off <= size - 1  <=>  o <= (size - 1 + p - off) / s
  let hi = Math.floor((size - 1 + pad - offset) / stride) + 1;
  if (lo < 0) lo = 0;
  if (hi > out) hi = out;
  return [lo, Math.max(lo, hi)];
}

/**
 * Fills `col` (zeroed) from `channels` planes of `x` starting at `xOff`: channels*kD*kH*kW rows, one column per
 * output position of the output rows [row0, row1) (a row is one (od, oh) pair of outW positions; default all rows).
 */
export function im2col(x: Float32Array, xOff: number, channels: number, g: Window3, col: Float32Array, row0 = 0, row1 = g.outD * g.outH): void {
  const { inD, inH, inW, kD, kH, kW, sD, sH, sW, dD, dH, dW, pD, pH, pW, outD, outH, outW } = g;
  const L = (row1 - row0) * outW;
  const plane = inD * inH * inW;
  let row = 0;
  for (let c = 0; c < channels; c++) {
    const cOff = xOff + c * plane;
    for (let kd = 0; kd < kD; kd++) {
      const [d0, d1] = validRange(outD, sD, pD, kd * dD, inD);
      for (let kh = 0; kh < kH; kh++) {
        const [h0, h1] = validRange(outH, sH, pH, kh * dH, inH);
        for (let kw = 0; kw < kW; kw++, row++) {
          const [w0, w1] = validRange(outW, sW, pW, kw * dW, inW);
          if (w0 >= w1) continue;
          const rowOff = row * L;
          for (let od = d0; od < d1; od++) {
            const id = od * sD - pD + kd * dD;
            const base = od * outH;
            const hs = Math.max(h0, row0 - base), he = Math.min(h1, row1 - base);
            for (let oh = hs; oh < he; oh++) {
              const r = base + oh;
              const ih = oh * sH - pH + kh * dH;
              const src = cOff + (id * inH + ih) * inW - pW + kw * dW;
              const dst = rowOff + (r - row0) * outW;
              if (sW === 1) {
                for (let ow = w0; ow < w1; ow++) col[dst + ow] = x[src + ow]!;
              } else {
                for (let ow = w0; ow < w1; ow++) col[dst + ow] = x[src + ow * sW]!;
              }
            }
          }
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: adds each column entry into `y` (channels planes of the geometry's *input* size, at `yOff`).
 * ConvTranspose runs Conv backwards, so its output plays the role of Conv's input here.
 */
export function col2imAdd(col: Float32Array, channels: number, g: Window3, y: Float32Array, yOff: number): void {
  const { inD, inH, inW, kD, kH, kW, sD, sH, sW, dD, dH, dW, pD, pH, pW, outD, outH, outW } = g;
  const L = outD * outH * outW;
  const plane = inD * inH * inW;
  let row = 0;
  for (let c = 0; c < channels; c++) {
    const cOff = yOff + c * plane;
    for (let kd = 0; kd < kD; kd++) {
      const [d0, d1] = validRange(outD, sD, pD, kd * dD, inD);
      for (let kh = 0; kh < kH; kh++) {
        const [h0, h1] = validRange(outH, sH, pH, kh * dH, inH);
        for (let kw = 0; kw < kW; kw++, row++) {
          const [w0, w1] = validRange(outW, sW, pW, kw * dW, inW);
          if (w0 >= w1) continue;
          const rowOff = row * L;
          for (let od = d0; od < d1; od++) {
            const id = od * sD - pD + kd * dD;
            for (let oh = h0; oh < h1; oh++) {
              const ih = oh * sH - pH + kh * dH;
              const dst = cOff + (id * inH + ih) * inW - pW + kw * dW;
              const src = rowOff + (od * outH + oh) * outW;
              for (let ow = w0; ow < w1; ow++) y[dst + ow * sW] = y[dst + ow * sW]! + col[src + ow]!;
            }
          }
        }
      }
    }
  }
}
