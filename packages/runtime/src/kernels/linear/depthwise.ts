import type { ConvPlan } from './conv.js';

/**
 * Convolution where every group has one input channel (depthwise, channel multiplier mg). Each kernel tap adds a
 * shifted, scaled input row into the output row, so there is no patch matrix and the rows stay in L1.
 * `y` holds the bias (or zeros) on entry.
 */
export function depthwiseF32(p: ConvPlan, x: Float32Array, w: Float32Array, y: Float32Array): void {
  const g = p.win;
  const { inD, inH, inW, kD, kH, kW, sD, sH, sW, dD, dH, dW, pD, pH, pW, outD, outH, outW } = g;
  const taps = kD * kH * kW;
  for (let b = 0; b < p.n; b++) {
    for (let ch = 0; ch < p.m; ch++) {
      const xOff = (b * p.c + Math.floor(ch / p.mg)) * p.inPlane;
      const yOff = (b * p.m + ch) * p.l;
      const wOff = ch * taps;
      for (let kw = 0; kw < kW; kw++) {
        // Output columns whose input column ow*sW - pW + kw*dW is inside the image.
        const off = kw * dW - pW;
        const w0 = Math.max(0, Math.ceil(-off / sW));
        const w1 = Math.min(outW, Math.floor((inW - 1 - off) / sW) + 1);
        if (w0 >= w1) continue;
        for (let kd = 0; kd < kD; kd++) {
          for (let kh = 0; kh < kH; kh++) {
            const wv = w[wOff + (kd * kH + kh) * kW + kw]!;
            if (wv === 0) continue;
            for (let od = 0; od < outD; od++) {
              const id = od * sD - pD + kd * dD;
              if (id < 0 || id >= inD) continue;
              for (let oh = 0; oh < outH; oh++) {
                const ih = oh * sH - pH + kh * dH;
                if (ih < 0 || ih >= inH) continue;
                const src = xOff + (id * inH + ih) * inW + off;
                const dst = yOff + (od * outH + oh) * outW;
                if (sW === 1) {
                  for (let ow = w0; ow < w1; ow++) y[dst + ow] = y[dst + ow]! + wv * x[src + ow]!;
                } else {
                  for (let ow = w0; ow < w1; ow++) y[dst + ow] = y[dst + ow]! + wv * x[src + ow * sW]!;
                }
              }
            }
          }
        }
      }
    }
  }
}
