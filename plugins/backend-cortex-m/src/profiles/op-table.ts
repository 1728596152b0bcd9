import type { OpConstraint, WeightConstraint } from '@quantforge/core';

/** Which CMSIS-NN code path a CPU gets: pure C (M0+/M3), DSP/SIMD (M4/M7/M33) or Helium/MVE (M55). */
export type KernelVariant = 'c' | 'dsp' | 'mve';

/**
 * Estimated code size (Thumb-2 `.text`, `-Os`) of each kernel with the CMSIS-NN helpers it pulls in, per variant.
 * These are documented estimates from the size of the kernels' C sources and their support functions, not
 * measurements of a build; they make the flash figure a budget, not a linker map.
 */
const CODE_BYTES: Record<string, Record<KernelVariant, number>> = {
  conv2d: { c: 1800, dsp: 2600, mve: 3200 },
  'conv2d-1x1': { c: 900, dsp: 1400, mve: 1600 },
  'depthwise-conv2d': { c: 1600, dsp: 3000, mve: 3400 },
  'fully-connected': { c: 700, dsp: 1000, mve: 1200 },
  add: { c: 500, dsp: 700, mve: 800 },
  mul: { c: 450, dsp: 600, mve: 700 },
  'avg-pool': { c: 600, dsp: 900, mve: 900 },
  'max-pool': { c: 500, dsp: 700, mve: 700 },
  softmax: { c: 900, dsp: 900, mve: 1100 },
  lut: { c: 40, dsp: 40, mve: 40 },
  reshape: { c: 0, dsp: 0, mve: 0 },
  'shape-constant': { c: 0, dsp: 0, mve: 0 },
};

const FUSED = ['Relu', 'Clip'];
const BROADCAST = 'operands of equal size, or one that repeats along the NHWC leading axes: a scalar or a per-channel [1, C, 1, 1] operand';

function weights(channelAxis: number, granularity: WeightConstraint['granularity']): WeightConstraint {
  return { dtypes: ['int8'], granularity, channelAxis, symmetricRange: 127 };
}

/**
 * The CMSIS-NN int8 op table (TFLite int8 spec + the constraints TFLM's kernels check), with the code-size estimate
 * of the given variant. Every Cortex-M profile shares it; the variant changes code sizes and scratch buffers.
 */
export function cmsisNnOps(variant: KernelVariant): Record<string, OpConstraint> {
  const code = (op: string): number => CODE_BYTES[op]![variant];
  const bias = { dtype: 'int32', scale: 'input-times-weight' } as const;
  return {
    conv2d: {
      kernel: 'arm_convolve_s8', onnx: ['Conv'], activations: ['int8'], weights: weights(0, ['per-channel', 'per-tensor']), bias,
      fusedActivations: FUSED, limits: ['2-D convolution (4-D weights)', 'groups: C_in / filter C_in (grouped conv runs on arm_convolve_s8)'], codeBytes: code('conv2d'),
    },
    'conv2d-1x1': {
      kernel: 'arm_convolve_1x1_s8_fast', onnx: ['Conv'], activations: ['int8'], weights: weights(0, ['per-channel', 'per-tensor']), bias,
      fusedActivations: FUSED, limits: ['1x1 kernel, no padding, stride 1, dilation 1, groups 1'], codeBytes: code('conv2d-1x1'),
    },
    'depthwise-conv2d': {
      kernel: 'arm_depthwise_conv_wrapper_s8', onnx: ['Conv'], activations: ['int8'], weights: weights(0, ['per-channel', 'per-tensor']), bias,
      fusedActivations: FUSED, limits: ['groups == C_in, C_out a multiple of C_in (channel multiplier)'], codeBytes: code('depthwise-conv2d'),
    },
    'fully-connected': {
      kernel: 'arm_fully_connected_s8', onnx: ['Gemm', 'MatMul'], activations: ['int8'], weights: weights(0, ['per-channel', 'per-tensor']), bias,
      fusedActivations: FUSED,
      limits: ['constant 2-D weight', 'Gemm: alpha = beta = 1, transA = 0', 'per-channel weights run on arm_fully_connected_per_channel_s8'], codeBytes: code('fully-connected'),
    },
    add: { kernel: 'arm_elementwise_add_s8', onnx: ['Add'], activations: ['int8'], fusedActivations: FUSED, limits: [BROADCAST], codeBytes: code('add') },
    mul: { kernel: 'arm_elementwise_mul_s8', onnx: ['Mul'], activations: ['int8'], fusedActivations: FUSED, limits: [BROADCAST], codeBytes: code('mul') },
    'avg-pool': {
      kernel: 'arm_avgpool_s8', onnx: ['AveragePool', 'GlobalAveragePool'], activations: ['int8'], sameScaleInOut: true, fusedActivations: FUSED,
      limits: ['2-D pooling', 'count_include_pad = 0', 'ceil_mode = 0'], codeBytes: code('avg-pool'),
    },
    'max-pool': {
      kernel: 'arm_max_pool_s8', onnx: ['MaxPool', 'GlobalMaxPool'], activations: ['int8'], sameScaleInOut: true, fusedActivations: FUSED,
      limits: ['2-D pooling', 'dilation 1', 'ceil_mode = 0', 'one output (no Indices)'], codeBytes: code('max-pool'),
    },
    softmax: {
      kernel: 'arm_softmax_s8', onnx: ['Softmax'], activations: ['int8'], fixedOutput: { scale: 1 / 256, zeroPoint: -128, dtype: 'int8' },
      limits: ['over the last axis'], codeBytes: code('softmax'),
    },
    lut: {
      kernel: 'lookup_table_s8', onnx: ['HardSigmoid', 'Div'], activations: ['int8'],
      limits: ['int8 → int8 table of 256 entries built at lowering time from the input and output encodings (TFLite LUTPopulate)', 'Div: by a scalar constant'],
      codeBytes: code('lut'),
    },
    reshape: {
      kernel: 'none (shares the input buffer)', onnx: ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze'], activations: ['int8'], sameScaleInOut: true,
      limits: ['a flattened 4-D feature map must feed a fully-connected op (its weights are permuted NCHW → NHWC)'], codeBytes: code('reshape'),
    },
    'shape-constant': {
      kernel: 'none (evaluated at lowering time)', onnx: ['Shape', 'Cast', 'Slice', 'Concat', 'Gather', 'Unsqueeze', 'Squeeze'], activations: ['int64', 'int32'],
      limits: ['integer shape arithmetic on static shapes that only feeds shape inputs (Reshape\'s second input)'], codeBytes: code('shape-constant'),
    },
  };
}

/**
 * Why an op has no int16x8 kernel here (classify reports it as `QF_TARGET_OP_UNSUPPORTED`).
 *
 * @example
 * ```ts
 * INT16X8_MISSING.softmax; // 'int16 Softmax (LUT-based arm_softmax_s16) is not lowered by this backend yet'
 * ```
 */
export const INT16X8_MISSING: Readonly<Record<string, string>> = {
  softmax: 'int16 Softmax (LUT-based arm_softmax_s16) is not lowered by this backend yet',
  lut: 'int16 lookup tables (513-entry LUTs) are not lowered by this backend yet',
};

/**
 * The CMSIS-NN int16x8 op table (TFLite 16x8 mode): int16 symmetric activations (zero point 0), int8 symmetric
 * per-channel weights, int64 biases with scale `s_in · s_w[c]`, int64 accumulation requantized with the reduced
 * 16-bit multiplier; Add (left shift 15) and Mul of two activations. Softmax and tables are absent (see
 * {@link INT16X8_MISSING}).
 *
 * @example
 * ```ts
 * cmsisNnOps16('dsp')['fully-connected']?.bias; // { dtype: 'int64', scale: 'input-times-weight' }
 * ```
 */
export function cmsisNnOps16(variant: KernelVariant): Record<string, OpConstraint> {
  const ops = cmsisNnOps(variant);
  const bias = { dtype: 'int64', scale: 'input-times-weight' } as const;
  const kernels: Record<string, string> = {
    conv2d: 'arm_convolve_s16', 'conv2d-1x1': 'arm_convolve_s16', 'depthwise-conv2d': 'arm_depthwise_conv_s16', 'fully-connected': 'arm_fully_connected_s16',
    'avg-pool': 'arm_avgpool_s16', 'max-pool': 'arm_max_pool_s16', add: 'arm_elementwise_add_s16', mul: 'arm_elementwise_mul_s16', reshape: ops.reshape!.kernel,
  };
  const out: Record<string, OpConstraint> = {};
  for (const [name, kernel] of Object.entries(kernels)) {
    const o = ops[name]!;
    out[name] = { ...o, kernel, activations: ['int16'], ...(o.bias === undefined ? {} : { bias }) };
    if (name === 'add' || name === 'mul') out[name] = { ...out[name]!, limits: [...(o.limits ?? []), 'both operands activations (no constant operand in int16x8 mode)'] };
  }
  out['shape-constant'] = ops['shape-constant']!;
  return out;
}
