import { allocate, attrInt, attrInts, QuantforgeError, tensor, type Tensor } from '@quantforge/core';
import type { Kernel, KernelContext } from '../types.js';
import { windowGeometry, type Window3 } from './geometry.js';
import { attrError, f32, need, shapeError } from './util.js';

interface PoolSetup {
  x: Tensor;
  n: number; c: number;
  win: Window3;
  /** Lifted end pads (d, h, w). */
  endD: number; endH: number; endW: number;
  plane: number;
  outPlane: number;
  outDims: number[];
}

function setup(inputs: (Tensor | undefined)[], ctx: KernelContext): PoolSetup {
  const x = need(inputs, 0, 'X', ctx);
  if (x.dims.length < 3 || x.dims.length > 5) throw shapeError(ctx, `input must be [N, C, ...spatial] with 1-3 spatial dims, got [${x.dims}]`, { dims: x.dims });
  const kernel = attrInts(ctx.node, 'kernel_shape');
  if (!kernel) throw attrError(ctx, 'needs the kernel_shape attribute');
  const win = windowGeometry(ctx, x.dims.slice(2), kernel, attrInt(ctx.node, 'ceil_mode', 0) !== 0);
  const r = win.rank;
  const ends = [...Array<number>(3 - r).fill(0), ...win.pads.slice(r)];
  const plane = win.inD * win.inH * win.inW;
  const outPlane = win.outD * win.outH * win.outW;
  return {
    x, n: x.dims[0]!, c: x.dims[1]!, win, endD: ends[0]!, endH: ends[1]!, endW: ends[2]!, plane, outPlane,
    outDims: [x.dims[0]!, x.dims[1]!, ...win.outSpatial],
  };
}

/** ONNX MaxPool: dilations, pads/auto_pad, ceil_mode, and the optional int64 Indices output (storage_order). */
export const maxPool: Kernel = (inputs, ctx) => {
  const s = setup(inputs, ctx);
  const { x, win: g } = s;
  if (x.dtype !== 'float32' && x.dtype !== 'uint8' && x.dtype !== 'int8') {
    throw new QuantforgeError('QF_DTYPE_UNSUPPORTED', `MaxPool supports float32, uint8 and int8, got ${x.dtype}`, { details: { node: ctx.node.name, dtype: x.dtype } });
  }
  const colMajor = attrInt(ctx.node, 'storage_order', 0) === 1;
  const wantIdx = ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== '';
  const xd = x.data as Float32Array | Uint8Array | Int8Array;
  const total = s.n * s.c * s.outPlane;
  const y = allocate(x.dtype, total) as Float32Array | Uint8Array | Int8Array;
  const idx = wantIdx ? new BigInt64Array(total) : undefined;
  let o = 0;
  for (let nc = 0; nc < s.n * s.c; nc++) {
    const base = nc * s.plane;
    for (let od = 0; od < g.outD; od++) {
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++, o++) {
          let best = -Infinity;
          let at = -1;
          for (let kd = 0; kd < g.kD; kd++) {
            const id = od * g.sD - g.pD + kd * g.dD;
            if (id < 0 || id >= g.inD) continue;
            for (let kh = 0; kh < g.kH; kh++) {
              const ih = oh * g.sH - g.pH + kh * g.dH;
              if (ih < 0 || ih >= g.inH) continue;
              const rowOff = (id * g.inH + ih) * g.inW;
              for (let kw = 0; kw < g.kW; kw++) {
                const iw = ow * g.sW - g.pW + kw * g.dW;
                if (iw < 0 || iw >= g.inW) continue;
                const v = xd[base + rowOff + iw]!;
                if (v > best || at < 0) {
                  best = v;
                  at = colMajor ? (iw * g.inH + ih) * g.inD + id : rowOff + iw;
                }
              }
            }
          }
          y[o] = at < 0 ? 0 : best;
          if (idx) idx[o] = BigInt(at < 0 ? 0 : base + at);
        }
      }
    }
  }
  const out: Tensor[] = [tensor(x.dtype, s.outDims, y as Float32Array) as Tensor];
  if (idx) out.push(tensor('int64', s.outDims, idx) as Tensor);
  return out;
};

/** ONNX AveragePool (float32): count_include_pad, ceil_mode, pads/auto_pad, dilations. */
export const averagePool: Kernel = (inputs, ctx) => {
  const s = setup(inputs, ctx);
  const { x, win: g } = s;
  const xd = f32(x, 'X', ctx);
  const includePad = attrInt(ctx.node, 'count_include_pad', 0) !== 0;
  const y = new Float32Array(s.n * s.c * s.outPlane);
  let o = 0;
  for (let nc = 0; nc < s.n * s.c; nc++) {
    const base = nc * s.plane;
    for (let od = 0; od < g.outD; od++) {
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++, o++) {
          let sum = 0;
          let cnt = 0;
          for (let kd = 0; kd < g.kD; kd++) {
            const id = od * g.sD - g.pD + kd * g.dD;
            const inD = id >= 0 && id < g.inD;
            if (!inD && !(includePad && id >= -g.pD && id < g.inD + s.endD)) continue;
            for (let kh = 0; kh < g.kH; kh++) {
              const ih = oh * g.sH - g.pH + kh * g.dH;
              const inH = ih >= 0 && ih < g.inH;
              if (!inH && !(includePad && ih >= -g.pH && ih < g.inH + s.endH)) continue;
              for (let kw = 0; kw < g.kW; kw++) {
                const iw = ow * g.sW - g.pW + kw * g.dW;
                const inW = iw >= 0 && iw < g.inW;
                if (inD && inH && inW) {
                  sum += xd[base + (id * g.inH + ih) * g.inW + iw]!;
                  cnt++;
                } else if (includePad && iw >= -g.pW && iw < g.inW + s.endW) {
                  cnt++;
                }
              }
            }
          }
          y[o] = cnt > 0 ? sum / cnt : 0;
        }
      }
    }
  }
  return [tensor('float32', s.outDims, y) as Tensor];
};

/** ONNX GlobalAveragePool (float32): the mean over every spatial dim, kept as size-1 dims. */
export const globalAveragePool: Kernel = (inputs, ctx) => {
  const x = need(inputs, 0, 'X', ctx);
  if (x.dims.length < 2) throw shapeError(ctx, `input must be [N, C, ...], got [${x.dims}]`, { dims: x.dims });
  const xd = f32(x, 'X', ctx);
  const nc = x.dims[0]! * x.dims[1]!;
  const plane = x.dims.slice(2).reduce((a, b) => a * b, 1);
  const y = new Float32Array(nc);
  for (let i = 0; i < nc; i++) {
    let sum = 0;
    const off = i * plane;
    for (let j = 0; j < plane; j++) sum += xd[off + j]!;
    y[i] = plane > 0 ? sum / plane : 0;
  }
  return [tensor('float32', [x.dims[0]!, x.dims[1]!, ...x.dims.slice(2).map(() => 1)], y) as Tensor];
};
