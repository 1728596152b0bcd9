import type { KernelTable } from '../types.js';

/** Conv, ConvTranspose, Gemm, MatMul, pooling and the integer/QLinear variants. */
export const LINEAR_KERNELS: KernelTable = {};
