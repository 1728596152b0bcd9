import { dequantize, quantizeWith, tensor, type CodebookEncoding, type Encoding, type Model, type PlanEntry, type QuantizedTensor } from '@quantforge/core';
import { describe, expect, it } from 'vitest';
import { PACK_MIN_SAVING, packPlanes, packWidth } from '../src/codebook/pack.js';
import { codebookExporter, encodeModel, validateModel } from '../src/index.js';
import { f32, model, node, randomFloats, runOrt } from './qdq-helpers.js';

// Sub-byte index packing below opset 21 and padded product-quantization rows, run in onnxruntime at 'disabled' (no
// constant folding, so the unpacking ops themselves execute) and compared bit for bit with core's dequantize.

function entry(name: string): PlanEntry {
  return { tensor: name, role: 'weight', scheme: 'test', options: {}, consumers: [], bits: 4, granularity: 'per-tensor', stats: null };
}

/** Centroids spread over the weight's range so that every index occurs. */
function spread(w: Float32Array, groups: number, k: number, d: number): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of w) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return Float32Array.from({ length: groups * k * d }, (_, i) => lo + ((hi - lo) * ((Math.floor(i / d) % k) + 0.5)) / k + (i % d) * 1e-3);
}

function matmul(rows: number, cols: number, seed: number, opset = 13): Model {
  const W = tensor('float32', [rows, cols], randomFloats(rows * cols, seed));
  return model([node('MatMul', ['x', 'W'], ['y'], {}, 'mm')], [f32('x', [2, rows])], [f32('y', [2, cols])], { W }, opset);
}

function conv(o: number, i: number, seed: number): Model {
  const W = tensor('float32', [o, i, 3, 3], randomFloats(o * i * 9, seed).map((v) => v * 0.3));
  return model([node('Conv', ['x', 'W'], ['y'], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }, 'conv')], [f32('x', [1, i, 5, 5])], [f32('y', [1, o, 5, 5])], { W });
}

async function exported(m: Model, q: QuantizedTensor, xDims: number[], packIndices: 'auto' | 'never' = 'auto') {
  const encodings = { W: q };
  const { model: out, valueMap } = codebookExporter({ packIndices }).export({ model: m, plan: { version: 1, excluded: [], tensors: { W: entry('W') } }, encodings, mode: 'weight-only' });
  validateModel(out);
  const x = tensor('float32', xDims, randomFloats(xDims.reduce((a, b) => a * b, 1), 5));
  const got = await runOrt(out, { x }, [valueMap.W!], 'disabled');
  return { out, weight: got[valueMap.W!]!, bytes: encodeModel(out).byteLength };
}

describe('sub-byte index packing', () => {
  it('packs planes of 1, 2 and 4 bits and picks the width from the level count', () => {
    expect(Array.from(packPlanes([1, 2, 3], 4))).toEqual([0x31, 0x02]);
    expect(Array.from(packPlanes([1, 0, 1, 1, 0, 0, 0, 0, 1], 1))).toEqual([0b10011, 0b10]);
    expect(Array.from(packPlanes([3, 2, 1, 0, 1], 2))).toEqual([3 | (1 << 2) | (1 << 4), 2]);
    expect([2, 3, 4, 5, 8, 15, 16, 17].map(packWidth)).toEqual([1, 2, 2, 4, 4, 4, 4, undefined]);
  });

  it.each([2, 4, 8, 16])('stores k = %i indices below a byte and expands them exactly, also with a ragged tail', async (k) => {
    // 61 × 67 = 4087 indices: no byte width divides it, so the Slice path runs.
    for (const [rows, cols] of [[64, 64], [61, 67]] as const) {
      const m = matmul(rows, cols, 10 + k);
      const w = m.graph.initializers.get('W')!.tensor.data as Float32Array;
      const e: CodebookEncoding = { kind: 'codebook', k, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: cols }, centroids: spread(w, 1, k, 1) };
      const q = quantizeWith(e, w, [rows, cols]);
      const packed = await exported(m, q, [2, rows]);
      expect(packed.weight).toEqual(dequantize(q));
      const perByte = 8 / packWidth(k)!;
      expect(packed.out.graph.initializers.get('W_indices_packed')!.tensor.dims).toEqual([Math.ceil((rows * cols) / perByte)]);
      expect(packed.out.graph.nodes.some((n) => n.opType === 'Slice')).toBe((rows * cols) % perByte !== 0);
      const plain = await exported(m, q, [2, rows], 'never');
      expect(plain.weight).toEqual(packed.weight);
      // The saving is the index bytes less the unpacking ops (under PACK_MIN_SAVING bytes).
      expect(plain.bytes - packed.bytes).toBeGreaterThan(rows * cols * (1 - 1 / perByte) - PACK_MIN_SAVING);
    }
  });

  it('keeps whole bytes where packing would not pay', async () => {
    const m = matmul(16, 16, 2);
    const w = m.graph.initializers.get('W')!.tensor.data as Float32Array;
    const q = quantizeWith({ kind: 'codebook', k: 16, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 16 }, centroids: spread(w, 1, 16, 1) }, w, [16, 16]);
    const { out, weight } = await exported(m, q, [2, 16]);
    expect(out.graph.initializers.get('W_indices')!.tensor.dtype).toBe('uint8');
    expect(weight).toEqual(dequantize(q));
  });

  it('packs per-channel log codes (7-level ladder) and leaves a 15-level ladder in int8', async () => {
    const m = matmul(96, 48, 3);
    const w = m.graph.initializers.get('W')!.tensor.data as Float32Array;
    const short: Encoding = { kind: 'log', bits: 4, signed: true, step: 1, fsr: 0, minExponent: -7, zeroCode: true, axis: 1, channelFsr: Float32Array.from({ length: 48 }, (_, c) => -c / 16) };
    const q = quantizeWith(short, w, [96, 48]);
    const packed = await exported(m, q, [2, 96]);
    expect(packed.weight).toEqual(dequantize(q));
    expect(packed.out.graph.initializers.get('W_codes_packed')!.tensor.dims).toEqual([2304]);
    const long: Encoding = { kind: 'log', bits: 5, signed: true, step: 1, fsr: 0, minExponent: -15, zeroCode: true };
    const q5 = quantizeWith(long, w, [96, 48]);
    const wide = await exported(m, q5, [2, 96]);
    expect(wide.weight).toEqual(dequantize(q5));
    expect(wide.out.graph.initializers.get('W_codes')!.tensor.dtype).toBe('int8');
  });

  it('raises a model below opset 10 when a Slice is needed, and keeps opset 7 when the bytes fill up', async () => {
    const w = randomFloats(61 * 41, 4);
    const e: CodebookEncoding = { kind: 'codebook', k: 16, groups: 1, subvectorLength: 1, grouping: 'tensor', layout: { rowLength: 41 }, centroids: spread(w, 1, 16, 1) };
    const ragged = matmul(61, 41, 4, 9);
    const q = quantizeWith(e, ragged.graph.initializers.get('W')!.tensor.data as Float32Array, [61, 41]);
    const out = await exported(ragged, q, [2, 61]);
    expect(out.out.opsetImports.find((o) => o.domain === '')!.version).toBeGreaterThanOrEqual(10);
    expect(out.weight).toEqual(dequantize(q));
    const filledModel = matmul(64, 40, 4, 7);
    const even = quantizeWith({ ...e, layout: { rowLength: 40 } }, filledModel.graph.initializers.get('W')!.tensor.data as Float32Array, [64, 40]);
    const filled = await exported(filledModel, even, [2, 64]);
    expect(filled.out.opsetImports.find((o) => o.domain === '')!.version).toBe(7);
    expect(filled.weight).toEqual(dequantize(even));
  });
});

describe('padded product-quantization rows', () => {
  it.each([
    ['rows of 9 in sub-vectors of 4', { subvectorLength: 4, layout: { rowLength: 9, pad: 3 } }, 16, 1],
    ['rows of 27 in sub-vectors of 8, residual stage', { subvectorLength: 8, layout: { rowLength: 27, pad: 5 }, residual: true }, 8, 3],
    ['transposed rows (OHWI) of 3 in sub-vectors of 2', { subvectorLength: 2, layout: { perm: [0, 2, 3, 1] as number[], rowLength: 3, pad: 1 } }, 4, 3],
  ] as const)('expands %s and slices the padding off before the Conv', async (_, spec, k, inputs) => {
    const m = conv(6, inputs, 40 + k);
    const w = m.graph.initializers.get('W')!.tensor.data as Float32Array;
    const d = spec.subvectorLength;
    const groups = (spec.layout.rowLength + spec.layout.pad) / d;
    const e: CodebookEncoding = {
      kind: 'codebook', k, groups, subvectorLength: d, grouping: 'subspace', layout: { ...spec.layout } as CodebookEncoding['layout'], centroids: spread(w, groups, k, d),
      ...('residual' in spec ? { residual: { k: 4, centroids: spread(w, groups, 4, d).map((v) => v / 8) } } : {}),
    };
    const q = quantizeWith(e, w, [6, inputs, 3, 3]);
    const { out, weight } = await exported(m, q, [1, inputs, 5, 5]);
    expect(weight).toEqual(dequantize(q));
    expect(out.graph.nodes.filter((n) => n.opType === 'Slice').length).toBeGreaterThanOrEqual(1);
  });
});
