import type { Granularity } from '../quant/plan.js';

/** Integer element types a target's kernels read or write. */
export type TargetDType = 'int4' | 'int8' | 'int16' | 'int32' | 'int64';

/**
 * How a target requantizes an int32 accumulator with a fixed-point (multiplier, shift): `'double'` is TFLite's default
 * (SaturatingRoundingDoublingHighMul, then a rounding right shift), `'single'` one 64-bit rounding
 * (`TFLITE_SINGLE_ROUNDING` / `CMSIS_NN_USE_SINGLE_ROUNDING`). The two differ at ties, so a simulator must know.
 */
export type RequantRounding = 'double' | 'single';

/** What a kernel demands of a weight tensor. */
export interface WeightConstraint {
  dtypes: TargetDType[];
  /** Granularities the kernel accepts; the first one is what `constrainPlan` asks for. */
  granularity: Granularity[];
  /** The per-channel axis in the ONNX weight layout (Conv `[O, I, kh, kw]`: 0). */
  channelAxis?: number;
  /** Symmetric weights: zero point 0 and codes in `[-range, range]` (TFLite: 127). */
  symmetricRange?: number;
}

/** What a kernel demands of a bias tensor: its type and that its scale is `input scale × weight scale[c]`. */
export interface BiasConstraint {
  dtype: TargetDType;
  scale: 'input-times-weight';
}

/** An output encoding the kernel imposes (TFLite softmax / logistic int8: scale 1/256, zero point −128). */
export interface FixedOutput {
  scale: number;
  zeroPoint: number;
  dtype: TargetDType;
}

/**
 * One target operator: the kernel it runs on and what it demands of its tensors. Plain data, so the CLI can print it
 * and a plan can be checked without running plugin code.
 */
export interface OpConstraint {
  /** Kernel (function) name on the target, e.g. `arm_convolve_wrapper_s8`. */
  kernel: string;
  /** ONNX operator types this target op can implement (the backend's `check` decides per node). */
  onnx: string[];
  /** Activation element types (inputs and outputs). */
  activations: TargetDType[];
  weights?: WeightConstraint;
  bias?: BiasConstraint;
  fixedOutput?: FixedOutput;
  /** Inputs and output must share scale and zero point (TFLM pooling: |Δscale| ≤ 1e−6, equal zp). */
  sameScaleInOut?: boolean;
  /** Activation functions fused into the kernel's output clamp. */
  fusedActivations?: string[];
  /** Free-text limits the backend's `check` enforces (printed by `quantforge targets`). */
  limits?: string[];
  /** Estimated code size of the kernel and its helpers in bytes (documented estimate, not a measurement). */
  codeBytes: number;
}

/** An example part carrying the CPU, for memory budgets; the numbers are that part's, not the architecture's. */
export interface ExamplePart {
  name: string;
  flashBytes: number;
  ramBytes: number;
  clockMHz?: number;
}

/**
 * A deployment target as data: CPU, features, an example part with its memory, the requantization rounding, and
 * the op table (target op → kernel + constraints).
 *
 * @example
 * ```ts
 * const p: TargetProfile = {
 *   name: 'toy-mcu', backend: 'toy', cpu: 'Toy CPU', features: { dsp: false, mve: false, fpu: false },
 *   examplePart: { name: 'Toy-1', flashBytes: 65536, ramBytes: 8192 }, rounding: 'double', int16x8: false,
 *   ops: { add: { kernel: 'toy_add_s8', onnx: ['Add'], activations: ['int8'], codeBytes: 400 } },
 * };
 * ```
 */
export interface TargetProfile {
  /** Target name (the provider name, e.g. `cortex-m4`). */
  name: string;
  /** Name of the backend that implements it (e.g. `cortex-m`). */
  backend: string;
  cpu: string;
  features: { dsp: boolean; mve: boolean; fpu: boolean };
  examplePart: ExamplePart;
  rounding: RequantRounding;
  /** The target also has int16-activation / int8-weight kernels (TFLite 16x8 mode). */
  int16x8: boolean;
  ops: Record<string, OpConstraint>;
  notes?: string[];
}
