/**
 * A lowered program: what a backend's kernels execute, in order, with every integer parameter resolved and every
 * tensor placed. Plain data (typed arrays for constants), so a simulator in a worker or an emitter can consume it.
 */

/** Where a tensor lives: the tensor arena (RAM), flash (constants), or outside the program (float fallback). */
export type TensorPlacement = 'arena' | 'flash';

/**
 * A tensor of the program. Activations are in the target's layout (`Program.layout`). Reshape-like no-ops create no
 * tensor: their output value resolves to their input's tensor.
 */
export interface ProgramTensor {
  /** Index into `Program.tensors`. */
  id: number;
  /** The ONNX value name (scratch buffers: `<node>:scratch`). */
  name: string;
  kind: 'input' | 'output' | 'activation' | 'constant' | 'scratch';
  dtype: 'int8' | 'int16' | 'int32' | 'int64' | 'uint8';
  dims: number[];
  bytes: number;
  placement: TensorPlacement;
  /** Byte offset in the arena (arena tensors) or in the constant blob (flash tensors). */
  offset: number;
  /** Per-tensor quantization of activations (scale, zero point). */
  scale?: number;
  zeroPoint?: number;
  /** Constant data in the target's layout. */
  data?: Int8Array | Int16Array | Int32Array;
}

/** Integer parameters of one op; arrays are per output channel. */
export type OpParams = Record<string, number | number[] | string>;

/** One kernel call. */
export interface ProgramOp {
  /** The ONNX node (the first, when several fuse). */
  node: string;
  /** Nodes fused into this op (activations). */
  fused: string[];
  targetOp: string;
  kernel: string;
  inputs: number[];
  outputs: number[];
  params: OpParams;
  /** Scratch tensor id, when the kernel needs one. */
  scratch?: number;
}

/** RAM and flash use of a program, in bytes. */
export interface MemoryPlan {
  /** Arena size: the greedy placement's high-water mark (activations and scratch buffers). */
  arenaBytes: number;
  /** The largest sum of live buffer sizes at any op: a lower bound no placement can beat. */
  liveLowerBoundBytes: number;
  flash: { weightsBytes: number; biasBytes: number; paramsBytes: number; codeBytes: number; totalBytes: number };
  /** The example part's budgets and whether the program fits. */
  fits?: { part: string; ramBytes: number; flashBytes: number; ram: boolean; flash: boolean };
}

/**
 * A lowered program.
 *
 * @example
 * ```ts
 * for (const op of program.ops) console.log(op.kernel, op.params.outputOffset);
 * console.log(program.memory.arenaBytes, program.memory.flash.totalBytes);
 * ```
 */
export interface Program {
  version: 1;
  target: string;
  /** Activation layout of the kernels (`'NHWC'` for CMSIS-NN / TFLite). */
  layout: 'NHWC' | 'NCHW';
  rounding: 'double' | 'single';
  tensors: ProgramTensor[];
  ops: ProgramOp[];
  inputs: number[];
  outputs: number[];
  memory: MemoryPlan;
}
