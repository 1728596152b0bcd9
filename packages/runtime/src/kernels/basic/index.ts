import type { KernelTable } from '../types.js';

/** Elementwise, activations, normalization, data movement, reductions, control flow and Q/DQ kernels. */
export const BASIC_KERNELS: KernelTable = {};
