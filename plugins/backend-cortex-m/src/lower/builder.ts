import { QuantforgeError, toFloat64, type AffineEncoding, type ProgramTensor, type QuantizedTensor } from '@quantforge/core';
import { roundHalfAway } from '../arith/index.js';
import type { GraphView } from '../graph-view.js';
import { nchwToNhwc, nhwcDims } from './layout.js';

/** The int8 parameters of one activation. */
export interface ActivationQuant {
  scale: number;
  zeroPoint: number;
}

export function constraintError(message: string, details: Record<string, unknown>, hint?: string): QuantforgeError {
  return new QuantforgeError('QF_TARGET_CONSTRAINT', message, hint === undefined ? { details } : { details, hint });
}

function affine(name: string, q: QuantizedTensor | undefined): AffineEncoding {
  if (q === undefined) throw constraintError(`${name} has no encoding; the target needs every tensor quantized`, { tensor: name });
  if (q.encoding.kind !== 'affine') {
    throw new QuantforgeError('QF_ENCODING_UNSUPPORTED', `${name} has a ${q.encoding.kind} encoding; CMSIS-NN kernels take affine int8 / int32 only`, {
      details: { tensor: name, kind: q.encoding.kind }, hint: 'Quantize for a Cortex-M target with an affine scheme such as uniform.',
    });
  }
  return q.encoding;
}

/** Tensors of the program under construction, by ONNX value. */
export class ProgramBuilder {
  readonly tensors: ProgramTensor[] = [];
  readonly byValue = new Map<string, number>();

  /** `bits`: the activation width of the target (16 in int16x8 mode). */
  constructor(private readonly g: GraphView, private readonly encodings: Readonly<Record<string, QuantizedTensor>>, readonly bits: 8 | 16 = 8) {}

  /** Elements of a program tensor (its bytes over the element size). */
  elements(id: number): number {
    const t = this.tensors[id]!;
    return t.dtype === 'int16' ? t.bytes / 2 : t.bytes;
  }

  /** Per-tensor int8 parameters of an activation (or an elementwise constant); int16 with zero point 0 in int16x8 mode. */
  quant(name: string): ActivationQuant {
    const e = affine(name, this.encodings[name]);
    if (this.bits === 16 && !this.g.isConstant(name)) {
      if (e.storage !== 'int16' || e.scale.length !== 1 || e.bits !== 16 || e.zeroPoint[0] !== 0) {
        throw constraintError(`${name} must be per-tensor int16 with zero point 0 in int16x8 mode (got ${e.storage}, ${e.bits} bits, zero point ${e.zeroPoint[0]})`, { tensor: name, storage: e.storage },
          'Shape the plan with an int16x8 target (pipeline.target(cortexMInt16x8Plugin, ...)) so activations are symmetric int16.');
      }
      return { scale: e.scale[0]!, zeroPoint: 0 };
    }
    if (e.storage !== 'int8' || e.scale.length !== 1 || e.bits !== 8) {
      throw constraintError(`${name} must be per-tensor int8 (got ${e.storage}, ${e.scale.length} scales)`, { tensor: name, storage: e.storage },
        'Shape the plan with the backend (pipeline.target(...)) so activations are int8.');
    }
    return { scale: e.scale[0]!, zeroPoint: e.zeroPoint[0]! };
  }

  /** The program tensor of an activation value, created on first use (NHWC dims). */
  activation(name: string, kind: 'input' | 'activation' | 'output' = 'activation'): number {
    const known = this.byValue.get(name);
    if (known !== undefined) return known;
    if (this.g.isConstant(name)) return this.elementwiseConstant(name, this.g.shape(name) ?? []);
    const q = this.quant(name);
    const dims = nhwcDims(this.g.shape(name) ?? []);
    const bytes = dims.reduce((a, b) => a * b, 1) * (this.bits / 8);
    const id = this.tensors.length;
    this.tensors.push({ id, name, kind, dtype: this.bits === 16 ? 'int16' : 'int8', dims, bytes, placement: 'arena', offset: 0, scale: q.scale, zeroPoint: q.zeroPoint });
    this.byValue.set(name, id);
    return id;
  }

  /** A value that shares another's storage (reshape-like no-ops). */
  alias(name: string, of: string): void {
    this.byValue.set(name, this.activation(of));
  }

  /**
   * An int8 constant operand of Add / Mul. One with as many elements as the other operand is laid out like it
   * (`likeShape`, NCHW → NHWC); a broadcast one (scalar, per-channel `[1, C, 1, 1]`) keeps its own elements, right-aligned
   * to the other operand's rank, so its NHWC form repeats along the leading axes.
   */
  elementwiseConstant(name: string, likeShape: readonly number[]): number {
    const known = this.byValue.get(name);
    if (known !== undefined) return known;
    const q = this.quant(name);
    const codes = this.encodings[name]?.codes?.data;
    if (!(codes instanceof Int8Array)) throw constraintError(`${name} has no int8 codes`, { tensor: name });
    const likeSize = likeShape.reduce((a, b) => a * b, 1);
    const own = this.g.shape(name) ?? [codes.length];
    const shape = codes.length === likeSize ? likeShape : [...new Array<number>(Math.max(0, likeShape.length - own.length)).fill(1), ...own];
    const data = shape.length === 4 ? nchwToNhwc(codes, shape) : codes.slice();
    return this.constant(name, data, nhwcDims(shape), q);
  }

  /** Adds a flash constant; `int64` data is an Int32Array of little-endian (low, high) word pairs. */
  constant(name: string, data: Int8Array | Int32Array, dims: number[], q?: ActivationQuant, int64 = false): number {
    const id = this.tensors.length;
    const t: ProgramTensor = {
      id, name, kind: 'constant', dtype: data instanceof Int8Array ? 'int8' : int64 ? 'int64' : 'int32', dims, bytes: data.byteLength, placement: 'flash', offset: 0, data,
    };
    if (q !== undefined) Object.assign(t, { scale: q.scale, zeroPoint: q.zeroPoint });
    this.tensors.push(t);
    this.byValue.set(name, id);
    return id;
  }

  /** A per-op scratch buffer in the arena. */
  scratch(node: string, bytes: number): number {
    const id = this.tensors.length;
    this.tensors.push({ id, name: `${node}:scratch`, kind: 'scratch', dtype: 'int8', dims: [bytes], bytes, placement: 'arena', offset: 0 });
    return id;
  }

  /**
   * A weight's int8 codes and scales, checked against the TFLite spec: affine int8, zero point 0, codes in
   * [−127, 127], one scale per output channel along `axis` or a single scale.
   */
  weight(name: string, axis: number, channels: number): { codes: Int8Array; scales: Float32Array } {
    const q = this.encodings[name];
    const e = affine(name, q);
    const codes = q?.codes?.data;
    if (e.storage !== 'int8' || !(codes instanceof Int8Array)) throw constraintError(`weight ${name} must be stored as int8 (got ${e.storage})`, { tensor: name });
    if (e.zeroPoint.some((z) => z !== 0)) throw constraintError(`weight ${name} must be symmetric (zero point 0)`, { tensor: name });
    if (e.scale.length !== 1 && (e.scale.length !== channels || e.axis !== axis)) {
      throw constraintError(`weight ${name} must be per-tensor or per-channel along axis ${axis} (${channels} scales)`, { tensor: name, axis: e.axis, scales: e.scale.length });
    }
    for (const c of codes) if (c < -127) throw constraintError(`weight ${name} holds code ${c}; the TFLite spec allows [−127, 127]`, { tensor: name });
    return { codes, scales: e.scale };
  }

  /** A bias's int32 codes, checked to have scale `s_in · s_w[c]` (relative 1e−5: float32 rounding of the product). */
  bias(name: string | undefined, channels: number, inputScale: number, weightScales: Float32Array): Int32Array {
    if (name === undefined || name === '') return new Int32Array(channels);
    const q = this.encodings[name];
    const e = affine(name, q);
    const codes = q?.codes?.data;
    if (e.storage !== 'int32' || !(codes instanceof Int32Array) || codes.length !== channels) throw constraintError(`bias ${name} must be int32 with ${channels} values`, { tensor: name });
    for (let c = 0; c < channels; c++) {
      const want = inputScale * weightScales[weightScales.length === 1 ? 0 : c]!;
      const got = e.scale[e.scale.length === 1 ? 0 : c]!;
      if (e.zeroPoint.some((z) => z !== 0) || Math.abs(got - want) > 1e-5 * want) {
        throw constraintError(`bias ${name} must have zero point 0 and scale input scale × weight scale (channel ${c}: ${got} vs ${want})`, { tensor: name, channel: c });
      }
    }
    return codes;
  }

  /**
   * An int64 bias for int16x8 kernels as (low, high) int32 word pairs. Core stores biases as int32 at most, and with
   * int16 inputs `s_in · s_w` is ~256× finer, so the codes are re-derived from the float bias as TFLite's converter
   * does (`SymmetricPerChannelBiasQuantize<int64>`): `q = round(b · float32(1 / float32(s_in · s_w[c])))`, ties away
   * from zero. The plan's bias scale is still checked to be `s_in · s_w[c]`.
   */
  bias64(name: string | undefined, channels: number, inputScale: number, weightScales: Float32Array): Int32Array {
    const out = new Int32Array(2 * channels);
    if (name === undefined || name === '') return out;
    this.bias(name, channels, inputScale, weightScales);
    const t = this.g.constants.get(name)?.tensor;
    if (t === undefined) throw constraintError(`bias ${name} is not a constant`, { tensor: name });
    const values = toFloat64(t);
    for (let c = 0; c < channels; c++) {
      const scale = Math.fround(Math.fround(inputScale) * Math.fround(weightScales[weightScales.length === 1 ? 0 : c]!));
      const q = roundHalfAway(Math.fround(Math.fround(values[c]!) * Math.fround(1 / scale)));
      if (!Number.isSafeInteger(q) || Math.abs(q) >= 2 ** 47) throw constraintError(`bias ${name} channel ${c} needs ${q} (|code| must stay below 2^47)`, { tensor: name, channel: c });
      const lo = q % 2 ** 32;
      out[2 * c] = lo | 0;
      out[2 * c + 1] = (q - (lo >>> 0)) / 2 ** 32;
    }
    return out;
  }
}
