import type { KernelTable } from '../types.js';
import { ACTIVATION_KERNELS } from './activations.js';
import { CAST_KERNELS } from './cast.js';
import { CONTROL_KERNELS } from './control.js';
import { DETECTION_KERNELS } from './detection.js';
import { DETERMINANT_KERNELS } from './determinant.js';
import { EINSUM_KERNELS } from './einsum.js';
import { ELEMENTWISE_KERNELS } from './elementwise.js';
import { GRID_SAMPLE_KERNELS } from './grid-sample.js';
import { INDEXING_KERNELS } from './indexing.js';
import { LOSS_KERNELS } from './losses.js';
import { MOVEMENT_KERNELS } from './movement.js';
import { NORMALIZATION_KERNELS } from './normalization.js';
import { ORDERING_KERNELS } from './ordering.js';
import { PAD_KERNELS } from './pad.js';
import { QUANTIZE_KERNELS } from './quantize.js';
import { RECURRENT_KERNELS } from './recurrent.js';
import { REDUCE_KERNELS } from './reduce.js';
import { RESIZE_KERNELS } from './resize.js';
import { ROI_ALIGN_KERNELS } from './roi-align.js';
import { SHAPE_KERNELS } from './shape.js';
import { UNARY_KERNELS } from './unary.js';
import { UNIQUE_KERNELS } from './unique.js';
import { WINDOW_KERNELS } from './windows.js';

/**
 * Every kernel except the Conv/Gemm/MatMul/pooling family: elementwise math, activations, normalizations, data
 * movement and indexing, reductions, Cast, Resize, recurrent nets, control flow (If, Loop, Scan), Q/DQ, and a few
 * vision and loss ops. Keyed by ONNX op type of the default domain.
 *
 * @example
 * ```ts
 * const [y] = BASIC_KERNELS.Relu!([x], ctx);
 * ```
 */
export const BASIC_KERNELS: KernelTable = {
  ...ELEMENTWISE_KERNELS,
  ...UNARY_KERNELS,
  ...ACTIVATION_KERNELS,
  ...NORMALIZATION_KERNELS,
  ...SHAPE_KERNELS,
  ...MOVEMENT_KERNELS,
  ...PAD_KERNELS,
  ...REDUCE_KERNELS,
  ...RESIZE_KERNELS,
  ...CAST_KERNELS,
  ...QUANTIZE_KERNELS,
  ...CONTROL_KERNELS,
  ...RECURRENT_KERNELS,
  ...INDEXING_KERNELS,
  ...ORDERING_KERNELS,
  ...EINSUM_KERNELS,
  ...DETECTION_KERNELS,
  ...DETERMINANT_KERNELS,
  ...WINDOW_KERNELS,
  ...GRID_SAMPLE_KERNELS,
  ...ROI_ALIGN_KERNELS,
  ...UNIQUE_KERNELS,
  ...LOSS_KERNELS,
};
