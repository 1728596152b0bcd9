import { QuantforgeError, type IntegerFeed, type Program, type ProgramOp, type ProgramTensor } from '@quantforge/core';
import type { RoundingMode } from './arith/index.js';
import {
  addS8, avgPoolS8, conv1x1S8, convS8, depthwiseConvS8, fullyConnectedS8, lookupTableS8, maxPoolS8, mulS8, softmaxS8, type Dims4,
} from './kernels/index.js';
import { runOpS16 } from './simulate-s16.js';

type Num = number;
const num = (op: ProgramOp, key: string): Num => op.params[key] as Num;
const arr = (op: ProgramOp, key: string): number[] => op.params[key] as number[];
const d4 = (v: number[]): Dims4 => ({ n: v[0]!, h: v[1]!, w: v[2]!, c: v[3]! });

/** The simulator's memory: one arena buffer with every arena tensor a view at its planned offset. */
export class Memory {
  readonly arena: Int8Array;
  readonly views = new Map<number, Int8Array | Int16Array | Int32Array | BigInt64Array>();

  constructor(readonly program: Program) {
    this.arena = new Int8Array(program.memory.arenaBytes);
    for (const t of program.tensors) {
      if (t.placement === 'arena') {
        // Offsets are 16-byte aligned, so an int16 view of the arena is always possible.
        this.views.set(t.id, t.dtype === 'int16' ? new Int16Array(this.arena.buffer, t.offset, t.bytes / 2) : new Int8Array(this.arena.buffer, t.offset, t.bytes));
      } else if (t.data !== undefined) {
        this.views.set(t.id, t.dtype === 'int64' ? int64Of(t.data as Int32Array) : t.data as Int8Array | Int32Array);
      }
    }
  }

  i8(id: number): Int8Array {
    return this.views.get(id) as Int8Array;
  }

  i16(id: number): Int16Array {
    return this.views.get(id) as Int16Array;
  }

  i64(id: number): BigInt64Array {
    return this.views.get(id) as BigInt64Array;
  }

  i32(id: number): Int32Array {
    return this.views.get(id) as Int32Array;
  }

  tensor(id: number): ProgramTensor {
    return this.program.tensors[id]!;
  }
}

/** int64 values from (low, high) int32 word pairs, independent of the host's byte order. */
function int64Of(words: Int32Array): BigInt64Array {
  const out = new BigInt64Array(words.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (BigInt(words[2 * i + 1]!) << 32n) | BigInt(words[2 * i]! >>> 0);
  return out;
}

function runConv(op: ProgramOp, m: Memory, rounding: RoundingMode): void {
  const [x, w, b] = op.inputs as [number, number, number];
  const common = {
    input: m.i8(x), inputDims: d4(arr(op, 'inputDims')), filter: m.i8(w), filterDims: d4(arr(op, 'filterDims')), bias: m.i32(b),
    outputDims: d4(arr(op, 'outputDims')), inputOffset: num(op, 'inputOffset'), outputOffset: num(op, 'outputOffset'),
    stride: { h: num(op, 'strideH'), w: num(op, 'strideW') }, padding: { h: num(op, 'padH'), w: num(op, 'padW') },
    dilation: { h: num(op, 'dilationH'), w: num(op, 'dilationW') }, activation: { min: num(op, 'activationMin'), max: num(op, 'activationMax') },
    quant: { multipliers: Int32Array.from(arr(op, 'multipliers')), shifts: Int32Array.from(arr(op, 'shifts')) }, rounding, output: m.i8(op.outputs[0]!),
  };
  if (op.targetOp === 'depthwise-conv2d') depthwiseConvS8({ ...common, depthMultiplier: num(op, 'channelMultiplier') });
  else if (op.kernel === 'arm_convolve_1x1_s8_fast' || op.kernel === 'arm_convolve_1x1_s8') conv1x1S8(common);
  else convS8(common);
}

function runDense(op: ProgramOp, m: Memory, rounding: RoundingMode): void {
  const [x, w, b] = op.inputs as [number, number, number];
  const mult = arr(op, 'multipliers');
  const shifts = arr(op, 'shifts');
  fullyConnectedS8({
    input: m.i8(x), batches: num(op, 'batches'), accumDepth: num(op, 'accumDepth'), filter: m.i8(w), outputDepth: num(op, 'outputDepth'), bias: m.i32(b),
    inputOffset: num(op, 'inputOffset'), filterOffset: num(op, 'filterOffset'), outputOffset: num(op, 'outputOffset'),
    activation: { min: num(op, 'activationMin'), max: num(op, 'activationMax') },
    quant: mult.length === 1 ? { multiplier: mult[0]!, shift: shifts[0]! } : { multipliers: Int32Array.from(mult), shifts: Int32Array.from(shifts) },
    rounding, output: m.i8(op.outputs[0]!),
  });
}

/** Operand shapes for a broadcasting add / mul (NHWC dims of the program tensors); none when the sizes agree. */
function broadcastDims(op: ProgramOp, m: Memory): { input1Dims?: number[]; input2Dims?: number[] } {
  const [a, b] = [m.tensor(op.inputs[0]!), m.tensor(op.inputs[1]!)];
  return a.bytes === b.bytes ? {} : { input1Dims: a.dims.length === 0 ? [1] : a.dims, input2Dims: b.dims.length === 0 ? [1] : b.dims };
}

function runOp(op: ProgramOp, m: Memory, rounding: RoundingMode): void {
  if (m.tensor(op.outputs[0]!).dtype === 'int16') return runOpS16(op, m, rounding);
  const out = m.i8(op.outputs[0]!);
  const activation = { min: num(op, 'activationMin'), max: num(op, 'activationMax') };
  switch (op.targetOp) {
    case 'conv2d': case 'conv2d-1x1': case 'depthwise-conv2d': return runConv(op, m, rounding);
    case 'fully-connected': return runDense(op, m, rounding);
    case 'add': {
      const p = op.params;
      addS8({
        input1: m.i8(op.inputs[0]!), input2: m.i8(op.inputs[1]!), ...broadcastDims(op, m), activation, rounding, output: out,
        params: {
          leftShift: p.leftShift as Num, input1Offset: p.input1Offset as Num, input1Multiplier: p.input1Multiplier as Num, input1Shift: p.input1Shift as Num,
          input2Offset: p.input2Offset as Num, input2Multiplier: p.input2Multiplier as Num, input2Shift: p.input2Shift as Num,
          outputOffset: p.outputOffset as Num, outputMultiplier: p.outputMultiplier as Num, outputShift: p.outputShift as Num,
        },
      });
      return;
    }
    case 'mul':
      mulS8({
        input1: m.i8(op.inputs[0]!), input2: m.i8(op.inputs[1]!), ...broadcastDims(op, m), activation, rounding, output: out,
        params: { input1Offset: num(op, 'input1Offset'), input2Offset: num(op, 'input2Offset'), outputOffset: num(op, 'outputOffset'), multiplier: num(op, 'outputMultiplier'), shift: num(op, 'outputShift') },
      });
      return;
    case 'avg-pool': case 'max-pool': {
      const args = {
        input: m.i8(op.inputs[0]!), inputDims: d4(arr(op, 'inputDims')), filter: { h: num(op, 'filterH'), w: num(op, 'filterW') },
        stride: { h: num(op, 'strideH'), w: num(op, 'strideW') }, padding: { h: num(op, 'padH'), w: num(op, 'padW') }, outputDims: d4(arr(op, 'outputDims')),
        activation, output: out,
      };
      if (op.targetOp === 'avg-pool') avgPoolS8(args);
      else maxPoolS8(args);
      return;
    }
    case 'softmax':
      softmaxS8({
        input: m.i8(op.inputs[0]!), numRows: num(op, 'numRows'), rowSize: num(op, 'rowSize'),
        params: { inputMultiplier: num(op, 'multiplier'), inputLeftShift: num(op, 'shift'), diffMin: num(op, 'diffMin') }, rounding, output: out,
      });
      return;
    case 'lut':
      lookupTableS8(m.i8(op.inputs[0]!), m.i8(op.inputs[1]!), out);
      return;
    default:
      throw new QuantforgeError('QF_TARGET_OP_UNSUPPORTED', `the simulator has no kernel for target op ${op.targetOp}`, { details: { node: op.node, targetOp: op.targetOp } });
  }
}

/**
 * Runs a lowered Cortex-M program bit-exactly with the CMSIS-NN kernel ports, one sample at a time, inside one arena
 * laid out as the memory plan says (so a wrong placement corrupts results instead of going unnoticed). Inputs and
 * outputs are int8 (int16 for an int16x8 program), by ONNX value name, in the program's NHWC layout.
 *
 * @example
 * ```ts
 * const [out] = simulateCortexM(program, [{ input: quantizeInput(program, 'input', pixels) }]);
 * out!.logits; // Int8Array
 * ```
 */
export function simulateCortexM(program: Program, samples: readonly IntegerFeed[]): IntegerFeed[] {
  const m = new Memory(program);
  const rounding = program.rounding;
  return samples.map((feed) => {
    m.arena.fill(0);
    for (const id of program.inputs) {
      const t = m.tensor(id);
      const given = feed[t.name];
      const wide = t.dtype === 'int16';
      const count = wide ? t.bytes / 2 : t.bytes;
      if (given === undefined || !(wide ? given instanceof Int16Array : given instanceof Int8Array) || given.length !== count) {
        throw new QuantforgeError('QF_RUNTIME_INPUT', `simulator input ${t.name} must be an ${wide ? 'Int16Array' : 'Int8Array'} of ${count} values (NHWC ${JSON.stringify(t.dims)})`, {
          details: { input: t.name, dims: t.dims, got: given?.length },
        });
      }
      if (wide) m.i16(id).set(given);
      else m.i8(id).set(given);
    }
    for (const op of program.ops) runOp(op, m, rounding);
    const out: IntegerFeed = {};
    for (const id of program.outputs) out[m.tensor(id).name] = m.tensor(id).dtype === 'int16' ? m.i16(id).slice() : m.i8(id).slice();
    return out;
  });
}
