import {
  affineEncoding, dequantize, quantizeWith, reduceRanges, tensor, tensorRange,
  type AffineEncoding, type AffineFormat, type Attribute, type Graph, type Model, type Node, type PlanEntry, type QuantizedTensor, type Tensor,
} from '@quantforge/core';
import ort from 'onnxruntime-node';
import { encodeModel } from '../src/index.js';

// Small builders and a direct TypeScript computation of float / fake-quantized graphs for the QDQ exporter tests.

export function randomFloats(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export type AttrSpec = Record<string, number | number[] | string>;

export function node(opType: string, inputs: string[], outputs: string[], spec: AttrSpec = {}, name = `${opType}_${outputs[0]}`): Node {
  const attributes = Object.entries(spec).map(([n, v]): Attribute => {
    if (typeof v === 'string') return { name: n, type: 'string', value: new TextEncoder().encode(v) };
    if (Array.isArray(v)) return { name: n, type: 'ints', value: v };
    return Number.isInteger(v) ? { name: n, type: 'int', value: v } : { name: n, type: 'float', value: v };
  });
  return { name, opType, domain: '', inputs, outputs, attributes };
}

export const f32 = (name: string, shape: (number | string)[]) => ({ name, type: { kind: 'tensor' as const, elemType: 'float32' as const, shape } });

export function model(nodes: Node[], inputs: Graph['inputs'], outputs: Graph['outputs'], inits: Record<string, Tensor>, opset = 13, irVersion = 7): Model {
  const initializers = new Map(Object.entries(inits).map(([name, t]) => [name, { name, tensor: t }]));
  return {
    irVersion, opsetImports: [{ domain: '', version: opset }], producerName: 'qdq-test',
    graph: { name: 'g', nodes, inputs, outputs, valueInfo: [], initializers, sparseInitializers: [] },
  };
}

/** A plan entry with the fields the exporter reads. */
export function entry(tensorName: string, role: PlanEntry['role'], e: AffineEncoding, extra: Partial<PlanEntry> = {}): PlanEntry {
  const granularity = e.axis === undefined ? 'per-tensor' : e.blockSize === undefined ? 'per-channel' : 'per-group';
  const out: PlanEntry = { tensor: tensorName, role, scheme: 'test', options: {}, consumers: [], bits: e.bits, granularity, stats: null, ...extra };
  if (e.axis !== undefined) out.axis = e.axis;
  if (e.blockSize !== undefined) out.blockSize = e.blockSize;
  return out;
}

/** An encoding fitted to `values` (per-tensor, per-channel along `axis`, or per-group with `blockSize`). */
export function fit(values: Float32Array, dims: number[], format: AffineFormat, axis?: number, blockSize?: number): AffineEncoding {
  if (axis === undefined) return affineEncoding(tensorRange(values), format);
  return affineEncoding(reduceRanges(values, dims, axis, blockSize), format, blockSize === undefined ? { axis } : { axis, blockSize });
}

export function quantized(e: AffineEncoding, t: Tensor): QuantizedTensor {
  return quantizeWith(e, t.data as Float32Array, t.dims);
}

/** x → dequantize(quantize(x)) with core's reference math. */
export function fakeQuant(e: AffineEncoding, x: Float32Array, dims: number[]): Float32Array {
  return dequantize(quantizeWith(e, x, dims));
}

/** Runs a model in onnxruntime-node ('basic' unless told) and returns the named outputs as Float32Arrays. */
export async function runOrt(m: Model, feeds: Record<string, Tensor>, outputs: string[], level: 'disabled' | 'basic' | 'all' = 'basic'): Promise<Record<string, Float32Array>> {
  const have = new Set(m.graph.outputs.map((o) => o.name));
  const extra = outputs.filter((o) => !have.has(o)).map((o) => ({ name: o, type: { kind: 'tensor' as const, elemType: 'float32' as const } }));
  const withOutputs: Model = { ...m, graph: { ...m.graph, outputs: [...m.graph.outputs, ...extra] } };
  const session = await ort.InferenceSession.create(encodeModel(withOutputs), { graphOptimizationLevel: level, intraOpNumThreads: 1 });
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor('float32', v.data as Float32Array, v.dims);
  const res = await session.run(ortFeeds, outputs);
  await session.release();
  return Object.fromEntries(outputs.map((o) => [o, res[o]!.data as Float32Array]));
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

// Direct float kernels (row-major, float64 accumulation then float32 rounding) for the reference computations.

/** Conv2d, NCHW, one group, symmetric `pad`, stride 1. */
export function conv2d(x: Float32Array, xd: number[], w: Float32Array, wd: number[], b: Float32Array | undefined, pad: number): { y: Float32Array; dims: number[] } {
  const [n, c, h, wid] = xd as [number, number, number, number];
  const [m, , kh, kw] = wd as [number, number, number, number];
  const oh = h + 2 * pad - kh + 1, ow = wid + 2 * pad - kw + 1;
  const y = new Float32Array(n * m * oh * ow);
  for (let b0 = 0; b0 < n; b0++) for (let o = 0; o < m; o++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    let acc = b ? b[o]! : 0;
    for (let ci = 0; ci < c; ci++) for (let u = 0; u < kh; u++) for (let v = 0; v < kw; v++) {
      const yy = i + u - pad, xx = j + v - pad;
      if (yy < 0 || yy >= h || xx < 0 || xx >= wid) continue;
      acc += x[((b0 * c + ci) * h + yy) * wid + xx]! * w[((o * c + ci) * kh + u) * kw + v]!;
    }
    y[((b0 * m + o) * oh + i) * ow + j] = acc;
  }
  return { y, dims: [n, m, oh, ow] };
}

export function relu(x: Float32Array): Float32Array {
  return x.map((v) => (v > 0 ? v : 0));
}

/** 2×2 max pooling with stride 2 (NCHW, even H and W). */
export function maxPool2(x: Float32Array, d: number[]): { y: Float32Array; dims: number[] } {
  const [n, c, h, w] = d as [number, number, number, number];
  const oh = h / 2, ow = w / 2;
  const y = new Float32Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    const at = (u: number, v: number) => x[(p * h + 2 * i + u) * w + 2 * j + v]!;
    y[(p * oh + i) * ow + j] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
  }
  return { y, dims: [n, c, oh, ow] };
}

/** y = a · b (+ bias broadcast over rows); `transB` reads b as [N, K]. */
export function matmul(a: Float32Array, m: number, k: number, b: Float32Array, n: number, bias?: Float32Array, transB = false): Float32Array {
  const y = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let t = 0; t < k; t++) acc += a[i * k + t]! * (transB ? b[j * k + t]! : b[t * n + j]!);
    y[i * n + j] = acc + (bias ? bias[j]! : 0);
  }
  return y;
}

export { tensor };
