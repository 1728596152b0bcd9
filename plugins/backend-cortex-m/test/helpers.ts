// Hand-built IR graphs, a small affine test scheme and a planner shortcut for the backend tests.
import { Type } from '@sinclair/typebox';
import {
  affineEncoding, defineScheme, planQuantization, quantizeWith, reduceRanges, tensor, tensorRange,
  type AffineEncoding, type Attribute, type Dim, type DType, type Model, type Node, type QuantizedTensor, type QuantPlan, type Tensor,
} from '@quantforge/core';

export const attr = {
  int: (name: string, value: number): Attribute => ({ name, type: 'int', value }),
  ints: (name: string, value: number[]): Attribute => ({ name, type: 'ints', value }),
  float: (name: string, value: number): Attribute => ({ name, type: 'float', value }),
};

export function node(opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = [], name = `${opType.toLowerCase()}_${outputs[0]}`): Node {
  return { name, opType, domain: '', inputs, outputs, attributes };
}

/** Deterministic values in [−1, 1). */
export function seeded(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export const f32 = (dims: number[], data: ArrayLike<number>): Tensor => tensor('float32', dims, Float32Array.from(data));
export const i64 = (dims: number[], data: number[]): Tensor => tensor('int64', dims, BigInt64Array.from(data.map(BigInt)));

export interface ModelSpec {
  nodes: Node[];
  inputs: [string, DType, Dim[]][];
  outputs: [string, DType, Dim[]][];
  initializers?: Record<string, Tensor>;
}

export function model(spec: ModelSpec): Model {
  const vi = ([name, elemType, shape]: [string, DType, Dim[]]) => ({ name, type: { kind: 'tensor' as const, elemType, shape } });
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 13 }],
    graph: {
      name: 'g', nodes: spec.nodes, inputs: spec.inputs.map(vi), outputs: spec.outputs.map(vi), valueInfo: [], sparseInitializers: [],
      initializers: new Map(Object.entries(spec.initializers ?? {}).map(([name, t]) => [name, { name, tensor: t }])),
    },
  };
}

const Fmt = Type.Object({ bits: Type.Optional(Type.Integer()), signed: Type.Boolean(), symmetric: Type.Boolean(), narrowRange: Type.Boolean(),
  granularity: Type.Optional(Type.String()), axis: Type.Optional(Type.Integer()) });
const Options = Type.Object({ weights: Fmt, activations: Fmt }, { additionalProperties: false });
type Opts = { weights: { signed: boolean; symmetric: boolean; narrowRange: boolean }; activations: { signed: boolean; symmetric: boolean; narrowRange: boolean } };

/** TFLite bias: int32, zero point 0, scale `s_in · s_w[c]` (float32 product). */
function biasEncoding(deps: Record<string, AffineEncoding>, axis: number | undefined): AffineEncoding {
  const sIn = deps.input!.scale[0]!;
  const sw = deps.weight!.scale;
  const scale = Float32Array.from(axis === undefined ? [sw[0]!] : sw, (s) => Math.fround(sIn * s));
  const e: AffineEncoding = { kind: 'affine', bits: 32, signed: true, narrowRange: false, symmetric: true, powerOfTwo: false, scale, zeroPoint: new Int32Array(scale.length), storage: 'int32' };
  if (axis !== undefined) e.axis = axis;
  return e;
}

/** A scheme with the affine options convention (`weights` / `activations` groups), unsigned asymmetric by default. */
export const testScheme = defineScheme<Opts>({
  name: 'affine-test',
  optionsSchema: Options,
  defaults: { weights: { signed: false, symmetric: false, narrowRange: false }, activations: { signed: false, symmetric: false, narrowRange: false } },
  supports: { roles: ['weight', 'bias', 'activation'], encodings: ['affine'] },
  statsFor(role, info, o) {
    return role === 'activation' ? { observer: 'minmax', options: {}, finalize: { bits: info.bits, signed: o.activations.signed, symmetric: o.activations.symmetric } } : null;
  },
  encodeActivation(stats, o, info) {
    return affineEncoding(stats.range, { bits: info.bits, ...o.activations });
  },
  quantizeWeight(t, o, info) {
    const d = t.data as Float32Array;
    if (info.role === 'bias') return quantizeWith(biasEncoding(info.dependencies as Record<string, AffineEncoding>, info.axis), d, t.dims);
    const fmt = { bits: info.bits, ...o.weights };
    const e = info.granularity === 'per-channel' ? affineEncoding(reduceRanges(d, t.dims, info.axis!), fmt, { axis: info.axis! }) : affineEncoding(tensorRange(d), fmt);
    return quantizeWith(e, d, t.dims);
  },
});

/** The planner's static plan with {@link testScheme}. */
export function planFor(m: Model): QuantPlan {
  return planQuantization(m, { scheme: 'affine-test', mode: 'static' }, { 'affine-test': { definition: testScheme as never, options: testScheme.defaults as never } });
}

/** A per-tensor int8 activation encoding. */
export function act(scale: number, zeroPoint: number): QuantizedTensor {
  const e: AffineEncoding = { kind: 'affine', bits: 8, signed: true, narrowRange: false, symmetric: zeroPoint === 0, powerOfTwo: false,
    scale: Float32Array.of(scale), zeroPoint: Int32Array.of(zeroPoint), storage: 'int8' };
  return { encoding: e, dims: [] };
}

/** int8 symmetric weight codes with the given scales (per-channel along `axis` when several). */
export function weight(dims: number[], codes: number[], scales: number[], axis = 0): QuantizedTensor {
  const e: AffineEncoding = { kind: 'affine', bits: 8, signed: true, narrowRange: true, symmetric: true, powerOfTwo: false,
    scale: Float32Array.from(scales), zeroPoint: new Int32Array(scales.length), storage: 'int8' };
  if (scales.length > 1) e.axis = axis;
  return { encoding: e, dims, codes: tensor('int8', dims, Int8Array.from(codes)) };
}

/** int32 bias codes with scales `s_in · s_w[c]`. */
export function bias(codes: number[], scales: number[]): QuantizedTensor {
  const e: AffineEncoding = { kind: 'affine', bits: 32, signed: true, narrowRange: false, symmetric: true, powerOfTwo: false,
    scale: Float32Array.from(scales.map(Math.fround)), zeroPoint: new Int32Array(scales.length), storage: 'int32' };
  if (scales.length > 1) e.axis = 0;
  return { encoding: e, dims: [codes.length], codes: tensor('int32', [codes.length], Int32Array.from(codes)) };
}
